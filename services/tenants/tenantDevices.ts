import type { Device, DeviceLookup, DeviceRegistry } from '../registry/deviceRegistry.js';
import type { TenantStore } from './tenantStore.js';

/**
 * What the gateway looks devices up in: the operator's registry file
 * (REGISTRY_FILE) first, then the devices tenants registered through the API or
 * CLI (the tenant store, reread when it changes). One device id is owned by one
 * tenant across both: the tenant service refuses to register an id either knows.
 */
export class TenantDeviceLookup implements DeviceLookup {
  constructor(
    private readonly file: DeviceRegistry,
    private readonly store: TenantStore,
  ) {}

  get(externalId: string): Device | undefined {
    return this.file.get(externalId) ?? this.store.device(externalId);
  }

  all(): Device[] {
    return [...this.file.all(), ...this.store.read().devices];
  }

  get size(): number {
    return this.file.size + this.store.read().devices.length;
  }
}

/** Only one tenant's devices (a tenant's dry run must not learn of others' devices). */
export function lookupForTenant(lookup: DeviceLookup, tenant: string): DeviceLookup {
  return {
    get(externalId) {
      const d = lookup.get(externalId);
      return d && d.tenant === tenant ? d : undefined;
    },
  };
}

import { RequestError } from '../core/errors.js';
import { deviceSchema, type Device, type DeviceRegistry } from '../registry/deviceRegistry.js';
import type { Actor, AuditLog } from './auditLog.js';
import { buildingSchema, type Building } from './model.js';
import { checkCount, checkParams, type RegistryLimits } from './registryLimits.js';
import type { TenantStore } from './tenantStore.js';

/**
 * A tenant's buildings and devices. A device id (DevEUI, meter id ...) belongs to
 * one tenant: registering an id that the operator's registry file or any tenant
 * already has is a conflict (409), and the answer does not say whose it is. Only
 * the owner (or an admin) can remove a device; another tenant gets 404. Devices and
 * buildings per tenant and their `params` are bounded (services/tenants/registryLimits.ts).
 */
export class DeviceService {
  constructor(
    private readonly store: TenantStore,
    private readonly fileRegistry: DeviceRegistry,
    private readonly audit: AuditLog,
    private readonly limits: RegistryLimits = { maxDevicesPerTenant: 10_000, maxBuildingsPerTenant: 1000 },
  ) {}

  listBuildings(tenant: string): Building[] {
    this.tenant(tenant);
    return this.store.read().buildings.filter((b) => b.tenant === tenant);
  }

  async addBuilding(tenant: string, input: unknown, actor: Actor): Promise<Building> {
    this.activeTenant(tenant);
    const body = objectBody(input);
    checkParams(body.params);
    const parsed = buildingSchema.safeParse({ ...body, tenant });
    if (!parsed.success) throw invalid(parsed.error.issues[0]!);
    const b = parsed.data;
    await this.store.update((s) => {
      if (s.buildings.some((x) => x.tenant === tenant && x.id === b.id)) throw new RequestError('CONFLICT', `building ${b.id} exists`);
      checkCount(s.buildings.filter((x) => x.tenant === tenant).length, this.limits.maxBuildingsPerTenant, 'buildings', 'MAX_BUILDINGS_PER_TENANT');
      s.buildings.push(b);
    }, { grows: true });
    this.audit.record({ actor, action: 'building.add', tenant, target: b.id, details: { name: b.name ?? null } });
    return b;
  }

  async removeBuilding(tenant: string, id: string, actor: Actor): Promise<void> {
    this.tenant(tenant);
    await this.store.update((s) => {
      const i = s.buildings.findIndex((x) => x.tenant === tenant && x.id === id);
      if (i < 0) throw new RequestError('NOT_FOUND', `no building ${id}`);
      if (s.devices.some((d) => d.tenant === tenant && d.site === id)) throw new RequestError('CONFLICT', `building ${id} still has devices`);
      s.buildings.splice(i, 1);
    });
    this.audit.record({ actor, action: 'building.remove', tenant, target: id });
  }

  /** The tenant's devices: registered through Klimatpuls, and those in the registry file (read-only here). */
  listDevices(tenant: string): Array<Device & { source: 'api' | 'registry-file' }> {
    this.tenant(tenant);
    return [
      ...this.store.read().devices.filter((d) => d.tenant === tenant).map((d) => ({ ...d, source: 'api' as const })),
      ...this.fileRegistry.all().filter((d) => d.tenant === tenant).map((d) => ({ ...d, source: 'registry-file' as const })),
    ];
  }

  async addDevice(tenant: string, input: unknown, actor: Actor): Promise<Device> {
    this.activeTenant(tenant);
    const body = objectBody(input);
    checkParams(body.params);
    const parsed = deviceSchema.safeParse({ ...body, tenant });
    if (!parsed.success) throw invalid(parsed.error.issues[0]!);
    const device = parsed.data;
    const taken = () => new RequestError('CONFLICT', `device ${device.id} is already registered`);
    if (this.fileRegistry.get(device.id)) throw taken();
    await this.store.update((s) => {
      const key = device.id.toLowerCase();
      if (s.devices.some((d) => d.id.toLowerCase() === key)) throw taken();
      checkCount(s.devices.filter((d) => d.tenant === tenant).length, this.limits.maxDevicesPerTenant, 'devices', 'MAX_DEVICES_PER_TENANT');
      if (device.site !== undefined) {
        const building = s.buildings.find((b) => b.tenant === tenant && b.id === device.site);
        // A building's parameters (Atemp, households) apply to its devices unless the device says otherwise.
        if (building) {
          device.params = { ...building.params, ...device.params };
          checkParams(device.params, `params (with building ${building.id}'s)`);
        }
      }
      s.devices.push(device);
    }, { grows: true });
    this.audit.record({ actor, action: 'device.add', tenant, target: device.id, details: { kind: device.kind, site: device.site ?? null, model: device.model ?? null } });
    return device;
  }

  async removeDevice(tenant: string, id: string, actor: Actor): Promise<void> {
    this.tenant(tenant);
    if (this.fileRegistry.get(id)?.tenant === tenant) throw new RequestError('FORBIDDEN', `device ${id} is in the operator's registry file; ask the operator to remove it`);
    await this.store.update((s) => {
      const i = s.devices.findIndex((d) => d.tenant === tenant && d.id.toLowerCase() === id.toLowerCase());
      if (i < 0) throw new RequestError('NOT_FOUND', `no device ${id}`);
      s.devices.splice(i, 1);
    });
    this.audit.record({ actor, action: 'device.remove', tenant, target: id });
  }

  private tenant(id: string) {
    const t = this.store.tenant(id);
    if (!t) throw new RequestError('NOT_FOUND', `no tenant ${JSON.stringify(id)}`);
    return t;
  }

  private activeTenant(id: string) {
    const t = this.tenant(id);
    if (t.status !== 'active') throw new RequestError('FORBIDDEN', `tenant ${id} is disabled`);
    return t;
  }
}

/** The request body of an add: a JSON object (null, an array or a scalar is a 400, not a crash). */
function objectBody(input: unknown): Record<string, unknown> {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) throw new RequestError('INVALID_INPUT', '(body): a JSON object');
  return input as Record<string, unknown>;
}

function invalid(issue: { path: PropertyKey[]; message: string }): RequestError {
  return new RequestError('INVALID_INPUT', `${issue.path.map(String).join('.') || '(body)'}: ${issue.message}`);
}

import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { KlimatpulsError } from '../core/errors.js';
import { SENSOR_KINDS } from '../core/metrics.js';
import { TENANT_RE } from '../core/reading.js';

/**
 * The device registry: which tenant a device belongs to, where it is and what it
 * measures. A reading from a device that is not here is dead-lettered
 * (`unknown_device`). External ids (DevEUI, wM-Bus id, meter id) match in any case.
 */
export const deviceSchema = z.object({
  id: z.string().min(1).max(128),
  tenant: z.string().regex(TENANT_RE, 'a lower-case slug (a-z, 0-9, - and _)'),
  kind: z.enum(SENSOR_KINDS),
  site: z.string().max(128).optional(),
  model: z.string().max(128).optional(),
  /** Model parameters: container volume, mounting height, Atemp, counting point ... */
  params: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}),
});
export type Device = z.infer<typeof deviceSchema>;

export const registryFileSchema = z.object({ devices: z.array(deviceSchema) });

export interface DeviceLookup {
  get(externalId: string): Device | undefined;
}

export class DeviceRegistry implements DeviceLookup {
  private readonly byId = new Map<string, Device>();

  constructor(devices: Device[]) {
    for (const d of devices) {
      const key = d.id.toLowerCase();
      if (this.byId.has(key)) throw new KlimatpulsError('REGISTRY_INVALID', `device ${d.id} is registered twice`);
      this.byId.set(key, Object.freeze({ ...d }));
    }
  }

  get(externalId: string): Device | undefined {
    return this.byId.get(externalId.toLowerCase());
  }

  get size(): number {
    return this.byId.size;
  }

  all(): Device[] {
    return [...this.byId.values()];
  }

  static fromJson(text: string, source = 'registry'): DeviceRegistry {
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (err) {
      throw new KlimatpulsError('REGISTRY_INVALID', `${source}: not valid JSON: ${(err as Error).message}`);
    }
    const parsed = registryFileSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new KlimatpulsError('REGISTRY_INVALID', `${source}: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
    }
    return new DeviceRegistry(parsed.data.devices);
  }

  static fromFile(path: string): DeviceRegistry {
    return DeviceRegistry.fromJson(readFileSync(path, 'utf8'), path);
  }
}

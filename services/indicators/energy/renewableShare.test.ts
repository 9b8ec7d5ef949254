import { describe, expect, it } from 'vitest';
import { renewableShare } from './renewableShare.js';
import { byEntity, device, local, register, run } from './testSupport.js';

const registry = { renewable_share: renewableShare };

describe('renewable_share', () => {
  const from = local('2025-05-29T00:00');
  const to = local('2025-07-03T00:00');
  const a1 = device('el-a', 'electricity_meter', 'hus-a');
  const s1 = device('sol-a', 'solar', 'hus-a');
  const b1 = device('el-b', 'electricity_meter', 'hus-b');
  const c1 = device('el-c', 'electricity_meter', 'hus-c');

  it('relates production to use per building with production and for the tenant, without double counting export', async () => {
    const rs = [
      ...register(a1, 'energy_total', from, to, 2),
      ...register(a1, 'energy_export_total', from, to, 0.5),
      ...register(s1, 'energy_total', from, to, 1.5),
      ...register(b1, 'energy_total', from, to, 1),
      ...register(b1, 'energy_export_total', from, to, 0.25),
      ...register(c1, 'energy_total', from, to, 3),
    ];
    const v = byEntity(await run(registry, 'renewable_share', [a1, s1, b1, c1], rs, '2025-06'));
    // hus-a: production 1.5 × 720 = 1080; use = import 1440 + self-consumed (1080 − 360) = 2160 → 50 %.
    expect(v['hus-a']).toMatchObject({ value: 50, unit: '%', coverage: 1, sufficient: true });
    expect(v['hus-a']!.details).toMatchObject({ production_kwh: 1080, use_kwh: 2160, solar_kwh: 1080, import_kwh: 1440, export_kwh: 360, basis: 'solar' });
    // hus-b: only the export register — 180 / 720.
    expect(v['hus-b']).toMatchObject({ value: 25, details: expect.objectContaining({ basis: 'export_only' }) });
    // hus-c has no production: no value of its own, but its use counts for the tenant.
    expect(v['hus-c']).toBeUndefined();
    expect(v['*']).toMatchObject({ value: (100 * 1260) / 5040, coverage: 1, sufficient: true });
    expect(v['*']!.details).toMatchObject({ production_kwh: 1260, use_kwh: 5040, basis: 'mixed' });
  });

  it('says "unknown", not 0 %, for a tenant without production devices', async () => {
    const v = await run(registry, 'renewable_share', [c1], register(c1, 'energy_total', from, to, 3), '2025-06');
    expect(v).toHaveLength(1);
    expect(v[0]).toMatchObject({ entity: '*', coverage: 0, sufficient: false });
    expect(String(v[0]!.details!.note)).toMatch(/no production devices/);
  });
});

import { describe, expect, it } from 'vitest';
import { peakPower } from './peakPower.js';
import { peakPowerTotal } from './peakPowerTotal.js';
import { device, every, H, local, run } from './testSupport.js';

const registry = { peak_power: peakPower, peak_power_total: peakPowerTotal };

describe('peak_power_total', () => {
  it('adds the buildings’ own peaks (not their coincident peak)', async () => {
    const a = device('el-a', 'electricity_meter', 'hus-a');
    const b = device('el-b', 'electricity_meter', 'hus-b');
    const from = local('2025-01-31T00:00');
    const to = local('2025-03-02T00:00');
    const at = (iso: string) => (t: number) => t >= local(iso) && t < local(iso) + H;
    const rs = [
      ...every(a, 'power', from, to, H / 4, (t) => (at('2025-02-10T08:00')(t) ? 30 : 10)),
      ...every(b, 'power', from, to, H / 4, (t) => (at('2025-02-20T18:00')(t) ? 40 : 5)),
    ];
    const [v] = await run(registry, 'peak_power_total', [a, b], rs, '2025-02');
    expect(v).toMatchObject({ entity: '*', value: 70, unit: 'kW', coverage: 1, sufficient: true, details: { buildings: 2, largest_entity: 'hus-b', largest_kw: 40 } });
    const [none] = await run(registry, 'peak_power_total', [], [], '2025-02');
    expect(none).toMatchObject({ sufficient: false, details: { note: 'no electricity meters registered' } });
  });
});

import { describe, expect, it } from 'vitest';
import { reading } from '../testing.js';
import { byEntity, device, every, local, run } from '../energy/testSupport.js';
import { transportIndicators } from './index.js';
import { FUELS, fuelId, fuelOf } from './fuels.js';

const registry = Object.fromEntries(transportIndicators.map((i) => [i.id, i]));
const D = 24 * 3_600_000;
const from = local('2025-01-01T00:00');
const to = local('2025-04-01T00:00');
const daily = (dev: ReturnType<typeof device>, metric: 'fuel_volume_total' | 'ev_charging_energy_total', perDay: number, channel?: string) =>
  every(dev, metric, from, to, D, (t) => t).map((r) => reading(dev, metric, Date.parse(r.observedAt), ((Date.parse(r.observedAt) - from) / D) * perDay, channel));

describe('transport: fuels', () => {
  it('knows the fuels by their Swedish and English names, channel before params.fuel', () => {
    expect(['HVO100', 'hvo', 'Diesel', 'bensin', 'El', 'fordonsgas', 'Jet A1', 'vätgas'].map(fuelId)).toEqual(['hvo100', 'hvo100', 'diesel', 'petrol', 'electricity', 'biogas', 'jet_a1', undefined]);
    const v = device('v1', 'vehicle', undefined, { fuel: 'diesel' });
    expect(fuelOf(v, 'fuel_volume_total', 'hvo100')).toBe('hvo100');
    expect(fuelOf(v, 'fuel_volume_total')).toBe('diesel');
    expect(fuelOf(v, 'ev_charging_energy_total')).toBe('electricity');
    expect(FUELS.diesel!.fossilFreeShare).toBe(0);
  });
});

describe('fleet_fossil_free_share', () => {
  const car = device('ABC123', 'vehicle'); // imported records: the fuel is the channel
  const truck = device('LBG777', 'vehicle', 'depa-norr', { fuel: 'hvo' }); // telematics, fuel in the registry
  const charger = device('ladd-1', 'ev_charger', 'depa-norr');
  const odd = device('ODD1', 'vehicle'); // fuel unknown
  const jet = device('kla-jet', 'fuel_meter', 'airport', { fuel: 'jet_a1', bioShare: 0.3 });
  const devices = [car, truck, charger, odd, jet];
  const readings = [
    ...daily(car, 'fuel_volume_total', 10, 'diesel'),
    ...daily(car, 'fuel_volume_total', 5, 'hvo100'),
    ...daily(truck, 'fuel_volume_total', 15),
    ...daily(charger, 'ev_charging_energy_total', 50),
    ...daily(odd, 'fuel_volume_total', 7),
    ...daily(jet, 'fuel_volume_total', 400),
  ];

  it('converts litres and kWh to energy and gives the fossil-free share per entity and for the city', async () => {
    const v = byEntity(await run(registry, 'fleet_fossil_free_share', devices, readings, '2025-02'));
    const diesel = 28 * 10 * 9.8;
    const hvo = 28 * (5 + 15) * 9.44;
    const el = 28 * 50;
    expect(v['*']!.value).toBeCloseTo((100 * (hvo + el)) / (diesel + hvo + el), 9);
    expect(v['*']).toMatchObject({ unit: '%', coverage: 1, sufficient: true });
    expect(v['*']!.details).toMatchObject({ diesel_kwh: expect.closeTo(diesel, 6), electricity_kwh: expect.closeTo(el, 6), unknown_fuel_units: expect.closeTo(28 * 7, 6), devices: 4 });
    expect(v['ABC123']!.value).toBeCloseTo((100 * 28 * 5 * 9.44) / (diesel + 28 * 5 * 9.44), 9);
    expect(v['depa-norr']!.value).toBeCloseTo(100, 9);
    expect(v['airport']).toBeUndefined(); // aviation fuel is not the fleet's
  });

  it('a vehicle silent for more than 35 days lowers coverage; without records the city value is not enough data', async () => {
    const sparse = [local('2025-01-25T00:00'), local('2025-02-20T00:00'), local('2025-03-30T00:00')].map((t, i) => reading(truck, 'fuel_volume_total', t, i * 100));
    const v = byEntity(await run(registry, 'fleet_fossil_free_share', [truck], sparse, '2025-02'));
    expect(v['*']!.coverage).toBeCloseTo(19 / 28, 9); // 1–20 Feb covered, 20 Feb – 30 Mar is 38 days
    const quiet = device('QUIET1', 'vehicle', undefined, { fuel: 'petrol' }); // registered, no records at all
    const w = byEntity(await run(registry, 'fleet_fossil_free_share', [truck, quiet], sparse, '2025-02'));
    expect(w['*']!.coverage).toBeCloseTo(19 / 28 / 2, 9);
    expect(w['*']!.details).toMatchObject({ silent_devices: 'QUIET1' });
    const none = await run(registry, 'fleet_fossil_free_share', [truck], [], '2025-02');
    expect(none).toEqual([expect.objectContaining({ entity: '*', value: 0, sufficient: false, details: expect.objectContaining({ note: 'no fuel or charging records in the period' }) })]);
  });

  it('settings override a fuel (pump diesel with a bio blend)', async () => {
    const v = byEntity(await run(registry, 'fleet_fossil_free_share', [car], readings.filter((r) => r.deviceId === 'ABC123' && r.channel === 'diesel'), '2025-02', { fuels: { diesel: { fossilFreeShare: 0.3 } } }));
    expect(v['*']!.value).toBeCloseTo(30, 9);
  });
});

describe('aviation_fossil_free_share', () => {
  it('blended jet fuel counts its bio share, SAF counts whole, road fuels not at all', async () => {
    const jet = device('kla-jet', 'fuel_meter', 'airport', { fuel: 'jet_a1', bioShare: 0.3 });
    const saf = device('kla-saf', 'fuel_meter', 'airport', { fuel: 'saf' });
    const car = device('ABC123', 'vehicle', undefined, { fuel: 'diesel' });
    const rs = [...daily(jet, 'fuel_volume_total', 400), ...daily(saf, 'fuel_volume_total', 100), ...daily(car, 'fuel_volume_total', 50)];
    const v = byEntity(await run(registry, 'aviation_fossil_free_share', [jet, saf, car], rs, '2025Q1'));
    expect(v['*']!.value).toBeCloseTo((100 * (100 * 9.3 + 400 * 9.6 * 0.3)) / (100 * 9.3 + 400 * 9.6), 9);
    expect(v['*']!.details).toMatchObject({ devices: 2 });
  });
});

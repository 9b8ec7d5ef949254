import type { Device } from '../../registry/deviceRegistry.js';

/**
 * The devices the history files of `historyFiles.ts` are about, registered as the
 * import requires (`klimatpuls import` dead-letters rows of unknown ids): meter
 * points by the utility's id, SMHI's station, counters, the housing company's
 * fill-level sensor, the contractor's collection point, the fleet by registration
 * number, the airport's jet fuel. Kalmar and Malmö, one or a few of each kind.
 */
export function historyDevices(): Device[] {
  const d = (tenant: string, id: string, kind: Device['kind'], site: string | undefined, params: Device['params'] = {}): Device => ({ id, tenant, kind, ...(site ? { site } : {}), params });
  return [
    d('kalmar', '735999100000000101', 'electricity_meter', 'stadshuset', { atemp_m2: 5200, building_year: 1972 }),
    d('kalmar', 'FV-2001', 'heat_meter', 'stadshuset', { atemp_m2: 5200 }),
    d('kalmar', 'SOL-STADSHUSET', 'solar', 'stadshuset', { kwp: 60 }),
    d('kalmar', 'FV-2002', 'heat_meter', 'skolan', { atemp_m2: 2100 }),
    d('kalmar', '735999100000000103', 'electricity_meter', 'forskolan-ny', { atemp_m2: 900, building_year: 2022, new_building: true, ep_limit: 75, fgeo: 0.9 }),
    d('kalmar', 'FV-2003', 'heat_meter', 'forskolan-ny', { atemp_m2: 900, building_year: 2022, new_building: true, ep_limit: 75, fgeo: 0.9 }),
    d('kalmar', 'smhi-66420', 'temperature', 'kalmar-flygplats'),
    d('kalmar', 'CYKEL-TULLBRON', 'bike_counter', 'tullbron', { counting_point: 'tullbron', mode: 'bike' }),
    d('kalmar', 'BIL-TULLBRON', 'vehicle_counter', 'tullbron', { counting_point: 'tullbron' }),
    d('kalmar', 'KH-NORRGARD-RA1', 'waste_fill', 'norrgard', { volume_l: 660, households: 12 }),
    d('kalmar', 'KH-NORRGARD', 'waste_collection', 'norrgard', { households: 12 }),
    d('kalmar', 'ABC123', 'vehicle', 'depa-norr'),
    d('kalmar', 'EL456', 'vehicle', 'depa-norr'),
    d('kalmar', 'KLA-JET', 'fuel_meter', 'kalmar-oland-airport', { fuel: 'jet_a1', bioShare: 0.3 }),
    d('malmo', 'MLM-EL-1', 'electricity_meter', 'radhuset', { atemp_m2: 4000, building_year: 1960 }),
    d('malmo', 'MLM-FV-1', 'heat_meter', 'radhuset', { atemp_m2: 4000 }),
    d('malmo', 'MLM-SOL-1', 'solar', 'radhuset', { kwp: 40 }),
    d('malmo', 'MLM-CYKEL-1', 'bike_counter', 'davidshall', { counting_point: 'davidshall', mode: 'bike' }),
    d('malmo', 'MLM-AVFALL-1', 'waste_fill', 'rosengard', { volume_l: 660, households: 14 }),
  ];
}

/** Kalmar's behaviour campaign at the school: measured against its 2023 baseline model, reported through 2025. */
export const MEASURES = [
  {
    id: 'energikampanj-skolan',
    tenant: 'kalmar',
    name: { sv: 'Energisparkampanj, skolan', en: 'Energy saving campaign, the school' },
    kind: 'campaign',
    buildings: ['skolan'],
    date: '2024-01-01',
    meters: 'heat',
    reporting: { from: '2024-01-01', to: '2026-01-01' },
  },
];

import type { Indicator } from '../types.js';
import { FUEL_KINDS, fuelShareValues } from './fuelShare.js';

/**
 * fleet_fossil_free_share — fossil-free share (%) of the energy the municipality's
 * own vehicles and bought transport used in the period (Kalmar: "egna fordon och
 * inköpta transporter ska vara fossilbränslefria år 2023").
 *
 * From fuel volumes (L) and charging energy (kWh) of devices of kind `vehicle`
 * (fuel and charging records, telematics), `fuel_meter` (a depot's tank) and
 * `ev_charger`, every fuel converted to energy (transport/fuels.ts: diesel 9.8 kWh/L,
 * HVO100 9.44 kWh/L, ...). Bought transport counts when the contractor's fuel
 * records are imported for a registered vehicle. Aviation fuels are left out
 * (aviation_fossil_free_share). Per entity (the device's site, else the vehicle)
 * and '*' (Σ fossil-free kWh / Σ kWh): shares are not added (aggregate 'none').
 * Method and coverage: transport/fuelShare.ts.
 */
export const FLEET_FOSSIL_FREE_ID = 'fleet_fossil_free_share';

export const fleetFossilFree: Indicator = {
  id: FLEET_FOSSIL_FREE_ID,
  name: { sv: 'Andel fossilfri energi i fordonsflottan', en: 'Fossil-free share of the vehicle fleet’s energy' },
  description: {
    sv: 'Fossilfri andel (%) av energin i kommunens egna fordon och inköpta transporter: tankade liter (diesel, HVO, bensin, biogas …) och laddad el omräknade till kWh.',
    en: 'Fossil-free share (%) of the energy used by the municipality’s own vehicles and bought transport: litres refuelled (diesel, HVO, petrol, biogas …) and charged electricity converted to kWh.',
  },
  unit: '%',
  needs: { metrics: ['fuel_volume_total', 'ev_charging_energy_total'], kinds: FUEL_KINDS },
  periods: ['month', 'quarter', 'year'],
  aggregate: 'none',
  better: 'higher',
  compute: (ctx) => fuelShareValues(ctx, { indicator: FLEET_FOSSIL_FREE_ID, aviation: false }),
};

import type { Indicator } from '../types.js';
import { fuelShareValues } from './fuelShare.js';

/**
 * aviation_fossil_free_share — fossil-free share (%) of the jet fuel delivered at
 * the airport (Kalmar: "Inrikesflyget till och från Kalmar Öland Airport ska vara
 * fossilbränslefritt 2030"; 30 % bio blend in 2021).
 *
 * From the fuel volumes (L) of `fuel_meter` devices (the airport's fuel farm or
 * hydrant meters, or imported delivery records) whose fuel is an aviation fuel:
 * jet_a1 (fossil), saf (HEFA-SPK, fossil-free); a blended delivery is jet_a1 with
 * params.bioShare (0.3 = 30 % bio). Converted to energy (transport/fuels.ts) so
 * that fuels of different density compare. Method and coverage: transport/fuelShare.ts.
 */
export const AVIATION_FOSSIL_FREE_ID = 'aviation_fossil_free_share';

export const aviationFossilFree: Indicator = {
  id: AVIATION_FOSSIL_FREE_ID,
  name: { sv: 'Andel fossilfritt flygbränsle', en: 'Fossil-free share of aviation fuel' },
  description: {
    sv: 'Fossilfri andel (%) av flygbränslet som tankas på flygplatsen (biobränsle och inblandning), räknat på energi.',
    en: 'Fossil-free share (%) of the aviation fuel delivered at the airport (bio jet fuel and blends), on an energy basis.',
  },
  unit: '%',
  needs: { metrics: ['fuel_volume_total'], kinds: ['fuel_meter', 'vehicle'] },
  periods: ['month', 'quarter', 'year'],
  aggregate: 'none',
  better: 'higher',
  compute: (ctx) => fuelShareValues(ctx, { indicator: AVIATION_FOSSIL_FREE_ID, aviation: true }),
};

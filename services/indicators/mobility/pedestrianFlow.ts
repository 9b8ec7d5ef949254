import type { Indicator } from '../types.js';
import { computeFlow } from './common.js';

/**
 * pedestrian_flow — pedestrians passing each counting point per period (both
 * directions). Same method as cycle_flow, for kind pedestrian_counter: sum of
 * the per-interval counts with a timestamp in the period; entity =
 * params.counting_point (else site, else device); '*' = sum over points;
 * coverage = share of the period's hours with a reading from the point.
 *
 * details: in, out, no_direction (if any), hours_with_data, hours_expected.
 */
export const PEDESTRIAN_FLOW_ID = 'pedestrian_flow';

export const pedestrianFlow: Indicator = {
  id: PEDESTRIAN_FLOW_ID,
  name: { sv: 'Gångflöde', en: 'Pedestrian flow' },
  description: {
    sv: 'Antal gående som passerat varje mätpunkt under perioden, i båda riktningarna, räknat av fotgängarräknare. Summan för hela kommunen gäller bara de platser där det finns räknare. Täckningen visar hur stor del av periodens timmar räknarna rapporterade.',
    en: 'Pedestrians that passed each counting point during the period, both directions, as counted by pedestrian counters. The city total only covers places with counters. Coverage shows the share of the period\'s hours the counters reported.',
  },
  unit: 'pedestrians',
  needs: { metrics: ['count'], kinds: ['pedestrian_counter'] },
  periods: ['day', 'week', 'month', 'quarter', 'year'],
  aggregate: 'sum',
  better: 'higher',
  compute: (ctx) => computeFlow(ctx, PEDESTRIAN_FLOW_ID, 'pedestrian_counter', 'pedestrians'),
};

import type { Indicator } from '../types.js';
import { computeFlow } from './common.js';

/**
 * cycle_flow — bicycles passing each counting point per period (both directions).
 *
 * Method: the per-interval counts of the point's bike counters (`count`, kind
 * bike_counter) are added up; a reading belongs to the period that contains its
 * timestamp. Entity = params.counting_point (else the site, else the device);
 * '*' = the tenant's sum over points.
 *
 * Coverage = share of the period's hours (23/25 on DST days) with at least one
 * reading from the point; a registered counter that sent nothing counts as 0.
 * The tenant's coverage is the mean over points.
 *
 * details: in, out (by channel), no_direction (counts without a channel, if
 * any), hours_with_data, hours_expected; '*' also points.
 */
export const CYCLE_FLOW_ID = 'cycle_flow';

export const cycleFlow: Indicator = {
  id: CYCLE_FLOW_ID,
  name: { sv: 'Cykelflöde', en: 'Cycle flow' },
  description: {
    sv: 'Antal cyklar som passerat varje mätpunkt under perioden, i båda riktningarna, räknat av kommunens cykelräknare. Summan för hela kommunen gäller bara de platser där det finns räknare. Täckningen visar hur stor del av periodens timmar räknarna rapporterade; vid låg täckning är siffran för låg och visas som "inte tillräckligt med data".',
    en: 'Bicycles that passed each counting point during the period, both directions, as counted by the city\'s bike counters. The city total only covers places with counters. Coverage shows the share of the period\'s hours the counters reported; with low coverage the figure is too low and is shown as "not enough data".',
  },
  unit: 'bikes',
  needs: { metrics: ['count'], kinds: ['bike_counter'] },
  periods: ['day', 'week', 'month', 'quarter', 'year'],
  aggregate: 'sum',
  better: 'higher',
  compute: (ctx) => computeFlow(ctx, CYCLE_FLOW_ID, 'bike_counter', 'bikes'),
};

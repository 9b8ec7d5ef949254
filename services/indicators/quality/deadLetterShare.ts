import { METRIC_NAMES, SENSOR_KINDS } from '../../core/metrics.js';
import type { Indicator } from '../types.js';
import { ALL, readingCount } from './common.js';
import { makeValue } from '../indicatorValue.js';

/**
 * dead_letter_share — share (%) of incoming messages that were rejected
 * (dead-lettered: not parseable, unknown device, implausible value, clock far
 * off ...) in the period.
 *
 * Method: ctx.source.messageCounts({tenant, from, to}).
 * - received > 0: 100 × deadLettered / received.
 * - received = 0 (the source does not count messages): 100 × deadLettered /
 *   (deadLettered + stored readings of the tenant). Dead letters are counted by
 *   arrival (a malformed message has no other time), and so are the readings
 *   where the store keeps their arrival (DuckDB: method 'arrivals'), so a replay
 *   of old data and its dead letters fall in the same period. InfluxDB keeps no
 *   arrival time of a reading: there the readings are counted by observed time
 *   (method 'readings'), which differs from the dead letters' clock for replays
 *   and late data. The writer's archived dead letters mark the periods they
 *   arrived in for recomputation (scheduler.markArrivals). APPROXIMATION: one message often carries several readings
 *   (both directions of a counter, fill level and volume, energy and power), so
 *   this understates the share; and a source may not be able to attribute dead
 *   letters to a tenant (a message from an unknown device has none) — the DuckDB
 *   source counts all dead letters. details.method says which was used.
 * - no messageCounts in the source: value NaN, coverage 0 (insufficient),
 *   details.note.
 * Nothing received at all: value NaN, coverage 0.
 *
 * Entity '*' only. Coverage 1 when counts are available.
 *
 * details: dead_lettered, received or readings, method, note.
 */
export const DEAD_LETTER_SHARE_ID = 'dead_letter_share';

const UNIT = '%';

export const deadLetterShare: Indicator = {
  id: DEAD_LETTER_SHARE_ID,
  name: { sv: 'Avvisade meddelanden', en: 'Rejected messages' },
  description: {
    sv: 'Hur stor andel av meddelandena från givarna som avvisades, till exempel för att de inte gick att tolka, kom från en okänd givare eller hade orimliga värden. En hög andel betyder att data går förlorad och att nyckeltalen blir osäkrare. När antalet mottagna meddelanden inte räknas uppskattas andelen med antalet sparade mätvärden, vilket ger en något för låg andel.',
    en: 'The share of messages from the sensors that were rejected, for example because they could not be read, came from an unknown sensor or had implausible values. A high share means data is lost and the indicators become less certain. Where received messages are not counted, the share is estimated from the stored readings, which gives a somewhat too low share.',
  },
  unit: UNIT,
  needs: { metrics: [...METRIC_NAMES], kinds: [...SENSOR_KINDS] },
  periods: ['day', 'week', 'month', 'quarter', 'year'],
  aggregate: 'none',
  better: 'lower',
  async compute(ctx) {
    const { start, end } = ctx.period;
    const counts = ctx.source.messageCounts;
    if (!counts) return [makeValue(ctx, DEAD_LETTER_SHARE_ID, UNIT, ALL, Number.NaN, 0, { note: 'the reading source does not count messages' })];
    const { received, deadLettered, readingsArrived } = await counts.call(ctx.source, { tenant: ctx.tenant, from: start, to: end });
    if (received > 0) {
      return [makeValue(ctx, DEAD_LETTER_SHARE_ID, UNIT, ALL, (100 * deadLettered) / received, 1, { dead_lettered: deadLettered, received, method: 'received' })];
    }
    const arrivals = readingsArrived !== undefined;
    const readings = arrivals ? readingsArrived : await readingCount(ctx, start, end);
    const denominator = deadLettered + readings;
    const details = { dead_lettered: deadLettered, readings, method: arrivals ? 'arrivals' : 'readings' };
    if (denominator === 0) return [makeValue(ctx, DEAD_LETTER_SHARE_ID, UNIT, ALL, Number.NaN, 0, { ...details, note: 'nothing received in the period' })];
    return [makeValue(ctx, DEAD_LETTER_SHARE_ID, UNIT, ALL, (100 * deadLettered) / denominator, 1, details)];
  },
};

import { IANAZone } from 'luxon';

/** Wall-clock fields of a local time (month 1-12). */
export interface Wall {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const QUARTER_HOUR = 900_000;

/**
 * Local wall time ↔ instant in one IANA zone, with the zone's offset cached per
 * quarter hour: Intl (behind luxon) costs tens of µs a call, and an hourly year
 * of 20 meter points is 175,000 rows. Same rules as luxon: a time that does not
 * exist (spring forward) moves forward, a repeated one (fall back) is the first.
 */
export class ZoneClock {
  private readonly zone: IANAZone;
  private readonly offsets = new Map<number, number>();

  constructor(name: string) {
    this.zone = IANAZone.create(name);
    if (!this.zone.isValid) throw new RangeError(`unknown time zone ${JSON.stringify(name)}`);
  }

  /** Offset from UTC in minutes at instant `t`. */
  offset(t: number): number {
    const k = Math.floor(t / QUARTER_HOUR);
    let o = this.offsets.get(k);
    if (o === undefined) this.offsets.set(k, (o = this.zone.offset(k * QUARTER_HOUR)));
    return o;
  }

  toMillis(w: Wall): number {
    const local = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
    // the offsets well before and after: a wall time is valid under one or both (repeated), or neither (skipped)
    const before = this.offset(local - 14 * 3_600_000);
    const after = this.offset(local + 14 * 3_600_000);
    const tBefore = local - before * 60_000;
    const tAfter = local - after * 60_000;
    const okBefore = this.offset(tBefore) === before;
    const okAfter = this.offset(tAfter) === after;
    if (okBefore && okAfter) return Math.min(tBefore, tAfter);
    if (okBefore) return tBefore;
    if (okAfter) return tAfter;
    return local - Math.min(before, after) * 60_000; // in the gap: moved forward
  }

  wall(t: number): Wall {
    const d = new Date(t + this.offset(t) * 60_000);
    return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: d.getUTCHours(), minute: d.getUTCMinutes(), second: d.getUTCSeconds() };
  }
}

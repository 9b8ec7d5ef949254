import { Gauge } from 'prom-client';
import type { Config } from '../core/config.js';
import { errorMessage } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { Telemetry } from '../core/telemetry.js';
import { DEMO_TENANT, DemoCity } from '../demo/demoCity.js';
import { demoLevel, readDemoMarker, seedDemoHistory, type DemoHistoryInfo } from '../demo/demoHistory.js';
import type { IndicatorScheduler } from '../indicators/scheduler.js';
import { periodOf, periodsBetween, previous } from '../indicators/periods.js';
import type { Sink } from '../sinks/index.js';
import { knownCities, targetsFor } from './indicatorsApp.js';

/** Where the demo history stands: `off` (DEMO_HISTORY=off), `skipped` (the store held readings: never touched), `seeding`, `settling` (rollups), `seeded`, `failed`. */
export interface DemoStatus {
  state: 'off' | 'skipped' | 'seeding' | 'settling' | 'seeded' | 'failed';
  info?: DemoHistoryInfo;
}

/**
 * The baseline years the demo history seeds: those of the demo tenant's relative
 * targets (`change`: their goal is a share of the measured baseline, so without it
 * there is no trajectory) that have no `baselineValue`. Absolute targets (a share in
 * % to reach) are left out: the demo city has no solar or vehicle counters for them.
 */
export function demoBaselineYears(c: Config): number[] {
  const years = knownCities(c).map((city) => targetsFor(c, city)).filter((t) => t.tenant === DEMO_TENANT).flatMap((t) => t.targets.filter((x) => x.baselineValue === undefined && x.change !== undefined).map((x) => x.baselineYear));
  return [...new Set(years)].sort((a, b) => a - b);
}

/**
 * The demo city of `npm start` and its history. On an empty store (no reading of any
 * tenant) with DEMO_HISTORY on, the history is written before the pipeline starts
 * (`seedDemoHistory`), then the rollups are settled and the months recomputed in the
 * background (`status` says when). Otherwise the city continues the stored registers.
 */
export async function startDemoCity(c: Config, o: { sink: Sink; logger: Logger; now?: number }): Promise<{ city: DemoCity; status: DemoStatus; settle(scheduler: IndicatorScheduler): void }> {
  const now = o.now ?? Date.now();
  const city = new DemoCity(2030, demoLevel(now));
  const marker = readDemoMarker(c.DATA_DIR);
  const status: DemoStatus = { state: 'off', ...(marker?.state === 'seeded' ? { info: marker } : {}) };
  const logger = o.logger.child({ component: 'demo' });
  const empty = (await o.sink.store.latest({ limit: 1 })).length === 0;
  const wanted = (c.DEMO_HISTORY ?? true) && (empty || marker?.state === 'seeding');
  if (!wanted) {
    if (c.DEMO_HISTORY !== false) status.state = marker?.state === 'seeded' ? 'seeded' : 'skipped';
    if (status.state === 'skipped') logger.info('demo history: not seeded, the store already holds readings');
    city.resume(await o.sink.store.latest({ limit: 1000, tenant: DEMO_TENANT }));
    return { city, status, settle: () => {} };
  }
  status.state = 'seeding';
  status.info = await seedDemoHistory({ sink: o.sink, dataDir: c.DATA_DIR, city, now, baselineYears: demoBaselineYears(c), logger, replace: !empty });
  status.state = 'settling';
  const info = status.info;
  return {
    city,
    status,
    settle(scheduler) {
      const t0 = Date.now();
      let logged = 0;
      o.sink.rollups
        .settle({
          tenant: DEMO_TENANT,
          onDay: (done, total) => {
            if (Date.now() - logged < 2000 && done < total) return;
            logged = Date.now();
            logger.info({ progress: `${Math.round((100 * done) / total)} %`, days: `${done}/${total}` }, 'demo history: rollups');
          },
        })
        .then(({ days }) => {
          logger.info({ days, ms: Date.now() - t0 }, 'demo history: rollups settled; recomputing the indicators');
          // The months of this and the last quarter are stored (what /api/indicators lists); older periods, the
          // baseline years' among them, are computed when asked for (the report, /api/indicators?indicator=&period=&tenant=).
          const recent = previous(periodOf('quarter', Date.parse(info.to))).start;
          for (const m of periodsBetween('month', recent, Date.parse(info.to))) scheduler.markMonth(DEMO_TENANT, m.start + 86_400_000 * 3);
          status.state = 'seeded';
        })
        .catch((err: unknown) => {
          status.state = 'failed';
          logger.error({ err: errorMessage(err) }, 'demo history: rollups failed (they are rebuilt when read)');
        });
    },
  };
}

/** Settled: no demo history being written or settled, no dirty month waiting, no recomputation running. */
export function indicatorsStatus(scheduler: () => IndicatorScheduler, demo?: DemoStatus) {
  return () => {
    const s = scheduler();
    const busy = demo?.state === 'seeding' || demo?.state === 'settling';
    return { settled: !busy && s.settled, pendingMonths: s.pending, ...(demo ? { demoHistory: demo.state } : {}) };
  };
}

/** klimatpuls_indicators_settled (1/0) and klimatpuls_indicators_pending_months, read at each scrape. */
export function settledMetrics(telemetry: Telemetry, status: () => { settled: boolean; pendingMonths: number }): void {
  const registers = [telemetry.registry];
  new Gauge({ name: 'klimatpuls_indicators_settled', help: 'Indicator recomputation has settled: 1 when no dirty period waits, none is being recomputed and no demo history is being written', registers, collect() { this.set(status().settled ? 1 : 0); } });
  new Gauge({ name: 'klimatpuls_indicators_pending_months', help: 'Tenant-months with new readings whose indicators are not recomputed yet', registers, collect() { this.set(status().pendingMonths); } });
}

/** The start banner's line. */
export function demoLine(s: DemoStatus): string {
  if (s.state === 'off') return 'off (DEMO_HISTORY=off)';
  if (s.state === 'skipped') return 'not seeded: the store already holds readings (DEMO_HISTORY=off to silence)';
  const i = s.info;
  return `${i ? `${i.readings.toLocaleString('en')} simulated readings, ${i.from.slice(0, 10)} to ${i.to.slice(0, 10)}${i.baselineYears.length ? ` and ${i.baselineYears.join(', ')}` : ''}` : ''} (${s.state}; marked as demo data, DEMO_HISTORY=off to disable)`;
}

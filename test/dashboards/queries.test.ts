import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertSpecs } from '../../dashboards/alerts.js';
import { buildDashboards } from '../../dashboards/build.js';
import { defaultConfig } from '../../dashboards/config.js';
import { PANEL_FIELDS } from '../../dashboards/lib/panels.js';
import { parsePeriod, periodOf } from '../../services/indicators/periods.js';
import type { TruthRecord } from '../../simulators/city/citySimulator.js';
import { apiValues, checkIndicatorRows, checkTargetRows, checkTargetSeries, key, type ApiValue } from './checks.js';
import { startCityFixture, type CityFixture } from './cityFixture.js';
import { isLive, panelQueries, run, type Row } from './panelQueries.js';
import type { Substitution } from './substitute.js';
import { committedCityValues, STATUS_EXPECTED, statusCity, statusValues, testConfig } from './testConfig.js';

/**
 * Every panel's Flux query, as Grafana would send it (dashboard variables and
 * v.* filled in), against the real InfluxDB after the CI scenario went through
 * the real pipeline: not empty, the declared columns, and indicator values
 * equal to what GET /api/indicators serves for the same period (and target
 * trajectories and statuses equal to the quarterly report's rules).
 */
const titles = panelQueries(buildDashboards(testConfig('placeholder', 'placeholder-s'))).filter((p) => p.query);
let f: CityFixture;
let statusTenant: string;
let dashboards: Record<string, dashboard.Dashboard>;
let api: Map<string, ApiValue>;
let statusApi: Map<string, ApiValue>;
/** The API's values of every tenant with targets: the scenario's, the status tenant's, kalmar's, malmo's. */
const apiOf = new Map<string, Map<string, ApiValue>>();
const subst = (o: { live?: boolean; vars?: Record<string, string>; from?: Date; to?: Date } = {}): Substitution => ({
  vars: o.vars ?? { tenant: f.tenant, site: '.*' },
  from: o.from ?? (o.live ? f.live.from : f.scenario.from),
  to: o.to ?? (o.live ? f.live.to : f.scenario.to),
  windowMs: o.live ? 10_000 : 3_600_000,
  bucket: f.bucket,
  org: 'klimatpuls',
});
const query = (title: string) => panelQueries(dashboards).find((p) => p.title === title)!;

beforeAll(async () => {
  f = await startCityFixture();
  statusTenant = `${f.tenant}-s`;
  await f.store.write(statusValues(statusTenant));
  const committed = defaultConfig().targets;
  await f.store.write(committedCityValues(committed, f.periods));
  dashboards = buildDashboards(testConfig(f.tenant, statusTenant));
  api = await apiValues(f.store, f.engine, f.tenant);
  statusApi = await apiValues(f.store, f.engine, statusTenant);
  apiOf.set(f.tenant, api).set(statusTenant, statusApi);
  for (const c of committed) apiOf.set(c.tenant, await apiValues(f.store, f.engine, c.tenant));
}, 600_000);

afterAll(async () => {
  await f?.stop();
});

it('the API serves what the engine computes (the yardstick of the panels)', async () => {
  const computed = await f.engine.computeAll(f.tenant, f.periods);
  expect(computed.length).toBe(api.size);
  for (const v of computed) {
    const served = api.get(key(v.indicator, v.entity, v.periodKind, parsePeriod(v.period).start));
    expect(served?.value, `${v.indicator} ${v.entity} ${v.period}`).toEqual(Number.isFinite(v.value) ? v.value : null);
  }
});

describe.each(titles.map((p) => [p.dashboard, p.title] as const))('%s: %s', (_dash, title) => {
  it('returns the declared columns, and indicator values equal to the API\'s', async () => {
    const p = query(title);
    const rows = await run(p.query, subst({ live: isLive(p.query) }));
    expect(rows.length, 'rows').toBeGreaterThan(0);
    const fields = PANEL_FIELDS.get(title)!;
    for (const r of rows) for (const c of fields) expect(r, `column ${c}`).toHaveProperty(c);
    if (p.dashboard === 'contract') {
      const cities = testConfig(f.tenant, statusTenant).targets;
      if ('target' in rows[0]!) return checkTargetRows(cities, rows, api, title);
      const t = cities.flatMap((c) => c.targets.map((x) => ({ c, x }))).find(({ c, x }) => title === `${c.name.en}: ${x.name.en}`)!;
      return checkTargetSeries(t.x, rows, apiOf.get(t.c.tenant)!, (s) => periodOf(t.x.periodKind, s).label, title);
    }
    if (p.query.includes('r._measurement == "indicators"')) expect(checkIndicatorRows(p.query, rows, api, title)).toBe(rows.length);
  });
});

describe('contract follow-up statuses', () => {
  it('on track, behind, off track and not enough data come out as the report\'s rules say', async () => {
    const vars = { tenant: statusTenant };
    const range = { from: new Date('2025-01-01T00:00:00Z'), to: new Date('2025-03-31T00:00:00Z') };
    const every = await run(query('Every period of every target').query, subst({ vars, ...range }));
    checkTargetRows([statusCity(statusTenant)], every, statusApi, 'status tenant');
    expect(Object.fromEntries(every.map((r) => [r.target, r.status]))).toEqual(STATUS_EXPECTED);
    const latest = await run(query('Status per target, latest period').query, subst({ vars, ...range }));
    expect(latest.map((r) => `${r.target} ${r.period}`).sort()).toEqual(Object.keys(STATUS_EXPECTED).map((t) => `${t} 2025Q1`).sort());
  });
});

describe('variables and the site filter', () => {
  const variables = (uid: string) => (dashboards[uid]!.templating?.list ?? []) as Array<{ name: string; query: string }>;

  it('the tenant variable lists the scenario tenant; the site variable its buildings', async () => {
    const tenants = await run(variables('energy').find((v) => v.name === 'tenant')!.query, subst());
    expect(tenants.map((r) => r._value)).toContain(f.tenant);
    const sites = (await run(variables('energy').find((v) => v.name === 'site')!.query, subst())).map((r) => r._value as string);
    expect(sites.length).toBeGreaterThan(0);
    expect(sites.every((s) => s.startsWith('building-'))).toBe(true);
  });

  it('one or several sites limit the rows to them', async () => {
    for (const site of ['building-3', 'building-3,building-4']) {
      const rows = await run(query('Energy use per building and month').query, subst({ vars: { tenant: f.tenant, site } }));
      expect(new Set(rows.map((r) => r.entity))).toEqual(new Set(site.split(',')));
    }
  });
});

describe('alert rules', () => {
  const fire = (rows: Row[], threshold: number) => new Set(rows.filter((r) => (r._value as number) > threshold).map((r) => (r.device ?? r.site ?? r.host) as string));
  const truth = () => readFileSync(join(f.dir, 'truth.ndjson'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as TruthRecord);
  const runAlert = async (uid: string) => {
    const s = alertSpecs(testConfig(f.tenant, statusTenant)).find((a) => a.uid === uid)!;
    const to = isLive(s.query) ? f.live.to : f.scenario.end;
    const rows = await run(s.query, subst({ live: isLive(s.query), from: new Date(to.getTime() - s.window * 1000), to }));
    expect(rows.length, uid).toBeGreaterThan(0);
    for (const r of rows) expect(typeof r._value === 'number' && typeof r._time === 'string', uid).toBe(true);
    return { rows: rows.filter((r) => (r.tenant ?? f.tenant) === f.tenant), threshold: s.threshold };
  };

  it('device silent: fires for exactly the devices whose last stored reading is over 3 h before the end', async () => {
    const { rows, threshold } = await runAlert('klimatpuls-device-silent');
    const last = new Map<string, number>();
    for (const t of truth()) last.set(t.deviceId, Math.max(last.get(t.deviceId) ?? 0, Date.parse(t.observedAt)));
    expect(Math.max(...last.values())).toBeLessThan(f.scenario.end.getTime());
    expect(rows.length).toBe(last.size);
    expect(fire(rows, threshold)).toEqual(new Set([...last].filter(([, t]) => f.scenario.end.getTime() - t > 3 * 3_600_000).map(([d]) => d)));
  });

  it('container above 95 %: fires for exactly the containers whose newest fill level is above 95 %', async () => {
    const { rows, threshold } = await runAlert('klimatpuls-container-full');
    const newest = new Map<string, { t: number; v: number }>();
    for (const t of truth()) if (t.metric === 'fill_level' && Date.parse(t.observedAt) >= f.scenario.end.getTime() - 6 * 3_600_000 && Date.parse(t.observedAt) >= (newest.get(t.deviceId)?.t ?? 0)) newest.set(t.deviceId, { t: Date.parse(t.observedAt), v: t.value });
    expect(rows.length).toBe(newest.size);
    expect(fire(rows, threshold)).toEqual(new Set([...newest].filter(([, x]) => x.v > 95).map(([d]) => d)));
  });

  it('peak power: fires for the building far below its use, not for the one far above', async () => {
    const { rows, threshold } = await runAlert('klimatpuls-peak-power');
    expect(rows.map((r) => r.site).sort()).toEqual(['building-0', 'building-1']);
    expect(fire(rows, threshold)).toEqual(new Set(['building-0']));
  });

  it('dead-letter rate and consumer lag: one value each, below their thresholds in the CI scenario', async () => {
    const dead = await runAlert('klimatpuls-dead-letter-rate');
    expect(dead.rows).toHaveLength(1);
    expect(dead.rows[0]!._value as number).toBeGreaterThan(0);
    expect(fire(dead.rows, dead.threshold).size).toBe(0);
    const lag = await runAlert('klimatpuls-consumer-lag');
    expect(fire(lag.rows, lag.threshold).size).toBe(0);
  });
});

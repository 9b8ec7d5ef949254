import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { startEmbeddedApp } from '../helpers/embeddedApp.js';
import { waitFor } from '../helpers/stack.js';

/**
 * `npm start` on an empty data dir (embedded broker, in-process bus, DuckDB): the demo
 * history is seeded (DEMO_HISTORY=on; the simulator is off so no live reading keeps a
 * month busy), the rollups settle, /readyz says when the indicators have settled, the
 * API lists stored values marked as demo data, the report has statuses, and `/` is the
 * landing page (no token). A second start on the same dir seeds nothing.
 */
it('npm start on an empty data dir: demo history, settled, indicators, report with statuses, landing page', async () => {
  const app = await startEmbeddedApp({ DEMO_HISTORY: 'on', LOG_LEVEL: 'info' });
  try {
    const marker = JSON.parse(readFileSync(join(app.dataDir, 'demo-history.json'), 'utf8'));
    // The baseline years the demo city's relative targets compute from readings (kalmar.json:
    // those with a `change` and no `baselineValue`), before last year.
    const targets = JSON.parse(readFileSync('services/indicators/targets/kalmar.json', 'utf8')) as { targets: Array<{ baselineYear: number; change?: number; baselineValue?: number }> };
    const lastYear = new Date().getUTCFullYear() - 1;
    const relative = targets.targets.filter((t) => t.change !== undefined && t.baselineValue === undefined);
    const years = [...new Set(relative.map((t) => t.baselineYear))].filter((y) => y < lastYear).sort((a, b) => a - b);
    expect(years).toEqual(expect.arrayContaining([1990, 2018]));
    expect(marker).toMatchObject({ tenant: 'kalmar', state: 'seeded', baselineYears: years });
    expect(marker.readings).toBeGreaterThan(400_000);
    const ready = await waitFor('indicators settled', async () => (await fetch(`http://127.0.0.1:${app.http}/readyz`)).json() as Promise<any>, (b) => b.indicators?.settled === true, 480_000);
    expect(ready.indicators).toMatchObject({ settled: true, demoHistory: 'seeded' });
    expect(await app.metrics()).toMatch(/klimatpuls_indicators_settled 1/);

    const api = (await (await app.operatorGet('/api/indicators?tenant=kalmar')).json()) as any;
    expect(api.count).toBeGreaterThan(0);
    expect(api.settled).toBe(true);
    expect(api.demo.note).toMatch(/demo data/);
    expect(api.values.every((v: any) => v.demo === true)).toBe(true);

    const report = (await (await app.operatorGet('/api/report?city=kalmar&lang=en', 300_000)).json()) as any;
    expect(report.demo.note).toMatch(/^Demo data/);
    const statuses = new Set(report.targets.flatMap((t: any) => t.history.map((h: any) => h.status)));
    expect([...statuses].filter((s) => s !== 'not_enough_data').length).toBeGreaterThan(0);
    const html = await (await app.operatorGet('/report?city=kalmar&lang=sv', 300_000)).text();
    expect(html).toContain('id="demo-data"');

    for (const lang of ['sv', 'en']) {
      const res = await fetch(`http://127.0.0.1:${app.http}/?lang=${lang}`); // open: no token
      expect(res.status).toBe(200);
      const page = await res.text();
      expect(page).toContain(`<html lang="${lang}">`);
      for (const href of ['/report?lang=', '/api/indicators', '/metrics', '/readyz']) expect(page).toContain(`href="${href}`);
      expect(page).toContain('id="onboarding"');
      expect(page).toContain('id="demo-data"');
    }
  } finally {
    expect(await app.stop()).toBe(0);
  }
  // A second start on the same (no longer empty) data dir touches nothing.
  const before = await app.query("SELECT count(*)::INTEGER AS n FROM readings WHERE format = 'demo'");
  expect(before[0]!.n).toBe(JSON.parse(readFileSync(join(app.dataDir, 'demo-history.json'), 'utf8')).readings);
  expect(existsSync(join(app.dataDir, 'demo-history.json'))).toBe(true);
}, 900_000);

it('DEMO_HISTORY: a bad value stops the start with the variable named', async () => {
  const { loadConfig } = await import('../../services/core/config.js');
  expect(() => loadConfig({ DEMO_HISTORY: 'maybe' })).toThrow(/DEMO_HISTORY: expected on or off .*got "maybe"/);
  expect(loadConfig({ DEMO_HISTORY: 'off' }).DEMO_HISTORY).toBe(false);
});

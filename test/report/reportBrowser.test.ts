/**
 * The quarterly report as a reader sees it: the Kalmar fixture rendered to a
 * file and opened in a real Chromium (Debian's /usr/bin/chromium, driven by
 * playwright-core). Checks what unit tests cannot: that every target's name
 * and status are actually visible, that every chart drew a line (or says
 * plainly that there is no data), that no chart text overlaps, and that the
 * page loads nothing from outside the file. Saves a full-page screenshot.
 *
 * This test FAILS, never skips, when Chromium or playwright-core is missing:
 * CI installs both, and a skipped browser test would pass silently.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kalmar2025Q3 } from '../../services/report/fixtures/kalmar-2025Q3.js';
import { financeLabels } from '../../services/report/financeLabels.js';
import { formatValue, labels } from '../../services/report/i18n.js';
import type { ReportData } from '../../services/report/reportData.js';
import { renderHtml } from '../../services/report/renderHtml.js';

const CHROMIUM = '/usr/bin/chromium';
// --user-data-dir is given as launchPersistentContext's first argument (Playwright
// refuses it in `args`): a fresh directory per run.
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** innerText with every kind of space (thin, no-break) as a plain space. */
const flatText = (x: string) => x.replace(/\s/g, ' ');

/**
 * The report of a year and more of imported history (services/import/history:
 * historyReport.test.ts's pipeline, `klimatpuls report --city kalmar --quarter 2025Q3
 * --lang sv --format json`): every target with a status, YTD, budget and forecast.
 */
const imported = JSON.parse(readFileSync(join(import.meta.dirname, '../../services/report/fixtures/kalmar-2025Q3-imported.json'), 'utf8')) as ReportData;

reportInChromium('kalmar 2025Q3, sv', kalmar2025Q3, 'hand');
reportInChromium('kalmar 2025Q3 from imported history, sv', imported, 'imported');

function reportInChromium(title: string, data: ReportData, kind: 'hand' | 'imported'): void {
const L = labels(data.lang);
const F = financeLabels(data.lang);

describe(`quarterly report in Chromium (${title})`, () => {
  let work = '';
  let context: BrowserContext | undefined;
  let page: Page;
  const requests: string[] = [];

  // Set-up problems (no Chromium, no playwright-core) are kept and thrown by
  // every test, so that each one is reported as FAILED with the reason — a
  // throwing beforeAll would show the tests as "skipped".
  let setupError: Error | undefined;
  const ready = () => {
    if (setupError) throw setupError;
  };

  beforeAll(async () => {
    try {
      if (!existsSync(CHROMIUM)) {
        throw new Error(`${CHROMIUM} is missing. The report's browser test needs Debian's chromium package (apt-get install -y chromium); it fails rather than skips so that CI cannot go green without it.`);
      }
      let pw: typeof import('playwright-core');
      try {
        pw = await import('playwright-core');
      } catch (err) {
        throw new Error("playwright-core is not installed: it is a devDependency of the report's browser test (npm install -D playwright-core).", { cause: err });
      }
      work = mkdtempSync(join(tmpdir(), 'kp-report-browser-'));
      const html = join(work, 'kalmar-2025Q3-sv.html');
      writeFileSync(html, renderHtml(data), 'utf8');
      context = await pw.chromium.launchPersistentContext(join(work, 'profile'), {
        executablePath: CHROMIUM,
        headless: true,
        args: ARGS,
        viewport: { width: 1100, height: 900 },
        locale: 'sv-SE',
      });
      context.on('request', (r) => requests.push(r.url()));
      page = context.pages()[0] ?? (await context.newPage());
      await page.goto(pathToFileURL(html).href, { waitUntil: 'load' });
    } catch (err) {
      setupError = err as Error;
    }
  }, 60_000);

  afterAll(async () => {
    await context?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('shows every target with its name and status text, in the summary and in its own section', async () => {
    ready();
    const rows = page.locator('table.summary tbody tr');
    expect(await rows.count()).toBe(data.targets.length);
    for (const [i, t] of data.targets.entries()) {
      const row = rows.nth(i);
      expect(await row.locator('th').innerText()).toBe(t.name);
      expect(await row.locator('.status-text').innerText()).toBe(L.status[t.status]);
      expect(await row.locator('.status-text').isVisible()).toBe(true);
      if (kind === 'imported') expect(t.status, t.id).not.toBe('not_enough_data');

      const section = page.locator(`section#target-${t.id}`);
      const heading = section.locator('h3');
      expect(await heading.isVisible()).toBe(true);
      expect(await heading.innerText()).toBe(t.name);
      const badge = section.locator('.target-head .badge');
      expect(await badge.isVisible()).toBe(true);
      expect(await badge.innerText()).toContain(L.status[t.status]);
      // Large enough to be read from a printout: at least 30 px tall.
      expect((await badge.boundingBox())!.height).toBeGreaterThanOrEqual(30);
    }
  });

  it('draws every chart: a line of at least two points, or the explicit no-data text', async () => {
    ready();
    const charts = await page.$$eval('svg.kp-chart', (svgs) =>
      svgs.map((svg) => ({
        target: svg.getAttribute('data-target'),
        width: svg.getBoundingClientRect().width,
        ds: [...svg.querySelectorAll('path[d]')].map((p) => p.getAttribute('d') ?? ''),
        text: svg.textContent ?? '',
      })),
    );
    expect(charts.map((c) => c.target)).toEqual(data.targets.map((t) => t.id));
    for (const c of charts) {
      expect(c.width, `${c.target}: chart width`).toBeGreaterThan(500);
      const points = Math.max(0, ...c.ds.map((d) => (d.match(/-?\d+(?:\.\d+)?,-?\d+(?:\.\d+)?/g) ?? []).length));
      const noData = c.text.includes(L.chart.noData);
      expect(points >= 2 || noData, `${c.target}: a path with ≥2 points or "${L.chart.noData}"`).toBe(true);
    }
    // The hand fixture's renewable target has no value at all: it must say so.
    if (kind === 'hand') expect(charts.find((c) => c.target === 'renewable-self-sufficiency-2035')!.text).toContain(L.chart.noData);
    // The imported history gives every chart its line.
    if (kind === 'imported') for (const c of charts) expect(c.text, c.target ?? undefined).not.toContain(L.chart.noData);
  });

  it('has no overlapping or clipped text inside the charts', async () => {
    ready();
    const overlaps = await page.$$eval('svg.kp-chart', (svgs) =>
      svgs.flatMap((svg) => {
        const frame = svg.getBoundingClientRect();
        const boxes = [...svg.querySelectorAll('text')].map((t) => ({ s: t.textContent ?? '', r: t.getBoundingClientRect() }));
        const out: string[] = [];
        for (const { s, r } of boxes) {
          if (r.left < frame.left - 0.5 || r.right > frame.right + 0.5 || r.top < frame.top - 0.5 || r.bottom > frame.bottom + 0.5) out.push(`${svg.getAttribute('data-target')}: "${s}" outside the chart`);
        }
        for (let i = 0; i < boxes.length; i++)
          for (let j = i + 1; j < boxes.length; j++) {
            const a = boxes[i]!.r;
            const b = boxes[j]!.r;
            if (a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5) out.push(`${svg.getAttribute('data-target')}: "${boxes[i]!.s}" × "${boxes[j]!.s}"`);
          }
        return out;
      }),
    );
    expect(overlaps).toEqual([]);
  });

  it('shows the measured effect of each measure: a visible row with avoided energy, uncertainty, fit and verdict, inside the page width', async () => {
    ready();
    const rows = page.locator('table.effects tbody tr');
    expect(await rows.count()).toBe(data.effects!.length);
    const main = (await page.locator('main').boundingBox())!;
    const table = (await page.locator('table.effects').boundingBox())!;
    expect(table.x + table.width).toBeLessThanOrEqual(main.x + main.width + 0.5);
    for (const [i, e] of data.effects!.entries()) {
      const cells = await rows.nth(i).locator('th, td').allInnerTexts();
      expect(cells).toHaveLength(7);
      expect(cells[0]).toContain(e.name);
      expect(cells[2]).toMatch(/\d\skWh/);
      expect(cells[3]).toContain('68 %');
      expect(cells[6]).toContain(e.passes ? 'Ja' : 'Nej');
      expect(await rows.nth(i).isVisible()).toBe(true);
    }
  });

  it('shows the outcome against budget: a visible row per target with YTD, deviation and forecast, inside the page width', async () => {
    ready();
    const main = (await page.locator('main').boundingBox())!;
    const table = (await page.locator('table.finance').boundingBox())!;
    expect(table.x + table.width).toBeLessThanOrEqual(main.x + main.width + 0.5);
    const rows = page.locator('table.finance tbody tr');
    expect(await rows.count()).toBe(data.targets.length);
    for (const [i, t] of data.targets.entries()) {
      const row = rows.nth(i);
      expect(await row.isVisible()).toBe(true);
      expect(await row.locator('th').innerText()).toContain(t.name);
      // The quarter's outcome with its budget (the trajectory), YTD with the YTD budget, the forecast with the year's budget.
      const quarter = flatText(await row.locator('td.quarter').innerText());
      if (t.finance.quarter.value !== undefined) expect(quarter, t.id).toContain(flatText(formatValue('sv', t.finance.quarter.value, t.unit)));
      if (t.finance.quarter.budget !== undefined) expect(quarter, t.id).toContain(flatText(`${F.columns.budget}: ${formatValue('sv', t.finance.quarter.budget, t.unit)}`));
      const ytd = flatText(await row.locator('td.ytd').innerText());
      if (t.finance.ytd.value !== undefined) expect(ytd, t.id).toContain(flatText(formatValue('sv', t.finance.ytd.value, t.unit)));
      if (t.finance.ytd.budget !== undefined) expect(ytd, t.id).toContain(flatText(`${F.columns.budget}: ${formatValue('sv', t.finance.ytd.budget, t.unit)}`));
      const forecast = await row.locator('td.forecast').innerText();
      if (kind === 'imported') expect(t.finance.forecast, `${t.id}: imported history has a forecast for every target`).toBeDefined();
      if (t.finance.yearBudget !== undefined) expect(flatText(forecast), t.id).toContain(flatText(`${F.columns.budget}: ${formatValue('sv', t.finance.yearBudget, t.unit)}`));
      const fc = t.finance.forecast;
      const flat = (x: string) => x.replace(/\s/g, ' ');
      if (fc) expect(flat(forecast), t.id).toContain(flat(`${formatValue('sv', fc.low, t.unit)} – ${formatValue('sv', fc.high, t.unit)}`));
      else expect(forecast, t.id).toContain('Otillräckliga data för prognos');
      if (t.finance.ytd.deviation !== undefined) expect(await row.locator('td.deviation').innerText(), t.id).toMatch(t.finance.ytd.favourable ? /bättre än budget/ : /sämre än budget/);
    }
  });

  it('draws the YTD-against-budget chart: a bar per target with data, ending at its share of the budget line', async () => {
    ready();
    const chart = await page.$eval('svg.kp-finance-chart', (svg) => {
      const frame = svg.getBoundingClientRect();
      const line = svg.querySelector('line.kf-budget')!.getBoundingClientRect();
      const rows = [...svg.querySelectorAll('g.kf-row')].map((g) => {
        const bar = g.querySelector('rect.kf-bar')?.getBoundingClientRect();
        return { target: g.getAttribute('data-target'), left: bar?.left, right: bar?.right, noData: Boolean(g.querySelector('.kf-nodata')) };
      });
      const texts = [...svg.querySelectorAll('text')].map((t) => ({ s: t.textContent ?? '', r: t.getBoundingClientRect() }));
      const problems: string[] = [];
      for (const { s, r } of texts) if (r.left < frame.left - 0.5 || r.right > frame.right + 0.5) problems.push(`"${s}" outside`);
      for (let i = 0; i < texts.length; i++)
        for (let j = i + 1; j < texts.length; j++) {
          const a = texts[i]!.r;
          const b = texts[j]!.r;
          if (a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5) problems.push(`"${texts[i]!.s}" × "${texts[j]!.s}"`);
        }
      return { width: frame.width, budgetX: line.left + line.width / 2, rows, problems };
    });
    expect(chart.width).toBeGreaterThan(500);
    expect(chart.problems).toEqual([]);
    expect(chart.rows.map((r) => r.target)).toEqual(data.targets.map((t) => t.id));
    for (const [i, t] of data.targets.entries()) {
      const r = chart.rows[i]!;
      const { value, budget } = t.finance.ytd;
      if (value === undefined || budget === undefined) {
        expect(r.noData, t.id).toBe(true);
        continue;
      }
      // Bar length ∝ YTD ÷ budget, the budget line at 100 % (the scale ends between 120 % and 200 %):
      // a bar up to 120 % ends at its share of the budget line's distance, a longer one past the line.
      const share = value / budget;
      if (share <= 1.2) expect(Math.abs(r.right! - (r.left! + (chart.budgetX - r.left!) * share)), t.id).toBeLessThan(2.5);
      else expect(r.right!, t.id).toBeGreaterThan(chart.budgetX);
    }
  });

  it('shows the carbon budget: emitted so far against allowed, the meter filled to that share', async () => {
    ready();
    const c = data.carbonBudget[0]!;
    const box = page.locator(`.carbon[data-target="${c.targetId}"]`);
    expect(await box.isVisible()).toBe(true);
    expect(await box.innerText()).toContain('återstår för resten av året');
    const meter = (await box.locator('.meter').boundingBox())!;
    const spent = (await box.locator('.meter .spent').boundingBox())!;
    expect(Math.abs(spent.width / (meter.width - 4) - c.spentShare!)).toBeLessThan(0.02);
  });

  it('shows what changed since last quarter: previous and current status per target', async () => {
    ready();
    const rows = page.locator('table.changes tbody tr');
    expect(await rows.count()).toBe(data.targets.length);
    for (const [i, t] of data.targets.entries()) {
      const badges = await rows.nth(i).locator('.status-text').allInnerTexts();
      expect(badges, t.id).toEqual([L.status[t.finance.sincePrevious.previousStatus!], L.status[t.status]]);
    }
  });

  it('loads nothing from outside the file', () => {
    ready();
    expect(requests.length).toBeGreaterThan(0);
    expect(requests.filter((u) => !u.startsWith('file:'))).toEqual([]);
  });

  it('saves a full-page screenshot', async () => {
    ready();
    const shot = join(tmpdir(), `kalmar-2025Q3-sv-${kind}.png`);
    await page.screenshot({ path: shot, fullPage: true });
    expect(existsSync(shot)).toBe(true);
    console.log(`report screenshot: ${shot}`);
  });
});
}

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { kalmarReport } from './fixtures/kalmar-2025Q3.js';
import { formatNumber, formatShare, formatValue, labels } from './i18n.js';
import { CSV_COLUMNS, EFFECT_CSV_COLUMNS, renderCsv, renderJson } from './renderCsv.js';
import { renderHtml } from './renderHtml.js';
import type { ReportData, ReportTarget } from './reportData.js';
import { niceTicks, renderChart } from './svgChart.js';
import { writeReport } from './writeReport.js';

const clone = (d: ReportData): ReportData => structuredClone(d);

/** RFC 4180 parser, just enough to read back what renderCsv wrote. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') row.push(field), (field = '');
    else if (c === '\r' && text[i + 1] === '\n') row.push(field), rows.push(row), (row = []), (field = ''), i++;
    else field += c;
  }
  if (field || row.length) row.push(field), rows.push(row);
  return rows;
}

/** Coordinate pairs of the result line's path. */
function valuePathPoints(svg: string): number {
  const d = /<path class="kp-value"[^>]* d="([^"]*)"/.exec(svg)?.[1];
  return d === undefined ? 0 : (d.match(/-?\d+(?:\.\d+)?,-?\d+(?:\.\d+)?/g) ?? []).length;
}

describe('status labels', () => {
  it('renders every status in Swedish', () => {
    const html = renderHtml(kalmarReport('sv'));
    expect(html).toContain('<html lang="sv">');
    for (const s of ['I fas', 'Efter', 'Ur fas', 'Otillräckliga data']) expect(html).toContain(`<span class="status-text">${s}</span>`);
  });

  it('renders every status in English', () => {
    const html = renderHtml(kalmarReport('en'));
    expect(html).toContain('<html lang="en">');
    for (const s of ['On track', 'Behind', 'Off track', 'Not enough data']) expect(html).toContain(`<span class="status-text">${s}</span>`);
    expect(html).not.toContain('I fas');
  });

  it("gives each target its own status, in the summary and in its section, with an icon besides the colour", () => {
    const data = kalmarReport('sv');
    const html = renderHtml(data);
    for (const t of data.targets) {
      const badge = `<span class="badge badge-${t.status}`;
      const section = html.slice(html.indexOf(`<section class="target" id="target-${t.id}"`));
      expect(section.slice(0, section.indexOf('</section>'))).toContain(badge);
      expect(section).toContain(`<span class="status-text">${labels('sv').status[t.status]}</span>`);
    }
    expect(html).toMatch(/<span class="icon" aria-hidden="true">✓<\/span><span class="status-text">I fas<\/span>/);
  });
});

describe('escaping', () => {
  it('escapes names, notes and units everywhere (HTML and SVG)', () => {
    const data = clone(kalmarReport('sv'));
    data.cityName = 'Kalmar & <Öland>';
    data.targets[0]!.name = 'Energi <script>alert("x")</script> & mer';
    data.targets[0]!.change = 'Mindre <b>fet</b> energi';
    data.targets[0]!.unit = 'kWh<sup>';
    data.quality.notes.push('<img src=x onerror=alert(1)>');
    data.indicators[0]!.name = 'Effekt "topp" <i>';
    const html = renderHtml(data);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toContain('<b>fet</b>');
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<sup>');
    expect(html).not.toContain('<i>');
    expect(html).toContain('Energi &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; mer');
    expect(html).toContain('Kalmar &amp; &lt;Öland&gt;');
    // The chart's accessible title too.
    const svg = renderChart(data.targets[0]!, 'sv');
    expect(svg).toContain('<title id="kp-energy-municipal-group-title">Energi &lt;script&gt;');
    expect(svg).not.toMatch(/<script/i);
  });

  it('loads nothing from outside: no scripts, no links, no external URLs', () => {
    const html = renderHtml(kalmarReport('sv'));
    expect(html).not.toMatch(/<script|<link|<img|<iframe|@import|url\(\s*['"]?https?:/i);
    // The only URL is the SVG namespace, which is never fetched.
    expect(html.match(/https?:\/\/[^\s"')]+/g)!.every((u) => u === 'http://www.w3.org/2000/svg')).toBe(true);
  });
});

describe('svg chart', () => {
  const data = kalmarReport('sv');

  it('draws the result path through exactly the sufficient values, hollow dots for the others', () => {
    for (const t of data.targets) {
      const svg = renderChart(t, 'sv');
      const sufficient = t.history.filter((p) => p.sufficient && p.value !== undefined).length;
      const poorWithValue = t.history.filter((p) => !p.sufficient && p.value !== undefined).length;
      expect(valuePathPoints(svg), t.id).toBe(sufficient);
      expect((svg.match(/kp-dot-insufficient/g) ?? []).length, t.id).toBe(poorWithValue);
      expect((svg.match(/class="kp-insufficient"/g) ?? []).length, t.id).toBe(sufficient ? t.history.length - sufficient : 0);
    }
  });

  it('fixture: eight quarters, one of them insufficient, for every target with data', () => {
    for (const t of data.targets.filter((x) => x.history.some((p) => p.value !== undefined))) {
      expect(t.history).toHaveLength(8);
      expect(t.history.filter((p) => !p.sufficient)).toHaveLength(1);
    }
  });

  it('breaks the line where a quarter lacks data (one path, a new M after the gap)', () => {
    const energy = data.targets.find((t) => t.id === 'energy-municipal-group')!;
    const d = /<path class="kp-value"[^>]* d="([^"]*)"/.exec(renderChart(energy, 'sv'))![1]!;
    expect(d.match(/M/g)).toHaveLength(2);
  });

  it('says "no data" instead of drawing an empty frame when there is no value at all', () => {
    const renewable = data.targets.find((t) => t.id === 'renewable-self-sufficiency-2035')!;
    const sv = renderChart(renewable, 'sv');
    expect(sv).toContain('>Inga data ännu</text>');
    expect(sv).not.toContain('kp-value');
    expect(renderChart(kalmarReport('en').targets.find((t) => t.id === renewable.id)!, 'en')).toContain('>No data yet</text>');
    const empty: ReportTarget = { ...renewable, history: [] };
    expect(renderChart(empty, 'sv')).toContain('Inga data ännu');
  });

  it('draws the trajectory dashed and the target as a labelled reference line', () => {
    const bike = data.targets.find((t) => t.id === 'sustainable-travel-2025')!;
    const svg = renderChart(bike, 'sv');
    expect(svg).toMatch(/<path class="kp-trajectory" d="M[^"]+"[^>]*stroke-dasharray/);
    expect(svg).toContain('class="kp-goal"');
    expect(svg).toContain('>Mål 2025</text>');
    expect(svg).toContain('role="img"');
    expect(svg).toMatch(/<desc id="[^"]+">Linjediagram: .*Otillräckliga data: kvartal 1 2025\.<\/desc>/);
  });

  it('labels quarters readably and uses locale numbers on the y axis', () => {
    const energy = data.targets.find((t) => t.id === 'energy-municipal-group')!;
    const sv = renderChart(energy, 'sv');
    expect(sv).toContain('>Kv 3</text>');
    expect(sv).toContain('>2024</text>');
    expect(sv).toContain('>10\u00a0000\u00a0000</text>');
    const en = renderChart(kalmarReport('en').targets[0]!, 'en');
    expect(en).toContain('>Q3</text>');
    expect(en).toContain('>10,000,000</text>');
  });

  it('copes with a flat series and a single quarter', () => {
    const t = data.targets[2]!;
    const flat: ReportTarget = { ...t, targetValue: undefined, history: [{ ...t.history[0]!, value: 40, trajectory: undefined, sufficient: true }] };
    const svg = renderChart(flat, 'en');
    expect(valuePathPoints(svg)).toBe(1);
    expect(svg).not.toContain('NaN');
  });

  it('nice ticks are round and cover the range', () => {
    expect(niceTicks(36, 60)).toEqual([30, 40, 50, 60]);
    expect(niceTicks(43.4, 53.8)).toEqual([40, 45, 50, 55]);
    expect(niceTicks(3_210_000, 14_410_000)).toEqual([0, 5_000_000, 10_000_000, 15_000_000]);
    expect(niceTicks(0.42, 0.47).every((v) => Number.isFinite(v))).toBe(true);
    expect(niceTicks(5, 5)[0]).toBeLessThan(5);
  });
});

describe('number formatting per language', () => {
  it('formats numbers, values and shares with sv-SE and en-GB conventions', () => {
    expect(formatNumber('sv', 3600.5, 1)).toBe('3\u00a0600,5');
    expect(formatNumber('en', 3600.5, 1)).toBe('3,600.5');
    expect(formatNumber('sv', 3600.5)).toBe('3\u00a0601');
    expect(formatNumber('en', 45.64)).toBe('45.6');
    expect(formatNumber('sv', -0.25)).toBe('\u22120,25');
    expect(formatValue('sv', 45.6, '%')).toBe('45,6\u00a0%');
    expect(formatValue('en', 45.6, '%')).toBe('45.6%');
    expect(formatValue('sv', 47, 'L/household/week')).toBe('47 l/hushåll/vecka');
    expect(formatValue('sv', 14, 'count')).toBe('14\u00a0st');
    expect(formatValue('en', 14, 'count')).toBe('14');
    expect(formatValue('sv', undefined, 'kWh')).toBe('–');
    expect(formatShare('sv', 0.9)).toBe('90\u00a0%');
    expect(formatShare('en', 0.9)).toBe('90%');
    expect(formatShare('sv', 0.0042)).toBe('0,4\u00a0%');
  });

  it('uses them in the page', () => {
    const sv = renderHtml(kalmarReport('sv'));
    const en = renderHtml(kalmarReport('en'));
    expect(sv).toContain('4\u00a0040\u00a0000');
    expect(en).toContain('4,040,000');
    expect(sv).toContain('45,6\u00a0%');
    expect(en).toContain('45.6%');
    expect(sv).toContain('6 oktober 2025 kl. 08:12');
    expect(en).toContain('6 October 2025 at 08:12');
  });
});

describe('data quality', () => {
  it('says plainly which figures rest on too little data', () => {
    const html = renderHtml(kalmarReport('sv'));
    expect(html).toContain('vilar på för lite data och ska inte läsas som fakta');
    expect(html).toMatch(/<li><strong>Självförsörjande på förnybar el 2035<\/strong>: inget värde/);
    expect(html).toMatch(/<li><strong>Gångflöde<\/strong>: 418\u00a0250 fotgängare \(datatäckning 71\u00a0%\)/);
    expect(html).toContain('371 av 412 (90\u00a0%)');
  });

  it('warns when too few devices reported, and when it is not known', () => {
    const low = clone(kalmarReport('en'));
    low.quality.deviceCoverage = 0.55;
    expect(renderHtml(low)).toContain('Only 55% of the devices reported in the quarter (the floor is 80%)');
    delete low.quality.deviceCoverage;
    expect(renderHtml(low)).toContain('It is not known what share of the devices reported.');
  });
});

describe('csv and json', () => {
  it('writes one row per target × history point with the agreed columns', () => {
    const data = kalmarReport('sv');
    const csv = renderCsv(data);
    expect(csv.endsWith('\r\n')).toBe(true);
    const rows = parseCsv(csv);
    expect(rows[0]).toEqual([...CSV_COLUMNS]);
    expect(rows).toHaveLength(1 + data.targets.reduce((n, t) => n + t.history.length, 0));
    expect(rows[1]).toEqual(['energy-municipal-group', data.targets[0]!.name, 'energy_weather_normalized', 'kWh', '2023Q4', '10690000', '10530000', 'behind', '0.94', 'true']);
    const renewable = rows.find((r) => r[0] === 'renewable-self-sufficiency-2035')!;
    expect(renewable.slice(5)).toEqual(['', '', 'not_enough_data', '0', 'false']);
  });

  it('quotes a name with a comma, a quote and a line break (RFC 4180)', () => {
    const data = clone(kalmarReport('en'));
    data.targets[0]!.name = 'Waste, "residual"\nand food';
    const csv = renderCsv(data);
    expect(csv).toContain(',"Waste, ""residual""\nand food",');
    const rows = parseCsv(csv);
    expect(rows[1]![1]).toBe('Waste, "residual"\nand food');
    expect(rows.every((r) => r.length === CSV_COLUMNS.length)).toBe(true);
  });

  it('renders the data as pretty JSON that reads back the same', () => {
    const data = kalmarReport('sv');
    const json = renderJson(data);
    expect(json).toContain('\n  "city": "kalmar",');
    expect(JSON.parse(json)).toEqual(data);
  });
});

describe('writeReport', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kp-report-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes <city>-<quarter>-<lang>.html|.csv|-finance.csv|-effects.csv|.json|.xlsx, creating the directory', async () => {
    const out = join(dir, 'a', 'b');
    const files = await writeReport(kalmarReport('en'), out);
    const base = join(out, 'kalmar-2025Q3-en');
    expect(files).toEqual({ html: `${base}.html`, csv: `${base}.csv`, financeCsv: `${base}-finance.csv`, effectsCsv: `${base}-effects.csv`, json: `${base}.json`, xlsx: `${base}.xlsx` });
    expect(readFileSync(files.html!, 'utf8')).toContain('<html lang="en">');
    expect(readFileSync(files.csv!, 'utf8').startsWith('target_id,')).toBe(true);
    expect(readFileSync(files.financeCsv!, 'utf8').startsWith('target_id,target,unit,aggregate,')).toBe(true);
    // The effects CSV: a row per measure with its avoided energy, uncertainty, fit and verdict.
    const effects = parseCsv(readFileSync(files.effectsCsv!, 'utf8'));
    expect(effects[0]).toEqual([...EFFECT_CSV_COLUMNS]);
    const data = kalmarReport('en');
    expect(effects.slice(1).map((r) => r[0])).toEqual(data.effects!.map((e) => e.id));
    const col = (k: (typeof EFFECT_CSV_COLUMNS)[number]) => EFFECT_CSV_COLUMNS.indexOf(k);
    for (const [i, e] of data.effects!.entries()) {
      const r = effects[i + 1]!;
      expect(Number(r[col('avoided_kwh')])).toBe(e.avoidedKwh);
      expect(Number(r[col('avoided_share')])).toBe(e.avoidedShare);
      expect(r[col('uncertainty68_kwh')]).toBe(e.uncertainty68Kwh === undefined ? '' : String(e.uncertainty68Kwh));
      expect(r[col('passes')]).toBe(String(e.passes));
      expect(r[col('failed')]).toBe(e.failed.join(' '));
    }
    expect(JSON.parse(readFileSync(files.json!, 'utf8')).quarter).toBe('2025Q3');
    // An xlsx file is a zip archive.
    expect(readFileSync(files.xlsx!).subarray(0, 2).toString('latin1')).toBe('PK');
  });

  it('writes only the formats asked for', async () => {
    const files = await writeReport(kalmarReport('sv'), join(dir, 'only'), ['xlsx']);
    expect(Object.keys(files)).toEqual(['xlsx']);
  });

  it('refuses a city or quarter that would not make a safe file name', async () => {
    await expect(writeReport({ ...kalmarReport('sv'), city: '../etc' }, dir)).rejects.toThrow(/city/);
    await expect(writeReport({ ...kalmarReport('sv'), quarter: '2025-Q3' }, dir)).rejects.toThrow(/quarter/);
  });
});

/**
 * The quarterly follow-up report as one self-contained HTML page: inline CSS,
 * inline SVG charts, no scripts, no external resources — it opens offline, can
 * be mailed as a file and prints on A4. Readers are council members and
 * operations staff: status first (badge with icon and text, never colour
 * alone), then each target with its chart, then how good the data was.
 * Every piece of text from the data is escaped.
 */
import { baselineText } from './baselineLabels.js';
import type { Status } from '../indicators/targets/targets.js';
import { DEFAULT_SETTINGS } from '../indicators/types.js';
import { esc } from './escape.js';
import { formatDateTime, formatNumber, formatShare, formatValue, labels, unitLabel, type Labels } from './i18n.js';
import { badge, hasValue, valueHtml } from './htmlParts.js';
import { FINANCE_CSS, renderFinance } from './renderFinance.js';
import type { Lang, ReportData, ReportPoint, ReportTarget } from './reportData.js';
import { CHART_COLORS, renderChart } from './svgChart.js';
import { EFFECTS_CSS, renderEffects } from './renderEffects.js';

const STATUSES: Status[] = ['on_track', 'behind', 'off_track', 'not_enough_data'];

const CSS = `
:root{--ink:#111827;--muted:#4b5563;--line:#d1d5db;--soft:#f3f4f6;--brand:${CHART_COLORS.value}}
*{box-sizing:border-box}
html{font-size:16px;-webkit-text-size-adjust:100%}
body{margin:0;background:#fff;color:var(--ink);font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",Arial,sans-serif;line-height:1.5}
main{max-width:1000px;margin:0 auto;padding:32px 32px 48px}
a{color:inherit}
h1{font-size:2.2rem;line-height:1.15;margin:.2rem 0 .6rem}
h2{font-size:1.55rem;line-height:1.25;margin:2.6rem 0 1rem;padding-bottom:.35rem;border-bottom:2px solid var(--ink)}
h3{font-size:1.3rem;line-height:1.3;margin:0}
h3.sub{font-size:1.1rem;margin:1.4rem 0 .4rem}
p{margin:.5rem 0}
.report-header{border-bottom:6px solid var(--brand);padding-bottom:1.1rem}
.eyebrow{margin:0;font-size:.95rem;font-weight:700;letter-spacing:.06em;text-transform:uppercase;color:var(--brand)}
.intro{font-size:1.1rem;max-width:46rem;margin:.3rem 0 .8rem}
.meta{display:flex;flex-wrap:wrap;gap:.2rem 2rem;margin:0;color:var(--muted)}
.meta div{display:flex;gap:.4rem}
.meta dt{font-weight:700}.meta dd{margin:0}
.badge{display:inline-flex;align-items:center;gap:.45em;padding:.3em .8em .3em .35em;border:2px solid;border-radius:999px;font-weight:700;font-size:1rem;line-height:1.2;white-space:nowrap;-webkit-print-color-adjust:exact;print-color-adjust:exact}
.badge .icon{display:inline-flex;align-items:center;justify-content:center;width:1.45em;height:1.45em;border-radius:50%;color:#fff;font-size:.9em;font-weight:800}
.badge-lg{font-size:1.2rem}
.badge-on_track{background:#e6f4ea;color:#14532d;border-color:#1b7a3a}.badge-on_track .icon{background:#1b7a3a}
.badge-behind{background:#fff3d6;color:#6b3a06;border-color:#b7791f}.badge-behind .icon{background:#b7791f}
.badge-off_track{background:#fde7e7;color:#7f1d1d;border-color:#b91c1c}.badge-off_track .icon{background:#b91c1c}
.badge-not_enough_data{background:#f3f4f6;color:#374151;border-color:#6b7280;border-style:dashed}.badge-not_enough_data .icon{background:#6b7280}
.glance{list-style:none;display:grid;grid-template-columns:repeat(4,minmax(0,1fr));gap:12px;padding:0;margin:1rem 0 1.4rem}
.glance li{border:1px solid var(--line);border-radius:10px;padding:.8rem .7rem;display:flex;flex-direction:column;align-items:flex-start;gap:.35rem}
.glance .badge{font-size:.95rem;white-space:normal}
.glance .count{font-size:2.2rem;font-weight:800;line-height:1}
.glance .count small{font-size:1rem;font-weight:600;color:var(--muted);margin-left:.3rem}
table{width:100%;border-collapse:collapse;font-variant-numeric:tabular-nums}
th,td{text-align:left;vertical-align:top;padding:.55rem .5rem;border-bottom:1px solid var(--line)}
th:first-child,td:first-child{padding-left:0}th:last-child,td:last-child{padding-right:0}
thead th{font-size:.9rem;font-weight:700;color:var(--muted);border-bottom:2px solid var(--ink);vertical-align:bottom}
td.num,th.num{text-align:right}
table.summary{font-size:.95rem}
tbody th{font-weight:600}
tbody th a{text-decoration:none}
tbody th a:hover{text-decoration:underline}
.n{white-space:nowrap}
.sub{display:block;font-size:.9rem;color:var(--muted)}
.see{font-style:italic;color:var(--muted);font-weight:600}
table .u{font-size:.85em;color:var(--muted)}
.poor{color:var(--muted)}
.flag{display:block;font-size:.85rem;font-weight:600;color:#374151;white-space:nowrap}
.flag::before{content:"? ";font-weight:800}
.howto{margin:1rem 0 0;display:grid;grid-template-columns:max-content 1fr;gap:.5rem 1rem;align-items:center;font-size:.95rem}
.howto dt{margin:0}.howto dd{margin:0;color:var(--muted)}
.target{border:1px solid var(--line);border-radius:12px;padding:1.2rem 1.4rem 1rem;margin:0 0 1.6rem}
.target-head{display:flex;justify-content:space-between;align-items:flex-start;gap:1rem}
.change{font-size:1.1rem;margin:.7rem 0 1rem}
.kpis{display:grid;grid-template-columns:repeat(4,minmax(0,1fr));gap:10px;margin:0 0 1rem;padding:0}
.kpis dd .u{font-size:.75em}
.kpis dd .see,.kpis dd .flag{font-size:.95rem}
.kpis div{background:var(--soft);border-radius:8px;padding:.55rem .8rem;-webkit-print-color-adjust:exact;print-color-adjust:exact}
.kpis dt{font-size:.85rem;color:var(--muted);font-weight:600}
.kpis dd{margin:0;font-size:1.35rem;line-height:1.25;font-weight:700;font-variant-numeric:tabular-nums}
.chart{margin:0}
.chart svg{display:block;width:100%;max-width:760px;height:auto;margin:0 auto}
.facts{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem;margin:1rem 0 0;font-size:.95rem;border-top:1px solid var(--line);padding-top:.7rem}
.facts dt{font-weight:700}.facts dd{margin:0}
.code{font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:.85em;color:var(--muted)}
.callout{border-left:6px solid #b7791f;background:#fff8e6;padding:.8rem 1rem;margin:1rem 0;font-weight:600;-webkit-print-color-adjust:exact;print-color-adjust:exact}
.callout.ok{border-left-color:#1b7a3a;background:#eef7f0;font-weight:400}
.callout ul{margin:.4rem 0 0;padding-left:1.2rem;font-weight:400}
.figures{display:grid;grid-template-columns:repeat(3,minmax(0,1fr));gap:12px;margin:1rem 0}
.figures div{border:1px solid var(--line);border-radius:10px;padding:.8rem 1rem}
.figures dt{font-weight:700}
.figures dd{margin:0}
.figures .big{display:block;font-size:1.6rem;font-weight:800;font-variant-numeric:tabular-nums}
.figures .help{display:block;font-size:.9rem;color:var(--muted)}
footer{margin-top:2.5rem;padding-top:.8rem;border-top:1px solid var(--line);color:var(--muted);font-size:.9rem}
@page{size:A4;margin:14mm 13mm 15mm}
@media print{
  html{font-size:10pt}
  main{max-width:none;padding:0}
  h2{margin-top:1.6rem;break-after:avoid}
  .target,.glance,.figures,.callout,figure,tr{break-inside:avoid}
  .target{padding:.8rem 1rem}
  .targets-section{break-before:page}
  .chart svg{max-width:170mm}
  tbody th a{border:0}
}
@media (max-width:700px){.glance,.kpis,.figures{grid-template-columns:repeat(2,1fr)}.target-head{flex-direction:column}}
`;

/** A point's value; when it rests on too little data (or there is none), greyed and flagged in words. */
function pointValue(lang: Lang, L: Labels, p: ReportPoint | undefined, unit: string): string {
  if (!p || !hasValue(p)) return `<span class="poor">${esc(L.missing)}</span><span class="flag">${esc(L.noData)}</span>`;
  const v = valueHtml(lang, L, p.value, unit);
  return p.sufficient ? v : `<span class="poor">${v}</span><span class="flag">${esc(L.tooLittleData)}</span>`;
}

/** The goal: its value (when the target has one in the unit) and year; otherwise the trajectory carries it. */
function goalHtml(lang: Lang, L: Labels, t: ReportTarget): string {
  const value = t.targetValue !== undefined ? valueHtml(lang, L, t.targetValue, t.unit) : `<span class="see">${esc(L.goalSeeTrajectory)}</span>`;
  return `${value}<span class="sub">${esc(L.goalYear(t.targetYear))}</span>`;
}

function goalText(lang: Lang, L: Labels, t: ReportTarget): string {
  return t.targetValue !== undefined ? L.goalIn(formatValue(lang, t.targetValue, t.unit), t.targetYear) : `${L.goalYear(t.targetYear)} (${L.goalSeeTrajectory})`;
}

function renderHeader(d: ReportData, L: Labels): string {
  return `<header class="report-header">
<p class="eyebrow">${esc(d.cityName)}</p>
<h1>${esc(L.reportFor(L.quarterLong(d.quarter)))}</h1>
<p class="intro">${esc(L.intro)}</p>
<dl class="meta"><div><dt>${esc(L.contract)}:</dt><dd>${esc(d.contract)}</dd></div><div><dt>${esc(L.generated)}:</dt><dd><time datetime="${esc(d.generatedAt)}">${esc(formatDateTime(d.lang, d.generatedAt))}</time></dd></div></dl>
</header>`;
}

function renderSummary(d: ReportData, L: Labels): string {
  const lang = d.lang;
  const glance = STATUSES.map((s) => {
    const n = d.targets.filter((t) => t.status === s).length;
    return `<li><span class="count">${n}<small>${esc(L.targetWord(n))}</small></span>${badge(L, s)}</li>`;
  }).join('');
  const rows = d.targets
    .map((t) => {
      const cur = t.current;
      const cov = cur ? `${esc(formatShare(lang, cur.coverage))}${cur.sufficient ? '' : `<span class="flag">${esc(L.tooLittleData)}</span>`}` : esc(L.missing);
      return `<tr><th scope="row"><a href="#target-${esc(t.id)}">${esc(t.name)}</a></th><td>${badge(L, t.status)}</td><td class="num">${pointValue(lang, L, cur, t.unit)}</td><td class="num">${valueHtml(lang, L, cur?.trajectory, t.unit)}</td><td class="num">${goalHtml(lang, L, t)}</td><td class="num">${cov}</td></tr>`;
    })
    .join('\n');
  const howto = STATUSES.map((s) => `<dt>${badge(L, s)}</dt><dd>${esc(L.statusMeaning[s])}</dd>`).join('');
  return `<section aria-labelledby="h-summary">
<h2 id="h-summary">${esc(L.headings.summary)}</h2>
<h3 class="sub">${esc(L.atAGlance)}</h3>
<ul class="glance">${glance}</ul>
<table class="summary">
<thead><tr><th scope="col">${esc(L.columns.target)}</th><th scope="col">${esc(L.columns.status)}</th><th scope="col" class="num">${esc(L.columns.current(L.quarterLong(d.quarter)))}</th><th scope="col" class="num">${esc(L.columns.trajectory)}</th><th scope="col" class="num">${esc(L.columns.goal)}</th><th scope="col" class="num">${esc(L.columns.coverage)}</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
<h3 class="sub">${esc(L.headings.howToRead)}</h3>
<dl class="howto">${howto}</dl>
</section>`;
}

function renderTarget(d: ReportData, L: Labels, t: ReportTarget): string {
  const lang = d.lang;
  const cur = t.current;
  const prev = t.previous;
  const kpi = (label: string, html: string) => `<div><dt>${esc(label)}</dt><dd>${html}</dd></div>`;
  const baseline = baselineText(lang, t, (v) => formatValue(lang, v, t.unit));
  return `<section class="target" id="target-${esc(t.id)}" aria-labelledby="h-target-${esc(t.id)}">
<div class="target-head"><h3 id="h-target-${esc(t.id)}">${esc(t.name)}</h3>${badge(L, t.status, true)}</div>
<p class="change">${esc(t.change)}</p>
<dl class="kpis">${kpi(L.columns.current(L.quarterLong(d.quarter)), pointValue(lang, L, cur, t.unit))}${kpi(L.columns.trajectory, valueHtml(lang, L, cur?.trajectory, t.unit))}${kpi(L.chart.goal(t.targetYear), t.targetValue !== undefined ? valueHtml(lang, L, t.targetValue, t.unit) : `<span class="see">${esc(L.goalSeeTrajectory)}</span>`)}${kpi(L.columns.coverage, esc(formatShare(lang, cur?.coverage)))}</dl>
<figure class="chart">${renderChart(t, lang)}</figure>
<dl class="facts">
<dt>${esc(L.facts.indicator)}</dt><dd>${esc(t.indicatorName)}${unitLabel(lang, t.unit) ? ` (${esc(unitLabel(lang, t.unit))})` : ''} <span class="code">${esc(t.indicator)}</span></dd>
<dt>${esc(L.facts.previous)}</dt><dd>${prev ? `${esc(L.quarterLong(prev.period))}: ${hasValue(prev) ? `${esc(formatValue(lang, prev.value, t.unit))}${prev.sufficient ? '' : ` (${esc(L.tooLittleData)})`}` : `${esc(L.missing)} (${esc(L.noData)})`}` : esc(L.missing)}</dd>
<dt>${esc(L.facts.baseline)}</dt><dd>${esc(baseline)}</dd>
<dt>${esc(L.facts.goal)}</dt><dd>${esc(goalText(lang, L, t))}</dd>
<dt>${esc(L.facts.source)}</dt><dd>${esc(t.source)}</dd>
</dl>
</section>`;
}

function renderQuality(d: ReportData, L: Labels): string {
  const lang = d.lang;
  const q = d.quality;
  const Q = L.quality;
  const floor = DEFAULT_SETTINGS.minCoverage;
  const warnings: string[] = [];
  if (q.deviceCoverage === undefined) warnings.push(Q.unknownDeviceCoverage);
  else if (q.deviceCoverage < floor) warnings.push(Q.lowDeviceCoverage(formatShare(lang, q.deviceCoverage), formatShare(lang, floor)));
  const poor = [
    ...d.targets.filter((t) => !t.current || !t.current.sufficient || !hasValue(t.current)).map((t) => ({ name: t.name, unit: t.unit, value: t.current?.value, coverage: t.current?.coverage })),
    ...d.indicators.filter((i) => !i.sufficient || i.value === undefined).map((i) => ({ name: i.name, unit: i.unit, value: i.value, coverage: i.coverage as number | undefined })),
  ];
  const earlier = d.targets.some((t) => t.history.slice(0, -1).some((p) => !p.sufficient && hasValue(p)));
  const poorList = poor
    .map((p) => `<li><strong>${esc(p.name)}</strong>: ${esc(p.value === undefined ? Q.noValue : formatValue(lang, p.value, p.unit))} (${esc(Q.coverageOf(formatShare(lang, p.coverage)))})</li>`)
    .join('');
  const devices =
    q.deviceCoverage === undefined
      ? Q.devicesUnknown(formatNumber(lang, q.devicesReporting, 0), formatNumber(lang, q.devicesRegistered, 0))
      : Q.devicesValue(formatNumber(lang, q.devicesReporting, 0), formatNumber(lang, q.devicesRegistered, 0), formatShare(lang, q.deviceCoverage));
  const fig = (label: string, big: string, help?: string) => `<div><dt>${esc(label)}</dt><dd><span class="big">${esc(big)}</span>${help ? `<span class="help">${esc(help)}</span>` : ''}</dd></div>`;
  return `<section class="quality" aria-labelledby="h-quality">
<h2 id="h-quality">${esc(L.headings.quality)}</h2>
${warnings.map((w) => `<p class="callout">${esc(w)}</p>`).join('\n')}
${poor.length ? `<div class="callout" role="note">${esc(Q.restsOnTooLittle)}<ul>${poorList}</ul></div>` : `<p class="callout ok">${esc(Q.allSufficient)}</p>`}
${earlier ? `<p>${esc(Q.earlierQuarters)}</p>` : ''}
<dl class="figures">${fig(Q.devices, devices)}${fig(Q.deadLetter, formatShare(lang, q.deadLetterShare), Q.deadLetterHelp)}${fig(Q.gaps, q.gaps === undefined ? Q.unknown : formatNumber(lang, q.gaps, 0), Q.gapsHelp)}</dl>
${q.notes.length ? `<h3 class="sub">${esc(Q.notes)}</h3><ul class="notes">${q.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>` : ''}
</section>`;
}

function renderIndicators(d: ReportData, L: Labels): string {
  const lang = d.lang;
  const body = d.indicators.length
    ? `<table class="indicators"><thead><tr><th scope="col">${esc(L.columns.indicator)}</th><th scope="col" class="num">${esc(L.columns.value)}</th><th scope="col" class="num">${esc(L.columns.coverage)}</th></tr></thead><tbody>
${d.indicators
  .map((i) => {
    const v = valueHtml(lang, L, i.value, i.unit);
    const value = i.sufficient && i.value !== undefined ? v : `<span class="poor">${v}</span><span class="flag">${esc(i.value === undefined ? L.noData : L.tooLittleData)}</span>`;
    return `<tr><th scope="row">${esc(i.name)}</th><td class="num">${value}</td><td class="num">${esc(formatShare(lang, i.coverage))}</td></tr>`;
  })
  .join('\n')}
</tbody></table>`
    : `<p>${esc(L.noOtherIndicators)}</p>`;
  return `<section aria-labelledby="h-indicators">
<h2 id="h-indicators">${esc(L.headings.indicators)}</h2>
${body}
</section>`;
}

/** The whole report as one HTML document. */
export function renderHtml(data: ReportData): string {
  const L = labels(data.lang);
  const title = `${data.cityName} – ${L.reportFor(L.quarterLong(data.quarter))}`;
  return `<!doctype html>
<html lang="${esc(data.lang)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>${CSS}${FINANCE_CSS}${data.effects ? EFFECTS_CSS : ''}${data.demo ? '.demo-data{background:#fff6d6;border-left:4px solid #d4a300;padding:.5rem .8rem}' : ''}</style>
</head>
<body>
<main>
${renderHeader(data, L)}
${data.demo ? `<p class="demo-data" id="demo-data" role="note">${esc(data.demo.note)}</p>` : ''}
${renderSummary(data, L)}
${renderFinance(data)}
<section class="targets-section" aria-labelledby="h-targets">
<h2 id="h-targets">${esc(L.headings.targets)}</h2>
${data.targets.map((t) => renderTarget(data, L, t)).join('\n')}
</section>
${renderEffects(data)}
${renderQuality(data, L)}
${renderIndicators(data, L)}
<footer><p>${esc(L.footer)}</p></footer>
</main>
</body>
</html>
`;
}

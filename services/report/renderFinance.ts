/**
 * The report's finance sections as HTML: outcome against budget (quarter, year
 * to date, the year's budget, deviation, full-year forecast with interval), the
 * YTD-against-budget chart, the carbon budget, and what changed since last
 * quarter. Text from data is escaped; words come from financeLabels.ts.
 */
import { esc } from './escape.js';
import { renderFinanceChart } from './financeChart.js';
import { financeLabels, type FinanceLabels } from './financeLabels.js';
import type { Comparison } from './finance.js';
import { badge, valueHtml } from './htmlParts.js';
import { formatShare, formatValue, labels, type Labels } from './i18n.js';
import type { Lang, ReportData, ReportTarget } from './reportData.js';

export const FINANCE_CSS = `
table.finance{font-size:.88rem}
table.finance th[scope=row]{width:24%}
table.finance td .sub{font-size:.82rem}
.fav{font-weight:700;color:#14532d}.unfav{font-weight:700;color:#7f1d1d}
.fav::before{content:"▲ ";font-size:.8em}.unfav::before{content:"▼ ";font-size:.8em}
.finance-chart svg{display:block;width:100%;max-width:760px;height:auto;margin:1rem auto}
.carbon{border:1px solid var(--line);border-radius:12px;padding:1rem 1.2rem;margin:0 0 1rem}
.carbon .meter{display:flex;height:28px;border:2px solid var(--ink);border-radius:6px;overflow:hidden;margin:.6rem 0;-webkit-print-color-adjust:exact;print-color-adjust:exact}
.carbon .spent{background:#1d4f91}.carbon .left{background:repeating-linear-gradient(45deg,#e5e7eb 0 6px,#fff 6px 12px)}
.carbon .over{background:#b91c1c}
.no-forecast{display:block;font-size:.85rem;text-align:left;min-width:9rem}
table.finance .flag{white-space:normal}
.changes th[scope=row]{width:48%}.changes .what{display:block;font-weight:400;margin-top:.2rem}
.method{font-size:.92rem;color:var(--muted);max-width:52rem}
@media print{.carbon,.finance-chart,table.finance tr,table.changes tr{break-inside:avoid}.finance-section{break-before:page}}
`;

const signed = (s: string, v: number | undefined) => (v !== undefined && v > 0 ? `+${s}` : s);

function deviationHtml(lang: Lang, L: Labels, F: FinanceLabels, c: Comparison, unit: string): string {
  if (c.deviation === undefined) return esc(L.missing);
  const verdict = c.favourable ? `<span class="sub fav">${esc(F.favourable)}</span>` : `<span class="sub unfav">${esc(F.unfavourable)}</span>`;
  return `<span class="n">${esc(signed(formatValue(lang, c.deviation, unit), c.deviation))}</span><span class="sub">${esc(signed(formatShare(lang, c.deviationShare), c.deviationShare))}</span>${verdict}`;
}

function forecastHtml(lang: Lang, L: Labels, F: FinanceLabels, t: ReportTarget): string {
  const f = t.finance.forecast;
  if (!f) return `<span class="poor no-forecast">${esc(F.noForecast[t.finance.noForecast ?? 'no_comparable_quarter'])}</span>`;
  const interval = `${formatValue(lang, f.low, t.unit)} – ${formatValue(lang, f.high, t.unit)}`;
  const est = f.estimatedQuarters.length ? `<span class="sub">${esc(F.estimated(f.estimatedQuarters.map((q) => L.quarterLong(q)).join(', ')))}</span>` : '';
  return `${valueHtml(lang, L, f.value, t.unit)}<span class="sub">${esc(interval)}</span>${est}`;
}

function renderOutcome(d: ReportData, L: Labels, F: FinanceLabels): string {
  const lang = d.lang;
  const C = F.columns;
  const rows = d.targets.map((t) => {
    const f = t.finance;
    const ytd = f.ytd.value === undefined ? esc(L.missing) : `${valueHtml(lang, L, f.ytd.value, t.unit)}${f.ytd.sufficient ? '' : `<span class="flag">${esc(F.ytdPoor)}</span>`}`;
    const fc = f.forecast;
    const fcDev = fc ? deviationHtml(lang, L, F, { ...fc, sufficient: true, ...(f.yearBudget !== undefined ? { budget: f.yearBudget } : {}) }, t.unit) : esc(L.missing);
    const budget = (v: number | undefined) => `<span class="sub">${esc(C.budget)}: ${esc(formatValue(lang, v, t.unit))}</span>`;
    return `<tr data-target="${esc(t.id)}"><th scope="row">${esc(t.name)}<span class="sub">${esc(F.aggregate[f.aggregate])}</span></th><td class="num quarter">${valueHtml(lang, L, f.quarter.value, t.unit)}${f.quarter.value !== undefined && !f.quarter.sufficient ? `<span class="flag">${esc(L.tooLittleData)}</span>` : ''}${budget(f.quarter.budget)}</td><td class="num ytd">${ytd}${budget(f.ytd.budget)}</td><td class="num deviation">${deviationHtml(lang, L, F, f.ytd, t.unit)}</td><td class="num forecast">${forecastHtml(lang, L, F, t)}${budget(f.yearBudget)}</td><td class="num">${fcDev}</td></tr>`;
  });
  const head = [C.target, C.quarter, C.ytd, C.ytdDeviation, C.forecast, C.forecastDeviation].map((h, i) => `<th scope="col"${i ? ' class="num"' : ''}>${esc(h)}</th>`).join('');
  return `<table class="finance"><thead><tr>${head}</tr></thead><tbody>
${rows.join('\n')}
</tbody></table>`;
}

function renderCarbon(d: ReportData, F: FinanceLabels): string {
  const lang = d.lang;
  const L = labels(lang);
  const body = d.carbonBudget.length
    ? d.carbonBudget
        .map((c) => {
          const v = (x: number | undefined) => formatValue(lang, x, c.unit);
          const sentence = c.allowed !== undefined && c.spentYtd !== undefined ? F.carbonSentence({ spent: v(c.spentYtd), allowed: v(c.allowed), share: formatShare(lang, c.spentShare), remaining: v(c.remaining), year: c.year }) : L.status.not_enough_data;
          const spent = Math.max(0, Math.min(1, c.spentShare ?? 0));
          const meter = c.spentShare !== undefined ? `<div class="meter" role="img" aria-label="${esc(sentence)}"><div class="${c.spentShare > 1 ? 'over' : 'spent'}" style="width:${(spent * 100).toFixed(1)}%"></div><div class="left" style="width:${((1 - spent) * 100).toFixed(1)}%"></div></div>` : '';
          const fc = c.forecast && c.forecast.remaining !== undefined ? `<p>${esc(F.carbonForecast({ forecast: `${v(c.forecast.value)} (${v(c.forecast.low)} – ${v(c.forecast.high)})`, remaining: v(Math.abs(c.forecast.remaining)), over: c.forecast.remaining < 0 }))}</p>` : `<p>${esc(F.noForecast.no_comparable_quarter)}</p>`;
          const C = F.columns;
          const cells = [
            [C.allowed, v(c.allowed)],
            [C.allowedYtd, v(c.allowedYtd)],
            [C.spent, v(c.spentYtd) + (c.sufficient ? '' : ` (${F.ytdPoor})`)],
            [C.remaining, v(c.remaining)],
          ];
          return `<div class="carbon" data-target="${esc(c.targetId)}"><h3>${esc(c.name)}</h3><p>${esc(sentence)}</p>${meter}<dl class="kpis">${cells.map(([k, x]) => `<div><dt>${esc(k!)}</dt><dd>${esc(x!)}</dd></div>`).join('')}</dl>${fc}</div>`;
        })
        .join('\n')
    : `<p>${esc(F.carbonNone)}</p>`;
  return `<section class="carbon-section" aria-labelledby="h-carbon">
<h2 id="h-carbon">${esc(F.headings.carbon)}</h2>
<p>${esc(F.carbonIntro)}</p>
${body}
</section>`;
}

function renderChanges(d: ReportData, L: Labels, F: FinanceLabels): string {
  const lang = d.lang;
  const C = F.columns;
  const rows = d.targets.map((t) => {
    const s = t.finance.sincePrevious;
    const change = s.valueChange === undefined ? esc(L.missing) : `<span class="n">${esc(signed(formatValue(lang, s.valueChange, t.unit), s.valueChange))}</span><span class="sub">${esc(signed(formatShare(lang, s.valueChangeShare), s.valueChangeShare))}</span>`;
    return `<tr data-target="${esc(t.id)}"><th scope="row">${esc(t.name)}<span class="what">${esc(t.change)}</span></th><td>${s.previousStatus ? badge(L, s.previousStatus) : esc(L.missing)}</td><td>${badge(L, s.status)}<span class="sub">${esc(s.statusChanged ? F.statusChanged : F.statusSame)}</span></td><td class="num">${change}</td></tr>`;
  });
  const head = [C.target, C.previousStatus, C.status, C.valueChange].map((h, i) => `<th scope="col"${i === 3 ? ' class="num"' : ''}>${esc(h)}</th>`).join('');
  return `<section aria-labelledby="h-changes">
<h2 id="h-changes">${esc(F.headings.changes)}</h2>
<table class="changes"><thead><tr>${head}</tr></thead><tbody>
${rows.join('\n')}
</tbody></table>
</section>`;
}

/** Outcome against budget (with its chart and method), carbon budget, changes since last quarter. */
export function renderFinance(d: ReportData): string {
  const L = labels(d.lang);
  const F = financeLabels(d.lang);
  return `<section class="finance-section" aria-labelledby="h-finance">
<h2 id="h-finance">${esc(F.headings.finance)}</h2>
<p>${esc(F.intro)}</p>
${renderOutcome(d, L, F)}
<h3 class="sub">${esc(F.headings.chart)}</h3>
<figure class="finance-chart">${renderFinanceChart(d.targets, d.lang)}</figure>
<h3 class="sub">${esc(F.headings.method)}</h3>
<p class="method">${esc(F.method)}</p>
</section>
${renderCarbon(d, F)}
${renderChanges(d, L, F)}`;
}

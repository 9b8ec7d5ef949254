/**
 * "Year to date against budget" as one SVG bar chart for all targets: each
 * target's year to date as a percentage of its year-to-date budget, so that
 * targets in different units share one scale. The budget is the dashed line at
 * 100 %. Each bar is labelled with its percentage and, in words, whether that is
 * better or worse than budget (which side is good depends on the target), so
 * colour is never the only carrier. A year to date that rests partly on too
 * little data is drawn hollow and marked "?" (explained in the legend).
 * Like svgChart.ts: a pure function, nothing loaded at view time.
 */
import { esc } from './escape.js';
import { formatShare, labels } from './i18n.js';
import { financeLabels } from './financeLabels.js';
import type { Lang, ReportTarget } from './reportData.js';

const W = 720;
const ROW = 56;
const TOP = 34;
const LEFT = 8;
const LABEL = 250;
const FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', Arial, sans-serif";
const COLOR = { good: '#1b7a3a', bad: '#b91c1c', line: '#111827', text: '#1f2937', muted: '#4b5563', grid: '#e5e7eb' };

/** The YTD as a share of the YTD budget (1 = on budget), when both exist. */
export function ytdShareOfBudget(t: ReportTarget): number | undefined {
  const { value, budget } = t.finance.ytd;
  return value === undefined || budget === undefined || budget === 0 ? undefined : value / budget;
}

const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

export function renderFinanceChart(targets: ReportTarget[], lang: Lang): string {
  const L = labels(lang);
  const F = financeLabels(lang);
  const shares = targets.map(ytdShareOfBudget);
  const max = Math.min(2, Math.max(1.2, ...shares.filter((s): s is number => s !== undefined)));
  const plot = W - LEFT - LABEL;
  const x = (share: number) => LEFT + (Math.min(share, max) / max) * plot;
  const legendY = TOP + targets.length * ROW + 14;
  const H = legendY + 26;
  const rows = targets.map((t, i) => {
    const y = TOP + i * ROW;
    const s = shares[i];
    const name = `<text x="${LEFT}" y="${y + 15}" class="kf-name" font-size="14" font-weight="600" fill="${COLOR.text}">${esc(clip(t.name, 78))}<title>${esc(t.name)}</title></text>`;
    if (s === undefined) return `<g class="kf-row" data-target="${esc(t.id)}">${name}<text x="${LEFT}" y="${y + 38}" font-size="13" fill="${COLOR.muted}" class="kf-nodata">${esc(L.status.not_enough_data)}</text></g>`;
    const ok = t.finance.ytd.favourable ?? false;
    const poor = !t.finance.ytd.sufficient;
    const color = ok ? COLOR.good : COLOR.bad;
    const end = x(s);
    const bar = poor
      ? `<rect class="kf-bar kf-bar-poor" x="${LEFT}" y="${y + 23}" width="${(end - LEFT).toFixed(1)}" height="18" fill="#fff" stroke="${color}" stroke-width="2" stroke-dasharray="5 3"/>`
      : `<rect class="kf-bar" x="${LEFT}" y="${y + 23}" width="${(end - LEFT).toFixed(1)}" height="18" fill="${color}"/>`;
    const label = `${formatShare(lang, s)} · ${ok ? F.favourable : F.unfavourable}${poor ? ' ?' : ''}`;
    return `<g class="kf-row" data-target="${esc(t.id)}">${name}${bar}<text x="${(Math.max(end, x(1)) + 8).toFixed(1)}" y="${y + 37}" font-size="13" fill="${COLOR.text}" class="kf-label">${esc(label)}</text></g>`;
  });
  const budgetX = x(1).toFixed(1);
  return `<svg class="kp-finance-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-labelledby="kf-title kf-desc" font-family="${FONT}">
<title id="kf-title">${esc(F.headings.chart)}</title>
<desc id="kf-desc">${esc(F.chartDesc)}</desc>
${targets.map((_, i) => `<line class="kf-budget" x1="${budgetX}" x2="${budgetX}" y1="${TOP + i * ROW + 19}" y2="${TOP + i * ROW + 45}" stroke="${COLOR.line}" stroke-width="2" stroke-dasharray="4 3"/>`).join('')}
<text x="${budgetX}" y="${TOP - 14}" font-size="13" text-anchor="middle" fill="${COLOR.text}" font-weight="700">${esc(F.chartBudgetLine)}</text>
${rows.join('\n')}
<text x="${LEFT}" y="${legendY + 12}" font-size="12.5" fill="${COLOR.muted}">${esc(`? = ${F.ytdPoor}`)}</text>
</svg>`;
}

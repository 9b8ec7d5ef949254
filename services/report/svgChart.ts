/**
 * The report's line chart, hand-rolled as an SVG string.
 *
 * Why no chart library: the report is one self-contained HTML file that must
 * open offline, be mailed to a council member and print the same anywhere. A
 * chart library means either a browser runtime (JS in the page, which the
 * report does not want) or a server-side DOM to render it; both are large
 * dependencies for what is a few lines, dots, ticks and a legend. This file is
 * that, as a pure function of the data, with nothing to load at view time.
 *
 * Reading the chart (also for grey-scale print, where colour is gone):
 *  - result: solid thick dark line with filled dots, broken where a quarter has
 *    too little data; such a quarter gets a hatched column and, when it has a
 *    value at all, a hollow grey dot — "not enough data" is shown, never hidden;
 *  - trajectory: dashed line; target: dotted horizontal line, labelled with its
 *    year and value in the right margin; a legend lists what is drawn.
 */
import { esc } from './escape.js';
import { formatNumber, formatValue, labels, unitLabel } from './i18n.js';
import type { Lang, ReportPoint, ReportTarget } from './reportData.js';

const W = 720;
const H = 340;
const M = { right: 112, bottom: 52 };
/** Rough width of a character at 14 px (for layout without a DOM; errs wide). */
const CH = 8.4;
const LEGEND_ROW = 24;
const FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', Arial, sans-serif";
export const CHART_COLORS = { value: '#1d4f91', trajectory: '#b45309', goal: '#111827', insufficient: '#6b7280', grid: '#e5e7eb', axis: '#4b5563', text: '#1f2937' };

/** 1, 2 or 5 × 10^n, the first at or above `raw`. */
function niceStep(raw: number): number {
  const e = Math.floor(Math.log10(raw));
  const f = raw / 10 ** e;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * 10 ** e;
}

/** Round tick values covering [min, max], about `count` of them. */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!(max > min)) {
    const pad = Math.abs(min) * 0.1 || 1;
    min -= pad;
    max += pad;
  }
  const step = niceStep((max - min) / Math.max(1, count - 1));
  const lo = Math.floor(min / step + 1e-9);
  const hi = Math.ceil(max / step - 1e-9);
  const ticks: number[] = [];
  for (let i = lo; i <= hi; i++) ticks.push(Number((i * step).toPrecision(12)));
  return ticks;
}

const r1 = (v: number): string => String(Math.round(v * 10) / 10);
const hasValue = (p: ReportPoint): p is ReportPoint & { value: number } => p.value !== undefined && Number.isFinite(p.value);

/** The chart of one target's history, as an SVG string (all text escaped). */
export function renderChart(target: ReportTarget, lang: Lang): string {
  const L = labels(lang);
  const pts = target.history;
  const id = `kp-${target.id.replace(/[^A-Za-z0-9_-]/g, '_')}`;
  const unit = unitLabel(lang, target.unit);
  const first = pts[0] ? L.quarterLong(pts[0].period) : '';
  const lastP = pts[pts.length - 1];
  const last = lastP ? L.quarterLong(lastP.period) : '';
  const fmt = (v: number | undefined) => (v === undefined ? undefined : formatValue(lang, v, target.unit));
  const desc = L.chart.desc({
    indicator: target.indicatorName,
    unit,
    from: first,
    to: last,
    last: lastP && hasValue(lastP) ? fmt(lastP.value) : undefined,
    lastPeriod: last,
    trajectory: fmt(lastP?.trajectory),
    goal: fmt(target.targetValue),
    goalYear: target.targetYear,
    insufficient: pts.filter((p) => !p.sufficient || !hasValue(p)).map((p) => L.quarterLong(p.period)),
  });
  const open = (h: number) =>
    `<svg xmlns="http://www.w3.org/2000/svg" class="kp-chart" data-target="${esc(target.id)}" viewBox="0 0 ${W} ${h}" width="${W}" height="${h}" role="img" aria-labelledby="${id}-title ${id}-desc" font-family="${FONT}" fill="${CHART_COLORS.text}">` +
    `<title id="${id}-title">${esc(target.name)}</title><desc id="${id}-desc">${esc(desc)}</desc>` +
    `<defs><pattern id="${id}-hatch" width="9" height="9" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="9" height="9" fill="#f3f4f6"/><line x1="0" y1="0" x2="0" y2="9" stroke="#d1d5db" stroke-width="4"/></pattern></defs>`;

  // No value at all: say so, rather than drawing an empty frame.
  if (!pts.some(hasValue)) {
    const h = 170;
    const range = first && last ? (first === last ? first : `${first} – ${last}`) : '';
    return (
      open(h) +
      `<rect x="1" y="1" width="${W - 2}" height="${h - 2}" rx="6" fill="url(#${id}-hatch)" stroke="${CHART_COLORS.insufficient}" stroke-dasharray="6 4"/>` +
      `<rect x="${W / 2 - 230}" y="${h / 2 - 46}" width="460" height="92" rx="6" fill="#ffffff" stroke="${CHART_COLORS.grid}"/>` +
      `<text class="kp-nodata" x="${W / 2}" y="${h / 2 - 12}" text-anchor="middle" font-size="24" font-weight="700">${esc(L.chart.noData)}</text>` +
      `<text x="${W / 2}" y="${h / 2 + 14}" text-anchor="middle" font-size="15">${esc(L.chart.noDataDetail)}</text>` +
      (range ? `<text x="${W / 2}" y="${h / 2 + 34}" text-anchor="middle" font-size="14" fill="${CHART_COLORS.axis}">${esc(range)}</text>` : '') +
      `</svg>`
    );
  }

  // Legend first: it decides how much room the top needs.
  const anyInsufficient = pts.some((p) => !p.sufficient || !hasValue(p));
  const anyTrajectory = pts.some((p) => p.trajectory !== undefined);
  const hasGoal = target.targetValue !== undefined && Number.isFinite(target.targetValue);
  const sw = (kind: 'value' | 'insufficient' | 'trajectory' | 'goal', x: number, y: number): string => {
    switch (kind) {
      case 'value':
        return `<line x1="${x}" y1="${y}" x2="${x + 30}" y2="${y}" stroke="${CHART_COLORS.value}" stroke-width="3.5"/><circle cx="${x + 15}" cy="${y}" r="5" fill="${CHART_COLORS.value}" stroke="#fff" stroke-width="1.5"/>`;
      case 'insufficient':
        return `<rect x="${x + 3}" y="${y - 9}" width="24" height="18" fill="url(#${id}-hatch)"/><circle cx="${x + 15}" cy="${y}" r="5" fill="#fff" stroke="${CHART_COLORS.insufficient}" stroke-width="2"/>`;
      case 'trajectory':
        return `<line x1="${x}" y1="${y}" x2="${x + 30}" y2="${y}" stroke="${CHART_COLORS.trajectory}" stroke-width="2.5" stroke-dasharray="8 5"/>`;
      case 'goal':
        return `<line x1="${x}" y1="${y}" x2="${x + 30}" y2="${y}" stroke="${CHART_COLORS.goal}" stroke-width="2.5" stroke-dasharray="1 5" stroke-linecap="round"/>`;
    }
  };
  const items: Array<[Parameters<typeof sw>[0], string]> = [['value', L.chart.value]];
  if (anyInsufficient) items.push(['insufficient', L.chart.insufficient]);
  if (anyTrajectory) items.push(['trajectory', L.chart.trajectory]);
  if (hasGoal) items.push(['goal', L.chart.goal(target.targetYear)]);
  let lx = 12;
  let row = 0;
  let legend = '';
  for (const [kind, text] of items) {
    const w = 38 + text.length * CH + 26;
    if (lx + w > W && lx > 12) {
      row++;
      lx = 12;
    }
    const y = 18 + row * LEGEND_ROW;
    legend += sw(kind, lx, y) + `<text x="${lx + 38}" y="${y + 5}" font-size="14">${esc(text)}</text>`;
    lx += w;
  }
  const top = 18 + row * LEGEND_ROW + 52;

  // Scales; the left margin fits the widest tick label ("12 000 000").
  const ys = [...pts.filter(hasValue).map((p) => p.value), ...pts.flatMap((p) => (p.trajectory !== undefined ? [p.trajectory] : [])), ...(hasGoal ? [target.targetValue!] : [])];
  const ticks = niceTicks(Math.min(...ys), Math.max(...ys));
  const y0 = ticks[0]!;
  const y1 = ticks[ticks.length - 1]!;
  const tickStep = ticks.length > 1 ? ticks[1]! - ticks[0]! : 1;
  const tickDigits = Math.max(0, -Math.floor(Math.log10(tickStep) + 1e-9));
  const tickText = ticks.map((t) => formatNumber(lang, t, tickDigits));
  const left = Math.max(56, Math.ceil(Math.max(...tickText.map((t) => t.length)) * CH + 22));
  const plotW = W - left - M.right;
  const plotH = H - top - M.bottom;
  const bottom = top + plotH;
  const step = plotW / pts.length;
  const x = (i: number) => left + step * (i + 0.5);
  const y = (v: number) => bottom - ((v - y0) / (y1 - y0)) * plotH;

  let out = open(H) + legend;
  // Unit above the y axis.
  if (unit) out += `<text x="12" y="${top - 14}" font-size="14" font-weight="700">${esc(unit)}</text>`;
  // Quarters with too little data: hatched column.
  pts.forEach((p, i) => {
    if (!p.sufficient || !hasValue(p)) out += `<rect class="kp-insufficient" x="${r1(x(i) - step / 2)}" y="${top}" width="${r1(step)}" height="${plotH}" fill="url(#${id}-hatch)"/>`;
  });
  // Grid and y ticks.
  ticks.forEach((t, i) => {
    out += `<line x1="${left}" y1="${r1(y(t))}" x2="${W - M.right}" y2="${r1(y(t))}" stroke="${CHART_COLORS.grid}" stroke-width="1"/>`;
    out += `<text x="${left - 10}" y="${r1(y(t) + 5)}" text-anchor="end" font-size="14">${esc(tickText[i]!)}</text>`;
  });
  out += `<line x1="${left}" y1="${bottom}" x2="${W - M.right}" y2="${bottom}" stroke="${CHART_COLORS.axis}" stroke-width="1.5"/>`;
  // x labels: the quarter, and the year under the first quarter and every Q1; thinned when crowded.
  const every = Math.max(1, Math.ceil(46 / step));
  pts.forEach((p, i) => {
    const isLast = i === pts.length - 1;
    if (i % every !== 0 && !isLast) return;
    const s = L.quarterShort(p.period);
    const poor = !p.sufficient || !hasValue(p);
    const attrs = `text-anchor="middle" font-size="14"${isLast ? ' font-weight="700"' : ''}${poor ? ` fill="${CHART_COLORS.insufficient}"` : ''}`;
    out += `<line x1="${r1(x(i))}" y1="${bottom}" x2="${r1(x(i))}" y2="${bottom + 5}" stroke="${CHART_COLORS.axis}"/>`;
    out += `<text x="${r1(x(i))}" y="${bottom + 21}" ${attrs}>${esc(s.quarter)}</text>`;
    const prev = pts[i - every];
    if (s.year && (i === 0 || !prev || L.quarterShort(prev.period).year !== s.year)) out += `<text x="${r1(x(i))}" y="${bottom + 40}" text-anchor="middle" font-size="13" fill="${CHART_COLORS.axis}">${esc(s.year)}</text>`;
  });
  // Target: dotted reference line, labelled in the right margin.
  if (hasGoal) {
    const gy = r1(y(target.targetValue!));
    out += `<line class="kp-goal" x1="${left}" y1="${gy}" x2="${W - M.right + 4}" y2="${gy}" stroke="${CHART_COLORS.goal}" stroke-width="2.5" stroke-dasharray="1 5" stroke-linecap="round"/>`;
    out += `<text x="${W - M.right + 10}" y="${r1(y(target.targetValue!) - 3)}" font-size="14" font-weight="700">${esc(L.chart.goal(target.targetYear))}</text>`;
    // The value under the year; the number alone when the unit would not fit the margin (it is on the axis).
    const full = fmt(target.targetValue)!;
    out += `<text x="${W - M.right + 10}" y="${r1(y(target.targetValue!) + 15)}" font-size="14">${esc(full.length * CH <= M.right - 14 ? full : formatNumber(lang, target.targetValue))}</text>`;
  }
  // Trajectory: dashed, through every quarter that has one.
  const traj = pts.flatMap((p, i) => (p.trajectory !== undefined && Number.isFinite(p.trajectory) ? [`${r1(x(i))},${r1(y(p.trajectory))}`] : []));
  if (traj.length) out += `<path class="kp-trajectory" d="M${traj.join(' L')}" fill="none" stroke="${CHART_COLORS.trajectory}" stroke-width="2.5" stroke-dasharray="8 5"/>`;
  // Result: solid line through the sufficient values, broken where a quarter lacks data.
  let d = '';
  let n = 0;
  let prevOk = false;
  pts.forEach((p, i) => {
    const ok = p.sufficient && hasValue(p);
    if (ok) {
      d += `${d && prevOk ? ' L' : d ? ' M' : 'M'}${r1(x(i))},${r1(y(p.value!))}`;
      n++;
    }
    prevOk = ok;
  });
  if (n) out += `<path class="kp-value" data-points="${n}" d="${d}" fill="none" stroke="${CHART_COLORS.value}" stroke-width="3.5" stroke-linejoin="round" stroke-linecap="round"/>`;
  pts.forEach((p, i) => {
    if (!hasValue(p)) return;
    const cx = r1(x(i));
    const cy = r1(y(p.value));
    out += p.sufficient
      ? `<circle class="kp-dot" cx="${cx}" cy="${cy}" r="5.5" fill="${CHART_COLORS.value}" stroke="#fff" stroke-width="1.5"/>`
      : `<circle class="kp-dot kp-dot-insufficient" cx="${cx}" cy="${cy}" r="5.5" fill="#fff" stroke="${CHART_COLORS.insufficient}" stroke-width="2.5"/>`;
  });
  return out + `</svg>`;
}

/** Small HTML pieces shared by the report's renderers: status badge, value with its unit. */
import type { Status } from '../indicators/targets/targets.js';
import { esc } from './escape.js';
import { valueParts, type Labels } from './i18n.js';
import type { Lang, ReportPoint } from './reportData.js';

const ICON: Record<Status, string> = { on_track: '✓', behind: '!', off_track: '✕', not_enough_data: '?' };

export function badge(L: Labels, s: Status, large = false): string {
  return `<span class="badge badge-${s}${large ? ' badge-lg' : ''}"><span class="icon" aria-hidden="true">${ICON[s]}</span><span class="status-text">${esc(L.status[s])}</span></span>`;
}

export const hasValue = (p?: ReportPoint): p is ReportPoint & { value: number } => p?.value !== undefined && Number.isFinite(p.value);

/** Number and unit as HTML; the unit in its own span so that it can be set smaller and wrap. */
export function valueHtml(lang: Lang, L: Labels, v: number | undefined, unit: string): string {
  if (v === undefined || !Number.isFinite(v)) return esc(L.missing);
  const p = valueParts(lang, v, unit);
  // A per cent sign belongs to the number; other units are set apart.
  if (p.unit === '%') return `<span class="n">${esc(p.number + p.joiner + p.unit)}</span>`;
  return `<span class="n">${esc(p.number)}</span>${p.unit ? `<span class="u">${esc(p.joiner)}${esc(p.unit)}</span>` : ''}`;
}


import type { Lang, ReportTarget } from './reportData.js';
import type { BaselineSource } from './targetBaseline.js';

/** Short code of where the target's baselines come from (finance CSV / xlsx): `measured`, `yearly_figure:SOURCE`, `targets_file`, joined by `; `. */
export function baselineSourceCode(t: ReportTarget): string | undefined {
  const s = t.baselineSources;
  if (!s?.length) return undefined;
  return [...new Set(s.map((b) => (b.kind === 'yearly_figure' ? `yearly_figure:${b.year}:${b.source}` : `${b.kind}:${b.year}`)))].join('; ');
}

function one(lang: Lang, b: BaselineSource, fmt: (v: number) => string): string {
  if (b.kind === 'targets_file') return lang === 'sv' ? `${b.year}: stadens värde i målfilen` : `${b.year}: the city's value in the targets file`;
  if (b.kind === 'measured') return lang === 'sv' ? `${b.year}: mätt (samma kvartal)` : `${b.year}: measured (same quarter)`;
  const spread = b.profile === 'last_year'
    ? (lang === 'sv' ? `fördelat på kvartalen efter profilen ${b.profileYear}` : `spread over the quarters by the profile of ${b.profileYear}`)
    : b.profile === 'days'
      ? (lang === 'sv' ? 'fördelat på kvartalen efter antal dagar' : 'spread over the quarters by their days')
      : (lang === 'sv' ? 'samma värde varje kvartal' : 'the same value every quarter');
  return lang === 'sv'
    ? `${b.year}: importerat årsvärde ${fmt(b.figure ?? NaN)} (källa: ${b.source}), ${spread}`
    : `${b.year}: imported yearly figure ${fmt(b.figure ?? NaN)} (source: ${b.source}), ${spread}`;
}

/** The baseline line of a target in the HTML report. */
export function baselineText(lang: Lang, t: ReportTarget, fmt: (v: number) => string): string {
  if (!t.baselineSources?.length) return t.baselineValue !== undefined ? `${t.baselineYear}: ${fmt(t.baselineValue)}` : String(t.baselineYear);
  if (t.baselineValue !== undefined) return `${t.baselineYear}: ${fmt(t.baselineValue)}`;
  return t.baselineSources.map((b) => one(lang, b, fmt)).join('; ');
}

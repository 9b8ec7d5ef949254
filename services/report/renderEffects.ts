import { esc } from './escape.js';
import { effectLabels } from './effectLabels.js';
import { formatNumber, formatShare, formatValue, labels } from './i18n.js';
import type { ReportData, ReportEffect } from './reportData.js';

/** The CSS the section adds to the report's. */
export const EFFECTS_CSS = `
table.effects .sub{white-space:normal;font-weight:400}
.pass{font-weight:700}
.pass-no{color:#7f1d1d}
.effects-criteria{font-size:.95rem;color:var(--muted)}
`;

function row(d: ReportData, e: ReportEffect): string {
  const lang = d.lang;
  const E = effectLabels(lang);
  const L = labels(lang);
  const kwh = (v: number | undefined) => esc(formatValue(lang, v, 'kWh', 0));
  const bp = (v?: number) => formatNumber(lang, v, 1);
  const model = e.model === 'hdd' ? E.model.hdd(bp(e.balancePoint)) : e.model === 'cdd' ? E.model.cdd(bp(e.coolingBalancePoint)) : e.model === 'hdd_cdd' ? E.model.hdd_cdd(bp(e.balancePoint), bp(e.coolingBalancePoint)) : E.model[e.model];
  const control = e.controlBuildings && e.controlSavingsShare !== undefined ? `<span class="sub">${esc(E.control(e.controlBuildings.join(', '), formatShare(lang, e.controlSavingsShare)))}</span>` : '';
  const unc = e.uncertainty68Kwh === undefined ? esc(L.missing) : `<span class="n">${kwh(e.uncertainty68Kwh)}</span><span class="sub">${esc(E.at('68 %'))}</span><span class="n">${kwh(e.uncertainty90Kwh)}</span><span class="sub">${esc(E.at('90 %'))}</span>`;
  const failed = e.failed.map((f) => E.failed[f] ?? f).join('; ');
  return `<tr id="effect-${esc(e.id)}">
<th scope="row">${esc(e.name)}<span class="sub">${esc(E.kind[e.kind])} · ${esc(e.buildings.join(', '))} · ${esc(E.from(e.date))}</span><span class="sub">${esc(model)}</span></th>
<td>${esc(e.reportingFrom)} – ${esc(e.reportingTo)}<span class="sub">${esc(E.days(formatNumber(lang, e.daysUsed, 0), formatNumber(lang, e.days, 0)))}</span></td>
<td class="num"><span class="n">${kwh(e.avoidedKwh)}</span><span class="sub">${esc(E.ofExpected(formatShare(lang, e.avoidedShare)))}</span>${control}</td>
<td class="num">${unc}</td>
<td class="num">${esc(formatShare(lang, e.cvrmse))}</td>
<td class="num">${esc(e.nmbe === undefined ? L.missing : formatNumber(lang, e.nmbe * 100, 2) + (lang === 'sv' ? '\u00a0%' : '%'))}</td>
<td><span class="pass pass-${e.passes ? 'yes' : 'no'}">${esc(e.passes ? E.yes : E.no)}</span>${failed ? `<span class="sub">${esc(failed)}</span>` : ''}</td>
</tr>`;
}

/** "Measured effect of measures": one row per measure; nothing when the report has no effects (no MEASURES_FILE). */
export function renderEffects(d: ReportData): string {
  if (!d.effects) return '';
  const E = effectLabels(d.lang);
  const C = E.columns;
  const first = d.effects[0];
  const criteria = E.criteria(formatShare(d.lang, first?.cvrmseThreshold ?? 0.3), formatShare(d.lang, first?.nmbeThreshold ?? 0.1));
  const body = d.effects.length
    ? `<table class="effects"><thead><tr><th scope="col">${esc(C.measure)}</th><th scope="col">${esc(C.period)}</th><th scope="col" class="num">${esc(C.avoided)}</th><th scope="col" class="num">${esc(C.uncertainty)}</th><th scope="col" class="num">${esc(C.cvrmse)}</th><th scope="col" class="num">${esc(C.nmbe)}</th><th scope="col">${esc(C.passes)}</th></tr></thead><tbody>
${d.effects.map((e) => row(d, e)).join('\n')}
</tbody></table>
<p class="effects-criteria">${esc(criteria)}</p>`
    : `<p>${esc(E.none)}</p>`;
  return `<section class="effects-section" aria-labelledby="h-effects">
<h2 id="h-effects">${esc(E.heading)}</h2>
<p>${esc(E.intro)}</p>
${body}
</section>`;
}

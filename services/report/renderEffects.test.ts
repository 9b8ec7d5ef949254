import { describe, expect, it } from 'vitest';
import { kalmarReport } from './fixtures/kalmar-2025Q3.js';
import { renderHtml } from './renderHtml.js';

/** The report's "Measured effect of measures" section, in both languages. */
const rowOf = (html: string, id: string) => new RegExp(`<tr id="effect-${id}">([\\s\\S]*?)</tr>`).exec(html)?.[1] ?? '';

describe('report: measured effect of measures', () => {
  it('lists each measure with avoided kWh, ± uncertainty, CV(RMSE), NMBE and whether the model passes (sv)', () => {
    const html = renderHtml(kalmarReport('sv'));
    expect(html).toContain('<h2 id="h-effects">Uppmätt effekt av åtgärder</h2>');
    const a = rowOf(html, 'funkabo-styrsystem');
    expect(a).toContain('Nytt styrsystem för värmen, Funkaboskolan');
    expect(a).toContain('Nytt styrsystem · funkaboskolan · från 2025-01-15');
    expect(a).toContain('graddagsmodell, balanstemperatur 14,5 °C');
    expect(a).toContain('43\u00a0900\u00a0kWh');
    expect(a).toContain('11\u00a0% av förväntad användning');
    expect(a).toContain('netto mot kontrollgruppen lindsdalsskolan (förändring där: 1,6\u00a0%)');
    expect(a).toContain('6\u00a0100\u00a0kWh</span><span class="sub">68 % konfidens');
    expect(a).toContain('10\u00a0050\u00a0kWh</span><span class="sub">90 % konfidens');
    expect(a).toContain('>8,4\u00a0%<'); // CV(RMSE)
    expect(a).toContain('>0\u00a0%<'); // NMBE
    expect(a).toContain('<span class="pass pass-yes">Ja</span>');
    expect(a).toContain('251 av 259 dygn med data');
    const b = rowOf(html, 'energikampanj-kalmarhem');
    expect(b).toContain('<span class="pass pass-no">Nej</span><span class="sub">osäkerheten är minst halva besparingen</span>');
    expect(html).toContain('CV(RMSE) är högst 30\u00a0% och NMBE inom ±10\u00a0%');
  });

  it('the same in English', () => {
    const html = renderHtml(kalmarReport('en'));
    expect(html).toContain('<h2 id="h-effects">Measured effect of measures</h2>');
    const a = rowOf(html, 'funkabo-styrsystem');
    expect(a).toContain('New heating control system, Funkabo school');
    expect(a).toContain('degree-day model, balance point 14.5 °C');
    expect(a).toContain('43,900\u00a0kWh');
    expect(a).toContain('<span class="pass pass-yes">Yes</span>');
    expect(rowOf(html, 'energikampanj-kalmarhem')).toContain('the uncertainty is at least half the savings');
    expect(html).toContain('CV(RMSE) is at most 30% and NMBE within ±10%');
    expect(html).not.toContain('Uppmätt effekt');
  });

  it('says when no measure is defined, and leaves the section out without MEASURES_FILE', () => {
    const none = { ...kalmarReport('en'), effects: [] };
    expect(renderHtml(none)).toContain('No measures are defined for the city (MEASURES_FILE).');
    const { effects: _, ...without } = kalmarReport('sv');
    expect(renderHtml(without)).not.toContain('h-effects');
  });

  it('escapes measure names and buildings', () => {
    const d = kalmarReport('en');
    d.effects![0]!.name = '<script>x</script>';
    d.effects![0]!.buildings = ['a&b'];
    const html = renderHtml(d);
    expect(html).not.toContain('<script>x');
    expect(html).toContain('&lt;script&gt;x&lt;/script&gt;');
    expect(html).toContain('a&amp;b');
  });
});

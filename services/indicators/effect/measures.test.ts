import { describe, expect, it } from 'vitest';
import { KlimatpulsError } from '../../core/errors.js';
import { device } from '../energy/testSupport.js';
import { parsePeriod } from '../periods.js';
import { balancePointsOf, checkMeasureBuildings, parseMeasures, periodsOf } from './measures.js';

const ok = { id: 'skolan-styr', tenant: 'kalmar', name: { sv: 'Styrsystem', en: 'Control system' }, kind: 'control_system', buildings: ['skolan'], date: '2025-01-15' };
const file = (...measures: object[]) => JSON.stringify({ measures });
const error = (text: string) => {
  try {
    parseMeasures(text, 'measures.json');
  } catch (err) {
    expect(err).toBeInstanceOf(KlimatpulsError);
    return (err as Error).message;
  }
  throw new Error('expected an error');
};

describe('MEASURES_FILE', () => {
  it('fills in the defaults: baseline the 365 days before the date, reporting 365 days from it, both carriers', () => {
    const [m] = parseMeasures(file(ok));
    expect(m!.meters).toBe('all');
    const p = periodsOf(m!);
    expect(p.baseline).toEqual({ from: parsePeriod('2024-01-16').start, to: parsePeriod('2025-01-15').start });
    expect(p.reporting).toEqual({ from: parsePeriod('2025-01-15').start, to: parsePeriod('2026-01-15').start });
    expect(balancePointsOf(m!)).toBeUndefined();
    expect(balancePointsOf({ ...m!, balancePoints: { min: 10, max: 12, step: 0.5 } })).toEqual([10, 10.5, 11, 11.5, 12]);
  });

  it('names the file and the field of a bad value', () => {
    expect(error(file({ ...ok, date: '2025-13-01' }))).toBe('measures.json: measures.0.date: a real calendar date');
    expect(error(file({ ...ok, date: '15/1/2025' }))).toBe('measures.json: measures.0.date: a date YYYY-MM-DD');
    expect(error(file(ok, { ...ok, kind: 'magic' }))).toMatch(/^measures\.json: measures\.1\.kind: /);
    expect(error(file({ ...ok, buildings: [] }))).toMatch(/^measures\.json: measures\.0\.buildings: /);
    expect(error(file({ ...ok, tenant: 'Kalmar' }))).toBe('measures.json: measures.0.tenant: a lower-case slug (a-z, 0-9, - and _)');
    expect(error(file({ ...ok, baseline: { from: '2024-01-01', to: '2025-02-01' } }))).toBe('measures.json: measures.0.baseline.to: the baseline must end by the measure date');
    expect(error(file({ ...ok, reporting: { from: '2025-01-01', to: '2025-06-01' } }))).toBe('measures.json: measures.0.reporting.from: the reporting period must start on or after the measure date');
    expect(error(file({ ...ok, controlBuildings: ['annat', 'skolan'] }))).toBe('measures.json: measures.0.controlBuildings.1: a control building must not be one of the measure’s buildings');
    expect(error(file(ok, ok))).toBe('measures.json: measures.1.id: skolan-styr is defined twice for kalmar');
    expect(error(file({ ...ok, colour: 'red' }))).toMatch(/^measures\.json: measures\.0: .*colour/);
    expect(error('{"measures": [')).toMatch(/^measures\.json: not valid JSON/);
  });

  it('refuses a building that is not the site of an energy meter of the tenant', () => {
    const devices = [device('vm-1', 'heat_meter', 'skolan'), device('t-1', 'temperature', 'annat')];
    const [m] = parseMeasures(file({ ...ok, controlBuildings: ['annat'] }));
    expect(() => checkMeasureBuildings([{ ...m!, controlBuildings: undefined }], devices, 'm.json')).not.toThrow();
    expect(() => checkMeasureBuildings([m!], devices, 'm.json')).toThrow('m.json: measures.0.controlBuildings.0: "annat" is not the site of an energy meter of kalmar in the registry');
  });
});

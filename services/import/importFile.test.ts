import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IndicatorEngine } from '../indicators/engine.js';
import { indicators } from '../indicators/index.js';
import { parsePeriod } from '../indicators/periods.js';
import { DeviceRegistry, type Device } from '../registry/deviceRegistry.js';
import { duckDbSinkAt } from '../sinks/duckdb/index.js';
import type { DuckDbStore } from '../sinks/duckdb/duckdbStore.js';
import type { Sink } from '../sinks/types.js';
import { importFile } from './importFile.js';
import { loadMapping, parseMapping } from './mapping.js';

const here = (f: string) => join(import.meta.dirname, 'testdata', f);
const dev = (id: string, kind: Device['kind'], site?: string): Device => ({ id, tenant: 'kalmar', kind, ...(site ? { site } : {}), params: {} });
const devices = [
  dev('735999100000000011', 'electricity_meter', 'stadshuset'), dev('735999100000000012', 'electricity_meter', 'bibliotek'),
  dev('FV-10045', 'heat_meter', 'kulturhuset'), dev('el-vallen', 'electricity_meter', 'vallen'),
  dev('KH-NORRGARD', 'waste_collection', 'norrgard'), dev('KH-SODRA', 'waste_collection', 'sodra'),
  dev('ABC123', 'vehicle'), dev('EL456', 'vehicle'),
];
const registry = new DeviceRegistry(devices);

/** Every supported input against the real DuckDB sink: rows stored, bad rows dead-lettered with row and reason, a second import changes nothing. */
describe('klimatpuls import (DuckDB)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'klimatpuls-import-'));
  let sink: Sink;
  const store = () => sink.store as DuckDbStore;
  const count = async (sql: string) => Number((await store().queryRows(sql))[0]!.n);
  const run = (file: string, mapping = file.replace(/\.(csv|xlsx)$/, '.mapping.json')) =>
    importFile({ file: file.startsWith('/') ? file : here(file), mapping: loadMapping(here(mapping)), sink, devices: registry, now: new Date('2025-06-01T00:00:00Z') });
  const energy = async (period: string, entity = '*') => {
    const engine = new IndicatorEngine({ source: sink.source(devices), devices, indicators });
    return (await engine.compute('energy_use', 'kalmar', parsePeriod(period))).find((v) => v.entity === entity)!;
  };

  beforeAll(async () => {
    sink = await duckDbSinkAt(join(dir, 'klimatpuls.duckdb'));
    await sink.store.init();
  });
  afterAll(async () => {
    await sink.store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('hourly energy per meter point from a utility portal (Windows-1252, ";", decimal comma)', async () => {
    const s = await run('utility-hourly-electricity.csv');
    expect(s.format).toBe('csv windows-1252, delimiter ";", decimal ","');
    expect(s.rowsRead).toBe(101);
    expect(s.rowsStored).toBe(96);
    expect(s.deadLettered).toEqual({ unknown_device: 1, schema: 1, bad_unit: 1, implausible_value: 1, implausible_time: 1 });
    expect(s.examples.map((e) => [e.row, e.reason, e.field])).toEqual([
      [99, 'unknown_device', 'device'], [100, 'schema', 'value'], [101, 'bad_unit', 'unit'], [102, 'implausible_value', 'value'], [103, 'implausible_time', 'time'],
    ]);
    expect(s.readingsWritten).toBe(98); // 48 hours per meter: 49 register readings
    expect(new Date(s.from!).toISOString()).toBe('2024-12-31T23:00:00.000Z'); // 2025-01-01 00:00 in Stockholm
    const day = await energy('2025-01-01');
    expect(day.value).toBeCloseTo(333 + 189, 9);
    expect((await energy('2025-01-01', 'stadshuset')).sufficient).toBe(true);
    expect((await energy('2025-01-02', 'bibliotek')).value).toBeCloseTo(24 * 6 + 69, 9);
    const dl = await store().queryRows(`SELECT reason, field, message, topic, stage FROM dead_letters WHERE stage = 'import' ORDER BY message`);
    expect(dl).toContainEqual({ reason: 'bad_unit', field: 'unit', message: 'utility-hourly-electricity.csv row 101: "m3" is not a unit of energy_total (kWh)', topic: 'import/kalmar/utility-hourly-electricity.csv', stage: 'import' });
  });

  it('monthly district heating: each month, quarter and year gets its energy, sufficient; a month listed twice is dead-lettered', async () => {
    const s = await run('heat-monthly.csv');
    expect(s.rowsRead).toBe(13);
    expect(s.rowsStored).toBe(12);
    expect(s.deadLettered).toEqual({ bad_record: 1 });
    expect(s.examples[0]).toMatchObject({ row: 14, reason: 'bad_record', field: 'time' });
    const march = await energy('2024-03', 'kulturhuset');
    expect(march.value).toBeCloseTo(48_000, 6);
    expect(march.sufficient).toBe(true);
    expect((await energy('2024Q1')).value).toBeCloseTo((62.4 + 55.1 + 48.0) * 1000, 6);
    const year = await energy('2024', 'kulturhuset');
    expect(year.value).toBeCloseTo(372_800, 6);
    expect(year.sufficient).toBe(true);
  });

  it('meter readings with dates from an xlsx workbook (Excel date cells)', async () => {
    const file = join(dir, 'avlasningar.xlsx');
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('Mätarställningar');
    ws.addRow(['Mätare', 'Avläst', 'Ställning (kWh)']);
    const readings: Array<[string, Date | string, number | string]> = [
      ['el-vallen', new Date(Date.UTC(2025, 0, 1)), 1000], ['el-vallen', new Date(Date.UTC(2025, 1, 1)), 1800],
      ['el-vallen', new Date(Date.UTC(2025, 2, 1)), 2500], ['el-vallen', 'första april', 3100], ['el-vallen', new Date(Date.UTC(2025, 3, 1)), 3100],
    ];
    for (const r of readings) ws.addRow(r);
    ws.getColumn(2).numFmt = 'yyyy-mm-dd';
    await wb.xlsx.writeFile(file);
    const mapping = parseMapping({
      type: 'readings', tenant: 'kalmar', sheet: 'Mätarställningar', device: { column: 'Mätare' }, time: { column: 'Avläst' },
      value: { column: 'Ställning (kWh)' }, unit: { fixed: 'kWh' }, metric: { fixed: 'energy_total' }, values: 'register',
    });
    const s = await importFile({ file, mapping, sink, devices: registry, now: new Date('2025-06-01T00:00:00Z') });
    expect(s.format).toBe('xlsx sheet Mätarställningar');
    expect([s.rowsRead, s.rowsStored]).toEqual([5, 4]);
    expect(s.examples).toEqual([expect.objectContaining({ row: 5, reason: 'implausible_time', field: 'time' })]);
    const feb = await energy('2025-02', 'vallen');
    expect(feb.value).toBeCloseTo(700, 6);
    expect(feb.sufficient).toBe(true);
  });

  it('hourly temperatures below 0 °C (SMHI, UTC) are stored, not dead-lettered as negative amounts', async () => {
    const file = join(dir, 'smhi.csv');
    writeFileSync(file, 'Datum;Tid (UTC);Lufttemperatur;Kvalitet\n2025-01-10;00:00:00;-12.4;G\n2025-01-10;01:00:00;-11.9;G\n2025-01-10;02:00:00;0.3;G\n');
    const mapping = parseMapping({
      type: 'readings', tenant: 'kalmar', device: { fixed: 'smhi-66420' }, time: { column: 'Datum', timeColumn: 'Tid (UTC)', zone: 'UTC' },
      value: { column: 'Lufttemperatur' }, unit: { fixed: '°C' }, metric: { fixed: 'temperature' }, values: 'interval', interval: 'hour',
    });
    const s = await importFile({ file, mapping, sink, devices: new DeviceRegistry([...devices, dev('smhi-66420', 'temperature', 'flygplats')]), now: new Date('2025-06-01T00:00:00Z') });
    expect([s.rowsRead, s.rowsStored, s.deadLettered]).toEqual([3, 3, {}]);
    const rows = await store().queryRows(`SELECT observed_at, value FROM readings WHERE device_id = 'smhi-66420' ORDER BY observed_at`);
    expect(rows.map((r) => r.value)).toEqual([-12.4, -11.9, 0.3]);
  });

  it('monthly waste weights per collection point and fraction (repeats added, litres are no weight)', async () => {
    const s = await run('waste-weights.csv');
    expect(s.format).toBe('csv utf-8, delimiter ",", decimal "."');
    expect([s.rowsRead, s.rowsStored, s.readingsWritten]).toEqual([14, 13, 12]);
    expect(s.deadLettered).toEqual({ bad_unit: 1 });
    const rows = await store().queryRows(`SELECT channel, value FROM readings WHERE device_id = 'KH-NORRGARD' AND metric = 'waste_weight' AND observed_at = '2024-12-31T23:00:00Z' ORDER BY channel`);
    expect(rows).toEqual([{ channel: 'food', value: 500 }, { channel: 'residual', value: 1225 }]);
  });

  it('fuel and charging records of the fleet', async () => {
    const s = await run('fleet-fuel.csv');
    expect([s.rowsRead, s.rowsStored]).toEqual([7, 5]);
    expect(s.deadLettered).toEqual({ unknown_device: 1, bad_unit: 1 });
    const last = await store().queryRows(`SELECT device_id, metric, channel, max(value) AS v FROM readings WHERE kind = 'vehicle' GROUP BY ALL ORDER BY ALL`);
    expect(last).toEqual([
      { device_id: 'ABC123', metric: 'fuel_volume_total', channel: 'diesel', v: 52.3 },
      { device_id: 'ABC123', metric: 'fuel_volume_total', channel: 'hvo100', v: 58.9 },
      { device_id: 'EL456', metric: 'ev_charging_energy_total', channel: 'electricity', v: 76.2 },
    ]);
  });

  it('yearly figures with their source, in the indicator\'s unit', async () => {
    const s = await run('yearly-figures.csv');
    expect([s.rowsRead, s.rowsStored]).toEqual([5, 3]);
    expect(s.deadLettered).toEqual({ bad_unit: 1, schema: 1 });
    const f = await sink.figures.query({ tenant: 'kalmar', figure: 'emissions', year: 1990 });
    expect(f).toEqual([{ tenant: 'kalmar', figure: 'emissions', entity: '*', year: 1990, value: 412_000, unit: 't CO2e', source: 'Nationella emissionsdatabasen (RUS), utsläpp 1990, hämtad 2025-02-01', importedFrom: 'yearly-figures.csv#row=2' }]);
    expect((await sink.figures.query({ tenant: 'kalmar', figure: 'energy_use' }))[0]!.value).toBe(45_200_000);
  });

  it('importing every file again changes nothing', async () => {
    const snapshot = async () => ({
      readings: await count('SELECT count(*) AS n FROM readings'),
      deadLetters: await count('SELECT count(*) AS n FROM dead_letters'),
      figures: await count('SELECT count(*) AS n FROM yearly_figures'),
      sum: Number((await store().queryRows('SELECT sum(value) AS n FROM readings'))[0]!.n),
    });
    const before = await snapshot();
    for (const f of ['utility-hourly-electricity.csv', 'heat-monthly.csv', 'waste-weights.csv', 'fleet-fuel.csv', 'yearly-figures.csv']) await run(f);
    expect(await snapshot()).toEqual(before);
    expect((await energy('2024')).value).toBeCloseTo(372_800, 6);
  });

  it('a mapping error names the field; a header without a mapped column is refused before any row', async () => {
    expect(() => parseMapping({ type: 'readings', device: { column: 'x' }, time: { column: 't' }, value: { column: 'v' }, unit: { fixed: 'kWh' }, metric: { fixed: 'energy_total' }, values: 'interval' }))
      .toThrow(/mapping: interval: required for interval values/);
    expect(() => parseMapping({ type: 'readings', device: { column: 'x' }, time: { column: 't' }, value: { colum: 'v' }, unit: { fixed: 'kWh' }, metric: { fixed: 'energy_total' }, values: 'register' }))
      .toThrow(/mapping: value/);
    await expect(run('heat-monthly.csv', 'waste-weights.mapping.json')).rejects.toThrow(/has no column device.column "Hämtställe"/);
  });
});

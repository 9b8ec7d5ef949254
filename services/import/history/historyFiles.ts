import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DateTime } from 'luxon';
import ExcelJS from 'exceljs';
import { countOfHour, days, electricityOfHour, fillLevels, heatOfDay, hours, months, solarOfHour, temperature, ZONE } from './cityModel.js';
import { historyDevices, MEASURES } from './historyDevices.js';

/**
 * A year and more of history of the two seed cities (Kalmar, Malmö) as the files
 * a city actually has, each with its import mapping: hourly electricity from the
 * utility portal, monthly energy per meter point, daily meter readings (xlsx),
 * SMHI's hourly temperatures, counter exports, fill levels of the housing
 * company's sensors, the waste contractor's monthly weights, fleet fuel and
 * charging records (xlsx), yearly figures with their source (1990 emissions,
 * the baseline years' figures). Written by `writeHistoryFiles(dir)`, with the
 * device registry and the measures file; `npx tsx services/import/history/historyFiles.ts DIR`
 * writes them for trying `klimatpuls import` by hand (README).
 *
 * Data: January 2024 to September 2025 for what the 2025Q3 report and its
 * forecast read (the report's year and the year before), the baseline years
 * where a city has them as readings (2018 monthly energy and SMHI temperatures,
 * 2019 fuel records), 2023 where an indicator compares with the year before
 * (cycling index, the campaign's baseline model, the new building's rolling year).
 */

export interface HistoryFile {
  file: string;
  mapping: string;
}

const FROM = '2024-01-01';
const TO = '2025-10-01';
const fmt2 = (n: number) => n.toFixed(2).replace('.', ',');
const local = (t: number) => DateTime.fromMillis(t, { zone: ZONE });

function csv(dir: string, name: string, lines: string[], mapping: object, encoding: 'utf8' | 'latin1' = 'utf8'): HistoryFile {
  const file = join(dir, name);
  writeFileSync(file, Buffer.from(`${lines.join('\r\n')}\r\n`, encoding));
  const m = file.replace(/\.(csv|xlsx)$/, '.mapping.json');
  writeFileSync(m, `${JSON.stringify(mapping, null, 2)}\n`);
  return { file, mapping: m };
}

async function xlsx(dir: string, name: string, sheet: string, rows: unknown[][], mapping: object, dateColumn?: number): Promise<HistoryFile> {
  const file = join(dir, name);
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet(sheet);
  for (const r of rows) ws.addRow(r);
  if (dateColumn) ws.getColumn(dateColumn).numFmt = 'yyyy-mm-dd';
  await wb.xlsx.writeFile(file);
  const m = file.replace(/\.xlsx$/, '.mapping.json');
  writeFileSync(m, `${JSON.stringify(mapping, null, 2)}\n`);
  return { file, mapping: m };
}

/** kWh of a month from a per-day (heat) or per-hour (electricity, solar) model. */
const monthOfDays = (m: DateTime, f: (d: DateTime) => number) => [...days(m.toISODate()!, m.plus({ months: 1 }).toISODate()!)].reduce((s, d) => s + f(d), 0);
const monthOfHours = (m: DateTime, f: (t: number) => number) => [...hours(m.toISODate()!, m.plus({ months: 1 }).toISODate()!)].reduce((s, t) => s + f(t), 0);

const EL_STADSHUSET = { base: 22, work: 18, seed: 11 };
const HEAT = { stadshuset: { base: 900, slope: 160, seed: 21 }, skolan: { base: 300, slope: 55, seed: 22, saving: 0.15, savingFrom: '2024-01-01' }, forskolan: { base: 20, slope: 5, seed: 23 }, malmo: { base: 700, slope: 120, seed: 24 } };
const EL = { forskolan: { base: 1, work: 1.5, seed: 12 }, malmo: { base: 15, work: 12, seed: 13 } };

function monthlyEnergy(dir: string): HistoryFile {
  const lines = ['Mätpunkt;Medium;Månad;Energi (MWh)'];
  const add = (id: string, medium: string, from: string, to: string, kwh: (m: DateTime) => number) => {
    for (const m of months(from, to)) lines.push(`${id};${medium};${m.toFormat('yyyy-MM')};${(kwh(m) / 1000).toFixed(3).replace('.', ',')}`);
  };
  add('735999100000000101', 'El', '2018-01-01', '2019-01-01', (m) => monthOfHours(m, (t) => electricityOfHour(t, EL_STADSHUSET)));
  add('FV-2001', 'Fjärrvärme', '2018-01-01', '2019-01-01', (m) => monthOfDays(m, (d) => heatOfDay(d, HEAT.stadshuset)));
  add('FV-2001', 'Fjärrvärme', FROM, TO, (m) => monthOfDays(m, (d) => heatOfDay(d, HEAT.stadshuset)));
  add('FV-2002', 'Fjärrvärme', '2018-01-01', '2019-01-01', (m) => monthOfDays(m, (d) => heatOfDay(d, HEAT.skolan)));
  add('735999100000000103', 'El', '2023-01-01', TO, (m) => monthOfHours(m, (t) => electricityOfHour(t, EL.forskolan)));
  add('FV-2003', 'Fjärrvärme', '2023-01-01', TO, (m) => monthOfDays(m, (d) => heatOfDay(d, HEAT.forskolan)));
  add('SOL-STADSHUSET', 'Solel', FROM, TO, (m) => monthOfHours(m, (t) => solarOfHour(t, 60)));
  return csv(dir, 'kalmar-manadsvarden.csv', lines, {
    type: 'readings', tenant: 'kalmar', device: { column: 'Mätpunkt' }, time: { column: 'Månad' }, value: { column: 'Energi (MWh)' }, unit: { fixed: 'MWh' },
    metric: { column: 'Medium', map: { El: 'energy_total', Fjärrvärme: 'heat_energy_total', Solel: 'energy_total' } }, values: 'interval', interval: 'month',
  });
}

function hourlyElectricity(dir: string): HistoryFile {
  const lines = ['Elnätet i Kalmar AB - Timvärden, export', 'Anläggnings-ID;Datum;Tid;Förbrukning;Enhet'];
  for (const t of hours(FROM, TO)) lines.push(`735999100000000101;${local(t).toFormat('yyyy-MM-dd;HH:mm')};${fmt2(electricityOfHour(t, EL_STADSHUSET))};kWh`);
  return csv(dir, 'kalmar-el-timvarden.csv', lines, {
    type: 'readings', tenant: 'kalmar', skipRows: 1, device: { column: 'Anläggnings-ID' }, time: { column: 'Datum', timeColumn: 'Tid' },
    value: { column: 'Förbrukning' }, unit: { column: 'Enhet' }, metric: { fixed: 'energy_total' }, values: 'interval', interval: 'hour',
  }, 'latin1');
}

/** Daily meter readings of the campaign school's heat meter (the caretaker's workbook): Excel dates, register in kWh. */
function dailyReadings(dir: string): Promise<HistoryFile> {
  const rows: unknown[][] = [['Mätare', 'Avläst', 'Ställning (kWh)']];
  let register = 812_345;
  for (const d of days('2022-12-31', '2025-10-02')) {
    rows.push(['FV-2002', new Date(Date.UTC(d.year, d.month - 1, d.day)), Math.round(register * 10) / 10]);
    register += heatOfDay(d, HEAT.skolan);
  }
  return xlsx(dir, 'skolan-avlasningar.xlsx', 'Avläsningar', rows, {
    type: 'readings', tenant: 'kalmar', sheet: 'Avläsningar', device: { column: 'Mätare' }, time: { column: 'Avläst' }, value: { column: 'Ställning (kWh)' },
    unit: { fixed: 'kWh' }, metric: { fixed: 'heat_energy_total' }, values: 'register',
  }, 2);
}

/** SMHI's open data, hourly air temperature (UTC), as its CSV download starts: a few lines of station data above the header. */
function smhiTemperatures(dir: string): HistoryFile {
  const lines = ['Stationsnamn;Stationsnummer;Stationsnät;Mäthöjd (meter över marken)', 'Kalmar flygplats;66420;SMHIs stationsnät;2.0', '', 'Datum;Tid (UTC);Lufttemperatur;Kvalitet'];
  for (const [a, b] of [['2018-01-01', '2019-01-02'], ['2022-12-30', '2025-10-02']] as const) {
    for (const t of hours(a, b)) lines.push(`${new Date(t).toISOString().slice(0, 10)};${new Date(t).toISOString().slice(11, 19)};${temperature(t).toFixed(1)};G`);
  }
  return csv(dir, 'smhi-kalmar-flygplats.csv', lines, {
    type: 'readings', tenant: 'kalmar', skipRows: 3, device: { fixed: 'smhi-66420' }, time: { column: 'Datum', timeColumn: 'Tid (UTC)', zone: 'UTC' },
    value: { column: 'Lufttemperatur' }, unit: { fixed: '°C' }, metric: { fixed: 'temperature' }, values: 'interval', interval: 'hour',
  });
}

function counters(dir: string, name: string, tenant: string, points: Array<{ id: string; peak: number; seed: number }>, from: string): HistoryFile {
  const lines = ['Räknare,Tid,Antal'];
  for (const p of points) for (const t of hours(from, TO)) lines.push(`${p.id},${local(t).toFormat('yyyy-MM-dd HH:mm')},${countOfHour(t, p.peak, p.seed)}`);
  return csv(dir, name, lines, {
    type: 'readings', tenant, device: { column: 'Räknare' }, time: { column: 'Tid', format: 'yyyy-MM-dd HH:mm' }, value: { column: 'Antal' }, unit: { fixed: 'count' },
    metric: { fixed: 'count' }, values: 'interval', interval: 'hour',
  });
}

function fill(dir: string, name: string, tenant: string, id: string, litresPerDay: number, seed: number): HistoryFile {
  const lines = ['Sensor,Tidpunkt,Fyllnadsgrad (%)'];
  for (const r of fillLevels(FROM, TO, { volumeL: 660, litresPerDay, emptyDays: [1, 4], stepH: 2, seed })) lines.push(`${id},${local(r.t).toFormat("yyyy-MM-dd'T'HH:mm")},${r.level}`);
  return csv(dir, name, lines, {
    type: 'readings', tenant, device: { column: 'Sensor' }, time: { column: 'Tidpunkt' }, value: { column: 'Fyllnadsgrad (%)' }, unit: { fixed: '%' },
    metric: { fixed: 'fill_level' }, values: 'interval', interval: 'hour',
  });
}

function wasteWeights(dir: string): HistoryFile {
  const lines = ['Hämtställe,Fraktion,Period,Vikt,Enhet'];
  for (const [a, b] of [['2018-01-01', '2019-01-01'], [FROM, TO]] as const) {
    for (const m of months(a, b)) {
      const k = m.year === 2018 ? 1.2 : m.year === 2025 ? 0.95 : 1;
      lines.push(`KH-NORRGARD,Restavfall,${m.toFormat('yyyy-MM')},${Math.round(1200 * k)},kg`, `KH-NORRGARD,Matavfall,${m.toFormat('yyyy-MM')},${(0.45 * k).toFixed(2)},ton`);
    }
  }
  return csv(dir, 'kalmar-avfallsvikter.csv', lines, {
    type: 'readings', tenant: 'kalmar', device: { column: 'Hämtställe' }, time: { column: 'Period' }, value: { column: 'Vikt' }, unit: { column: 'Enhet' },
    metric: { fixed: 'waste_weight' }, channel: { column: 'Fraktion', map: { Restavfall: 'residual', Matavfall: 'food' } }, values: 'interval', interval: 'month', repeats: 'add',
  });
}

/** Fuel card and charging records of the fleet, the airport's jet fuel deliveries: one row per refuelling, weekly. */
function fleet(dir: string): Promise<HistoryFile> {
  const rows: unknown[][] = [['Regnr', 'Datum', 'Drivmedel', 'Mängd', 'Enhet']];
  for (const [a, b] of [['2019-01-01', '2020-01-01'], [FROM, TO]] as const) {
    for (const d of days(a, b)) {
      if (d.weekday !== 2) continue;
      const date = d.toISODate();
      rows.push(['ABC123', date, d.year >= 2025 ? 'HVO100' : 'Diesel', 48 + (d.weekNumber % 5), 'liter']);
      rows.push(['EL456', date, 'El', 70 + (d.weekNumber % 7) * 2, 'kWh']);
      rows.push(['KLA-JET', date, 'Jet A-1', 18_000 + (d.weekNumber % 4) * 500, 'liter']);
    }
  }
  return xlsx(dir, 'kalmar-drivmedel.xlsx', 'Tankningar', rows, {
    type: 'readings', tenant: 'kalmar', device: { column: 'Regnr' }, time: { column: 'Datum' }, value: { column: 'Mängd' }, unit: { column: 'Enhet', map: { liter: 'L' } },
    metric: { column: 'Drivmedel', map: { Diesel: 'fuel_volume_total', HVO100: 'fuel_volume_total', 'Jet A-1': 'fuel_volume_total', El: 'ev_charging_energy_total' } },
    channel: { column: 'Drivmedel', map: { Diesel: 'diesel', HVO100: 'hvo100', 'Jet A-1': 'jet_a1', El: 'electricity' } }, values: 'interval', interval: 'day', repeats: 'add',
  });
}

function figures(dir: string, name: string, tenant: string, rows: Array<[string, number, string, string, string]>): HistoryFile {
  return csv(dir, name, ['Nyckeltal;År;Värde;Enhet;Källa', ...rows.map((r) => r.join(';'))], {
    type: 'figures', tenant, figure: { column: 'Nyckeltal' }, year: { column: 'År' }, value: { column: 'Värde' }, unit: { column: 'Enhet' }, source: { column: 'Källa' },
  });
}

function malmoEnergy(dir: string): Promise<HistoryFile> {
  const rows: unknown[][] = [['Mätpunkt', 'Månad', 'Medium', 'kWh']];
  for (const m of months(FROM, TO)) {
    const month = m.toFormat('yyyy-MM');
    rows.push(['MLM-EL-1', month, 'El', Math.round(monthOfHours(m, (t) => electricityOfHour(t, EL.malmo)))]);
    rows.push(['MLM-FV-1', month, 'Fjärrvärme', Math.round(monthOfDays(m, (d) => heatOfDay(d, HEAT.malmo)))]);
    rows.push(['MLM-SOL-1', month, 'Solel', Math.round(monthOfHours(m, (t) => solarOfHour(t, 40)))]);
  }
  return xlsx(dir, 'malmo-manadsvarden.xlsx', 'Månadsvärden', rows, {
    type: 'readings', tenant: 'malmo', sheet: 'Månadsvärden', device: { column: 'Mätpunkt' }, time: { column: 'Månad' }, value: { column: 'kWh' }, unit: { fixed: 'kWh' },
    metric: { column: 'Medium', map: { El: 'energy_total', Fjärrvärme: 'heat_energy_total', Solel: 'energy_total' } }, values: 'interval', interval: 'month',
  });
}

/** Writes the history files, their mappings, `registry.json` and `measures.json` into `dir`; the files in import order. */
export async function writeHistoryFiles(dir: string): Promise<{ files: HistoryFile[]; registry: string; measures: string }> {
  mkdirSync(dir, { recursive: true });
  const registry = join(dir, 'registry.json');
  writeFileSync(registry, `${JSON.stringify({ devices: historyDevices() }, null, 2)}\n`);
  const measures = join(dir, 'measures.json');
  writeFileSync(measures, `${JSON.stringify({ measures: MEASURES }, null, 2)}\n`);
  const files = [
    hourlyElectricity(dir), monthlyEnergy(dir), await dailyReadings(dir), smhiTemperatures(dir),
    counters(dir, 'kalmar-rakneplatser.csv', 'kalmar', [{ id: 'CYKEL-TULLBRON', peak: 90, seed: 31 }, { id: 'BIL-TULLBRON', peak: 130, seed: 32 }], FROM),
    fill(dir, 'kalmarhem-fyllnadsgrad.csv', 'kalmar', 'KH-NORRGARD-RA1', 55, 41), wasteWeights(dir), await fleet(dir),
    figures(dir, 'kalmar-nyckeltal.csv', 'kalmar', [
      ['emissions', 1990, '412 000', 't CO2e', 'Nationella emissionsdatabasen (RUS), utsläpp 1990'],
      ['waste_per_household', 2018, '34,5', 'L/household/week', 'Kalmarhem, plockanalys och kärlvolymer 2018'],
      ['peak_power_total', 2022, '61,0', 'kW', 'Elnätsfakturor 2022, högsta timeffekt per anläggning'],
      ['renewable_share', 2022, '4,1', '%', 'Kalmar Energi, egen solelproduktion 2022'],
    ]),
    await malmoEnergy(dir), counters(dir, 'malmo-cykelraknare.csv', 'malmo', [{ id: 'MLM-CYKEL-1', peak: 400, seed: 33 }], '2023-01-01'),
    fill(dir, 'mkb-fyllnadsgrad.csv', 'malmo', 'MLM-AVFALL-1', 60, 42),
    figures(dir, 'malmo-nyckeltal.csv', 'malmo', [
      ['emissions', 1990, '1 560 000', 't CO2e', 'Nationella emissionsdatabasen (RUS), utsläpp 1990 (antaget basår)'],
      ['emissions', 2023, '68,0', 't CO2e', 'Malmö stad, klimatbokslut 2023, mätta byggnader'],
      ['renewable_share', 2023, '6,5', '%', 'Malmö stad, energibokslut 2023'],
      ['waste_per_household', 2023, '36,0', 'L/household/week', 'MKB, plockanalys 2023'],
    ]),
  ];
  return { files, registry, measures };
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  const dir = process.argv[2];
  if (!dir) throw new Error('usage: historyFiles.ts DIR');
  const out = await writeHistoryFiles(dir);
  for (const f of out.files) process.stdout.write(`${f.file}  --mapping ${f.mapping}\n`);
  process.stdout.write(`REGISTRY_FILE=${out.registry} MEASURES_FILE=${out.measures}\n`);
}

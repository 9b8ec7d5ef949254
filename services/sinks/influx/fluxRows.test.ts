import { InfluxDB, Point } from '@influxdata/influxdb-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBucket, deleteBucket, runId, STACK, writeLines } from '../../../test/helpers/stack.js';
import { fluxRows } from './fluxRows.js';

/** fluxRows against the stack's InfluxDB: the rows the client's own parser gives. */
describe('fluxRows', () => {
  const bucket = runId('fluxrows');
  const influx = new InfluxDB({ url: STACK.influxUrl, token: STACK.influxToken });
  const texts = ['plain', 'with, comma', 'with "quotes" and ""doubled""', 'line\nbreak\n\nand more', '', '"', 'åäö – 東京 🚲'.repeat(3000), JSON.stringify({ d: { a: [1, 2], s: 'x,"y"' } })];
  beforeAll(async () => {
    await createBucket(bucket);
    await writeLines(bucket, texts.map((t, i) => new Point('m').tag('device', `d${i % 3}`).tag('kind', i % 2 ? 'a' : 'b').stringField('v', t).timestamp(1_700_000_000_000 + i).toLineProtocol()!));
    await writeLines(bucket, Array.from({ length: 20_000 }, (_, i) => new Point('n').tag('device', `e${i % 7}`).floatField('x', i / 3).timestamp(1_700_000_000_000 + i).toLineProtocol()!));
  }, 60_000);
  afterAll(async () => {
    await deleteBucket(bucket).catch(() => {});
  });

  const collect = async (flux: string, columns: string[]) => {
    const out: string[][] = [];
    for await (const r of fluxRows(influx, STACK.influxOrg, flux, columns)) out.push(r);
    return out;
  };
  const viaClient = async (flux: string, columns: string[]) =>
    (await influx.getQueryApi(STACK.influxOrg).collectRows<Record<string, unknown>>(flux)).map((r) => columns.map((c) => (r[c] === undefined || r[c] === null ? '' : String(r[c]))));

  it('gives the values the client parses: quotes, commas, line breaks, multi-byte text across chunks, several tables', async () => {
    const flux = `from(bucket: "${bucket}") |> range(start: 0) |> filter(fn: (r) => r._measurement == "m")`;
    const rows = await collect(flux, ['_time', '_value', 'device', 'kind', 'absent']);
    expect(rows).toEqual(await viaClient(flux, ['_time', '_value', 'device', 'kind', 'absent']));
    // Flux's CSV writes a line break inside a value as \r\n (the client reads it so too).
    const sorted = rows.map((r) => r[1]!.replaceAll('\r\n', '\n')).sort();
    expect(sorted.length).toBe(texts.length);
    expect(sorted.map((v, i) => (v === [...texts].sort()[i] ? "=" : JSON.stringify(v).slice(0, 60)))).toEqual(texts.map(() => "="));
  }, 60_000);

  it('streams large results table by table, in the order the client gets them', async () => {
    const flux = `from(bucket: "${bucket}") |> range(start: 0) |> filter(fn: (r) => r._measurement == "n") |> keep(columns: ["_time", "_value", "device"])`;
    const rows = await collect(flux, ['device', '_time', '_value']);
    expect(rows).toHaveLength(20_000);
    expect(rows).toEqual(await viaClient(flux, ['device', '_time', '_value']));
  }, 60_000);

  it('throws on a query the server refuses and on an error inside the result', async () => {
    await expect(collect(`from(bucket: "${bucket}") |> range(start: 0) |> nosuch()`, ['_value'])).rejects.toThrow();
    await expect(collect(`from(bucket: "${bucket}") |> range(start: 0) |> filter(fn: (r) => r._measurement == "n") |> map(fn: (r) => ({ r with _value: if r._value > 5000.0 then die(msg: "boom") else r._value }))`, ['_value'])).rejects.toThrow(/boom/);
  }, 60_000);
});

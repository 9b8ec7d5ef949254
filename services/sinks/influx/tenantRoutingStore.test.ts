import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readingId, type CanonicalReading } from '../../core/reading.js';
import { TenantRoutingStore } from './tenantRoutingStore.js';
import { TenantStore } from '../../tenants/tenantStore.js';

/** A stand-in InfluxDB write endpoint: which bucket got which lines. */
const writes: Array<{ bucket: string; lines: string[] }> = [];
const influx = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const raw = Buffer.concat(chunks);
    const body = req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
    writes.push({ bucket: new URL(req.url!, 'http://x').searchParams.get('bucket')!, lines: body.toString().split('\n') });
    res.writeHead(204).end();
  });
});
const dir = mkdtempSync(join(tmpdir(), 'klimatpuls-routing-'));
const tenants = new TenantStore(dir);
let url: string;

function reading(tenant: string, deviceId: string): CanonicalReading {
  const base = { tenant, deviceId, metric: 'power' as const, observedAt: '2025-03-01T10:00:00.000Z' };
  return { id: readingId(base), ...base, kind: 'electricity_meter', value: 1, unit: 'kW', receivedAt: base.observedAt, source: { format: 'native', decoderVersion: '1', topic: 't' } };
}

beforeAll(async () => {
  await new Promise<void>((r) => influx.listen(0, '127.0.0.1', () => r()));
  url = `http://127.0.0.1:${(influx.address() as AddressInfo).port}`;
  await tenants.update((s) => {
    s.tenants.push({
      id: 'hsb', name: 'HSB', status: 'active', createdAt: '2025-01-01T00:00:00.000Z', updatedAt: '2025-01-01T00:00:00.000Z',
      mqtt: { username: 'hsb', passwordHash: 'x', mosquittoHash: 'x' }, apiTokens: [], grafanaOrgId: 2,
      influx: { bucket: 'tenant-hsb', bucketId: 'b1', readAuthorizationId: 'a1' },
    });
  });
});
afterAll(() => influx.close());

// Both ways the writer writes: reading objects, and the wire form it encodes as it parses.
const ways = {
  readings: (s: TenantRoutingStore, rs: CanonicalReading[]) => s.writeReadings(rs),
  'wire form': (s: TenantRoutingStore, rs: CanonicalReading[]) => s.wire.write(rs.map((r) => s.wire.encode(r)).join('\n')),
};

describe.each(Object.entries(ways))('TenantRoutingStore (%s)', (_, write) => {
  const opts = () => ({ url, token: 't', org: 'o', bucket: 'readings', measurement: 'readings' });

  it("writes a tenant's readings to its own bucket and, by default, to the main bucket; others to main only", async () => {
    writes.length = 0;
    await write(new TenantRoutingStore(opts(), tenants, true), [reading('hsb', 'el-1'), reading('kalmar', 'el-2')]);
    expect(writes.find((w) => w.bucket === 'tenant-hsb')!.lines).toEqual([expect.stringMatching(/^readings,device=el-1,kind=electricity_meter,tenant=hsb power=1 \d+$/)]);
    expect(writes.find((w) => w.bucket === 'readings')!.lines).toEqual([expect.stringContaining('device=el-1'), expect.stringContaining('device=el-2')]);
  });

  it('keeps tenant readings out of the main bucket when TENANT_READINGS_IN_MAIN_BUCKET is off', async () => {
    writes.length = 0;
    await write(new TenantRoutingStore(opts(), tenants, false), [reading('hsb', 'el-1'), reading('kalmar', 'el-2')]);
    expect(writes.find((w) => w.bucket === 'readings')!.lines).toEqual([expect.stringMatching(/^readings,device=el-2,/)]);
  });

  it('without tenant buckets it is the single-bucket store', async () => {
    writes.length = 0;
    await write(new TenantRoutingStore(opts(), new TenantStore(mkdtempSync(join(tmpdir(), 'klimatpuls-empty-'))), true), [reading('hsb', 'el-1')]);
    expect(writes.map((w) => w.bucket)).toEqual(['readings']);
  });
});

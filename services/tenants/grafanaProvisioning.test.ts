import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeGrafanaProvisioning } from './grafanaProvisioning.js';
import type { Tenant } from './model.js';

const tenant: Tenant = {
  id: 'kalmarhem', name: 'Kalmarhem "AB"', status: 'active', createdAt: '2025-01-01T00:00:00.000Z', updatedAt: '2025-01-01T00:00:00.000Z',
  mqtt: { username: 'kalmarhem', passwordHash: 'h', mosquittoHash: 'm' }, apiTokens: [], grafanaOrgId: 3,
  influx: { bucket: 'tenant-kalmarhem', bucketId: 'b', readAuthorizationId: 'a' },
};

describe('Grafana provisioning per tenant', () => {
  it('writes an organization, a data source on its bucket (token by file), a dashboard provider and a dashboard', () => {
    const dir = mkdtempSync(join(tmpdir(), 'klimatpuls-grafana-'));
    const out = writeGrafanaProvisioning(tenant, { dir, secretsDir: '/run/secrets/klimatpuls', influxUrl: 'http://influxdb:8086', influxOrg: 'klimatpuls' });
    expect(out).toBe(join(dir, 'kalmarhem'));
    expect(JSON.parse(readFileSync(join(out, 'org.json'), 'utf8'))).toMatchObject({ name: 'Kalmarhem "AB"', orgId: 3 });
    const ds = readFileSync(join(out, 'datasources/kalmarhem.yaml'), 'utf8');
    expect(ds).toContain('orgId: 3');
    expect(ds).toContain('name: "Klimatpuls Kalmarhem \\"AB\\""'); // quoted safely
    expect(ds).toContain('defaultBucket: "tenant-kalmarhem"');
    expect(ds).toContain('token: "$__file{/run/secrets/klimatpuls/kalmarhem.influx-read-token}"');
    const provider = readFileSync(join(out, 'dashboards/kalmarhem.yaml'), 'utf8');
    expect(provider).toContain('orgId: 3');
    expect(provider).toContain(`path: "${join(out, 'dashboards', 'json')}"`);
    const dash = JSON.parse(readFileSync(join(out, 'dashboards/json/devices.json'), 'utf8'));
    expect(JSON.stringify(dash)).toContain('from(bucket: \\"tenant-kalmarhem\\")');
    expect(readdirSync(out).sort()).toEqual(['dashboards', 'datasources', 'org.json']);
  });
});

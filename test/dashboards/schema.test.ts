import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DASHBOARDS_DIR } from '../../dashboards/build.js';
import { DATASOURCE_UID } from '../../dashboards/lib/panels.js';
import { loadSchemaCheck } from './schemaValidator.js';

/**
 * The committed dashboards are valid Grafana dashboards (@grafana/schema), and
 * every panel tells operations staff what it shows: title, unit, description.
 * The provisioning files point at what the dashboards and rules use.
 */
const files = readdirSync(DASHBOARDS_DIR).filter((f) => f.endsWith('.json')).sort();
const dashboards = files.map((f) => ({ file: f, json: JSON.parse(readFileSync(`${DASHBOARDS_DIR}/${f}`, 'utf8')) as Record<string, any> }));
const panelsOf = (d: Record<string, any>): Array<Record<string, any>> => (d.panels ?? []).flatMap((p: Record<string, any>) => (p.type === 'row' ? [p, ...(p.panels ?? [])] : [p]));
const schema = loadSchemaCheck();

describe('generated dashboards against @grafana/schema', () => {
  it('schemaTypes.ts compiles: the committed JSON fits the schema\'s Dashboard type (compile time)', () => {
    expect(schema.diagnostics).toEqual([]);
  });

  it.each(files)('%s validates against the Dashboard type (runtime)', (file) => {
    const d = dashboards.find((x) => x.file === file)!.json;
    expect(schema.validate(d)).toEqual([]);
    expect(d.uid).toMatch(/^klimatpuls-[a-z]+$/);
    expect(d.schemaVersion).toBeGreaterThanOrEqual(39);
  });

  it('the validator rejects what the schema forbids', () => {
    const d = structuredClone(dashboards[0]!.json);
    delete d.schemaVersion;
    d.panels[1].gridPos.w = '12';
    d.panels[2].fieldConfig = { defaults: {} };
    d.templating.list[0].type = 'not-a-variable-type';
    const errors = schema.validate(d).join('\n');
    for (const e of ['$.schemaVersion: required', '$.panels[1].gridPos.w', '$.panels[2].fieldConfig.overrides: required', '$.templating.list[0].type']) expect(errors).toContain(e);
  });
});

describe('every panel', () => {
  const all = dashboards.flatMap(({ file, json }) => panelsOf(json).filter((p) => p.type !== 'row').map((p) => ({ file, p })));

  it('has a title, a unit and a description for operations staff', () => {
    const bad = all.filter(({ p }) => !(p.title?.trim()) || !(p.fieldConfig?.defaults?.unit?.trim()) || !(p.description?.trim().length > 40))
      .map(({ file, p }) => `${file}: ${p.title ?? '(no title)'}`);
    expect(bad).toEqual([]);
    expect(all.length).toBeGreaterThan(40);
  });

  it('has a unique title, a grid position inside the 24 columns, and the Klimatpuls data source with one Flux query', () => {
    const titles = all.map(({ p }) => p.title);
    expect(titles.filter((t, i) => titles.indexOf(t) !== i)).toEqual([]);
    for (const { file, p } of all) {
      expect(p.gridPos.x + p.gridPos.w, `${file}: ${p.title}`).toBeLessThanOrEqual(24);
      if (p.type === 'alertlist') continue;
      expect(p.datasource, `${file}: ${p.title}`).toEqual({ type: 'influxdb', uid: DATASOURCE_UID });
      expect(p.targets, `${file}: ${p.title}`).toHaveLength(1);
      expect(p.targets[0].query, `${file}: ${p.title}`).toMatch(/from\(bucket: v\.defaultBucket\)/);
    }
  });

  it('panel ids are unique within each dashboard', () => {
    for (const { file, json } of dashboards) {
      const ids = panelsOf(json).map((p) => p.id);
      expect(new Set(ids).size, file).toBe(ids.length);
    }
  });
});

describe('provisioning', () => {
  const y = (f: string) => parse(readFileSync(f, 'utf8'));

  it('the data source has the uid every panel and rule uses, Flux, and takes URL, org, bucket and token from the environment', () => {
    const ds = y('deploy/grafana/provisioning/datasources/influxdb.yaml').datasources[0];
    expect(ds).toMatchObject({ uid: DATASOURCE_UID, type: 'influxdb', url: '${INFLUX_URL}', jsonData: { version: 'Flux', organization: '${INFLUX_ORG}', defaultBucket: '${INFLUX_BUCKET}' }, secureJsonData: { token: '${INFLUX_TOKEN}' } });
  });

  it('the dashboard provider puts the dashboards in the Klimatpuls folder, where the alert rules are', () => {
    const p = y('deploy/grafana/provisioning/dashboards/klimatpuls.yaml').providers[0];
    expect(p).toMatchObject({ type: 'file', folder: 'Klimatpuls', options: { path: '/etc/grafana/dashboards/klimatpuls' } });
    const rules = y('deploy/grafana/provisioning/alerting/klimatpuls.yaml');
    expect(rules.apiVersion).toBe(1);
    for (const g of rules.groups) expect(g.folder).toBe('Klimatpuls');
  });

  it('every alert rule queries the data source, reduces and thresholds, and links to an existing panel', () => {
    const rules = y('deploy/grafana/provisioning/alerting/klimatpuls.yaml').groups.flatMap((g: any) => g.rules);
    expect(rules.map((r: any) => r.uid).sort()).toEqual(['klimatpuls-consumer-lag', 'klimatpuls-container-full', 'klimatpuls-dead-letter-rate', 'klimatpuls-device-silent', 'klimatpuls-peak-power']);
    for (const r of rules) {
      expect(r.condition).toBe('C');
      expect(r.data.map((q: any) => [q.refId, q.datasourceUid])).toEqual([['A', DATASOURCE_UID], ['B', '__expr__'], ['C', '__expr__']]);
      expect(r.data[0].model.query).toMatch(/from\(bucket: v\.defaultBucket\)/);
      expect(r.data[0].model.query).not.toMatch(/\$\{/); // no dashboard variables in alerting
      const d = dashboards.find((x) => x.json.uid === r.dashboardUid)?.json;
      expect(d && panelsOf(d).some((p) => p.id === r.panelId), `${r.uid} → ${r.dashboardUid}/${r.panelId}`).toBe(true);
    }
  });
});

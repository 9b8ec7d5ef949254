import * as common from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as table from '@grafana/grafana-foundation-sdk/table';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import { getIndicator } from '../services/indicators/index.js';
import type { DashboardConfig } from './config.js';
import { finish, newDashboard, tenantVariable } from './lib/dashboard.js';
import { flux, TENANT } from './lib/flux.js';
import { byLabel, grafanaUnit, panel, STATUS_MAPPINGS } from './lib/panels.js';
import { targetPoints } from './lib/trajectory.js';

const RULES = 'Trajectory: linear from the baseline (the target\'s baseline value, or the stored value of the same period in the baseline year) at the middle of the baseline year to the goal in the target year, read at the middle of each period; status: on track when at or better than the trajectory, behind when worse by at most the tolerance (default 5 % of the baseline), off track beyond, not enough data when the value\'s coverage is insufficient or there is no baseline — the rules of the quarterly report (services/indicators/targets/README.md).';
const TABLE_COLUMNS: Array<[string, dashboard.DynamicConfigValue[]]> = [
  ['status', [{ id: 'mappings', value: STATUS_MAPPINGS }, { id: 'custom.cellOptions', value: { type: 'color-background' } }]],
  ['coverage', [{ id: 'unit', value: 'percentunit' }]],
];

/** Contract follow-up: every target's indicator against its trajectory, and the status per target. */
export function contractDashboard(c: DashboardConfig): dashboard.Dashboard {
  const statusTable = (title: string, description: string, latest: boolean) => {
    let p = panel(new table.PanelBuilder(), {
      title,
      description: `${description} ${RULES}`,
      unit: 'none',
      query: flux(`${targetPoints(c.targets, { tenant: TENANT })}${latest ? '\n  |> group(columns: ["target"])\n  |> sort(columns: ["_time"], desc: true)\n  |> limit(n: 1)' : ''}
  |> group()
  |> sort(columns: ${latest ? '["target"]' : '["target", "_time"]'})`),
      fields: ['_time', 'target', 'name', 'indicator', 'entity', 'period', 'unit', 'coverage', 'sufficient', 'status'],
      w: 24, h: latest ? 8 : 10,
    });
    for (const [name, props] of TABLE_COLUMNS) p = p.overrideByName(name, props);
    return p;
  };
  let d = newDashboard({
    uid: 'klimatpuls-contract',
    title: 'Klimatpuls · Contract follow-up',
    description: 'Klimatkontrakt 2030 follow-up: each target of the city\'s contract (services/indicators/targets/<city>.json), its indicator against the trajectory from the baseline to the goal, and the status per target — the figures of the quarterly report, continuously.',
    tags: ['contract', 'indicators'],
    from: 'now-2y',
    refresh: '15m',
  })
    .withVariable(tenantVariable())
    .withRow(new dashboard.RowBuilder('Status per target'))
    .withPanel(statusTable('Status per target, latest period', 'Every target of the selected tenant\'s contract with its latest period in the time range: the indicator value, the trajectory value for that period, the baseline and the status. A target without rows has no stored value yet.', true))
    .withPanel(statusTable('Every period of every target', 'The same for every period in the time range, oldest first per target: how the status developed.', false));
  for (const city of c.targets) {
    d = d.withRow(new dashboard.RowBuilder(`${city.name.en} — ${city.contract} (tenant ${city.tenant})`).collapsed(false));
    for (const t of city.targets) {
      const ind = getIndicator(t.indicator)!;
      d = d.withPanel(panel(new timeseries.PanelBuilder(), {
        title: `${city.name.en}: ${t.name.en}`,
        description: `${t.source}.${t.note ? ` ${t.note}` : ''} Measured = the ${ind.name.en.toLowerCase()} indicator (${t.indicator}, entity ${t.entity}) per ${t.periodKind}; trajectory = where it should be on the way from ${t.baselineYear} to ${t.targetYear}. ${ind.better === 'lower' ? 'Lower is better.' : 'Higher is better.'} This panel always shows tenant ${city.tenant}. ${RULES}`,
        unit: grafanaUnit(ind.unit),
        query: flux(`${targetPoints([{ ...city, targets: [t] }], { tenant: city.tenant, as: 'data' })}
measured = data |> filter(fn: (r) => exists r.value) |> map(fn: (r) => ({_time: r._time, _value: r.value, series: "measured"}))
trajectory = data |> filter(fn: (r) => exists r.trajectory) |> map(fn: (r) => ({_time: r._time, _value: r.trajectory, series: "trajectory"}))
union(tables: [measured, trajectory])
  |> group(columns: ["series"])
  |> sort(columns: ["_time"])`),
        fields: ['_time', '_value', 'series'],
        w: 12,
      }).overrideByRegexp('.*', [byLabel('series')]).showPoints(common.VisibilityMode.Always).pointSize(6)
        .overrideByName('trajectory', [{ id: 'custom.lineStyle', value: { fill: 'dash', dash: [10, 10] } }]));
    }
  }
  return finish(d);
}

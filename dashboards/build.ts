import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { alertRulesFile } from './alerts.js';
import type { DashboardConfig } from './config.js';
import { contractDashboard } from './contract.js';
import { energyDashboard } from './energy.js';
import { toJson } from './lib/dashboard.js';
import { mobilityDashboard } from './mobility.js';
import { overviewDashboard } from './overview.js';
import { pipelineDashboard } from './pipeline.js';
import { wasteDashboard } from './waste.js';

export const DASHBOARDS_DIR = 'deploy/grafana/dashboards';
export const ALERTS_FILE = 'deploy/grafana/provisioning/alerting/klimatpuls.yaml';

/** Every dashboard, by file name (without .json). */
export function buildDashboards(c: DashboardConfig): Record<string, dashboard.Dashboard> {
  return {
    overview: overviewDashboard(c),
    energy: energyDashboard(c),
    mobility: mobilityDashboard(c),
    waste: wasteDashboard(c),
    contract: contractDashboard(c),
    pipeline: pipelineDashboard(c),
  };
}

/** Every generated file, by path relative to the repository root, with its exact content. */
export function buildOutputs(c: DashboardConfig): Record<string, string> {
  const out: Record<string, string> = {};
  const dashboards = buildDashboards(c);
  for (const [name, d] of Object.entries(dashboards)) out[`${DASHBOARDS_DIR}/${name}.json`] = toJson(d);
  out[ALERTS_FILE] = alertRulesFile(c, (uid, title) => panelId(Object.values(dashboards), uid, title));
  return out;
}

/** The id of the panel titled `title` in dashboard `uid` (alert rules link to it). */
export function panelId(dashboards: dashboard.Dashboard[], uid: string, title: string): number {
  const p = dashboards.find((d) => d.uid === uid)?.panels?.find((x) => x.title === title);
  if (p?.id === undefined) throw new Error(`no panel ${JSON.stringify(title)} in dashboard ${uid}`);
  return p.id;
}

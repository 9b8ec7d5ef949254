import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { queryRows } from '../helpers/stack.js';
import { substitute, type Substitution } from './substitute.js';

export interface PanelQuery {
  dashboard: string;
  title: string;
  type: string;
  query: string;
}

interface Target {
  query?: string;
}

/** Every panel of every dashboard (rows' own panels included) with its Flux query; panels without one are listed with query ''. */
export function panelQueries(dashboards: Record<string, dashboard.Dashboard>): PanelQuery[] {
  const out: PanelQuery[] = [];
  for (const [name, d] of Object.entries(dashboards)) {
    const panels = (d.panels ?? []).flatMap((p) => (p.type === 'row' ? ((p as dashboard.RowPanel).panels ?? []) : [p as dashboard.Panel]));
    for (const p of panels) {
      const targets = ((p as dashboard.Panel).targets ?? []) as Target[];
      if (targets.length > 1) throw new Error(`${name}/${p.title}: one query per panel expected`);
      out.push({ dashboard: name, title: p.title ?? '', type: p.type, query: targets[0]?.query ?? '' });
    }
  }
  return out;
}

/** Measurements written "now" (by the running test pipeline), not at the scenario's observed times. */
export function isLive(query: string): boolean {
  return /r\._measurement == "(pipeline|pipeline_dead_letters|dead_letters)"/.test(query);
}

export type Row = Record<string, unknown>;

/** Runs a query as Grafana would send it; the rows without the client's bookkeeping columns. */
export async function run(query: string, s: Substitution): Promise<Row[]> {
  const flux = substitute(query, s);
  let rows: Row[];
  try {
    rows = await queryRows(flux);
  } catch (err) {
    throw new Error(`${(err as Error).message}\n--- query as sent:\n${flux}`);
  }
  return rows.map(({ result: _r, table: _t, ...rest }) => rest);
}

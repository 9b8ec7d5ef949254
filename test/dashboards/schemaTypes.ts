import type { Dashboard } from '@grafana/schema';
import contract from '../../deploy/grafana/dashboards/contract.json' with { type: 'json' };
import energy from '../../deploy/grafana/dashboards/energy.json' with { type: 'json' };
import mobility from '../../deploy/grafana/dashboards/mobility.json' with { type: 'json' };
import overview from '../../deploy/grafana/dashboards/overview.json' with { type: 'json' };
import pipeline from '../../deploy/grafana/dashboards/pipeline.json' with { type: 'json' };
import waste from '../../deploy/grafana/dashboards/waste.json' with { type: 'json' };

/**
 * The compile-time half of the schema check: the committed JSON files, as
 * TypeScript types them on import, must fit Grafana's dashboard type from
 * @grafana/schema. JSON imports widen every string to `string` (TypeScript
 * cannot see "timeseries" or an enum member in a .json file), so the schema
 * type is widened the same way: every required field must be there, with the
 * right primitive type, array or object shape, at every depth. The exact values
 * (string unions, enum members) are the runtime half's job (schema.test.ts,
 * which also compiles this file and fails on any diagnostic).
 */
type Widen<T> = unknown extends T ? T
  : T extends string ? string
  : T extends number ? number
  : T extends boolean ? boolean
  : T extends null | undefined ? T
  : T extends (...args: never[]) => unknown ? never
  : T extends ReadonlyArray<infer U> ? Array<Widen<U>>
  : { [K in keyof T]: Widen<T[K]> };

export type SchemaDashboard = Dashboard;

export const committed: Record<string, Widen<Dashboard>> = { overview, energy, mobility, waste, contract, pipeline };

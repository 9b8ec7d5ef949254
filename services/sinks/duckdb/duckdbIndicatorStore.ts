import type { IndicatorStore } from '../../core/storePorts.js';
import type { IndicatorValue } from '../../indicators/types.js';
import type { DuckDbStore } from './duckdbStore.js';

const esc = (s: string) => s.replace(/'/g, "''");

/** DuckDB table `indicators` (embedded `npm start`). */
export function duckDbIndicatorStore(store: DuckDbStore): IndicatorStore {
  let ready: Promise<unknown> | undefined;
  const init = () =>
    (ready ??= store.queryRows(`CREATE TABLE IF NOT EXISTS indicators (
      indicator VARCHAR, tenant VARCHAR, entity VARCHAR, period VARCHAR, period_kind VARCHAR,
      value DOUBLE, unit VARCHAR, coverage DOUBLE, sufficient BOOLEAN, details VARCHAR,
      PRIMARY KEY (indicator, tenant, entity, period))`));
  return {
    async write(values) {
      await init();
      for (let i = 0; i < values.length; i += 500) {
        const rows = values.slice(i, i + 500).map((v) =>
          `('${esc(v.indicator)}','${esc(v.tenant)}','${esc(v.entity)}','${esc(v.period)}','${v.periodKind}',${Number.isFinite(v.value) ? v.value : 'NULL'},'${esc(v.unit)}',${v.coverage},${v.sufficient},'${esc(JSON.stringify(v.details ?? {}))}')`,
        );
        await store.queryRows(`INSERT OR REPLACE INTO indicators VALUES ${rows.join(',')}`);
      }
    },
    async query(q) {
      await init();
      const where = [
        q.indicator && `indicator = '${esc(q.indicator)}'`,
        q.period && `period = '${esc(q.period)}'`,
        q.tenant && `tenant = '${esc(q.tenant)}'`,
        q.entity && `entity = '${esc(q.entity)}'`,
      ].filter(Boolean);
      const rows = await store.queryRows(`SELECT * FROM indicators ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY indicator, tenant, period, entity`);
      return rows.map((r) => ({
        indicator: String(r.indicator), tenant: String(r.tenant), entity: String(r.entity), period: String(r.period),
        periodKind: r.period_kind as IndicatorValue['periodKind'], value: r.value === null ? Number.NaN : Number(r.value), unit: String(r.unit),
        coverage: Number(r.coverage), sufficient: Boolean(r.sufficient), details: JSON.parse(String(r.details)),
      }));
    },
  };
}

import type { IndicatorStore, ValueProvenance } from '../../core/storePorts.js';
import type { IndicatorValue } from '../../indicators/types.js';
import type { DuckDbStore } from './duckdbStore.js';

const esc = (s: string) => s.replace(/'/g, "''");
const COLUMNS = 'indicator, tenant, entity, period, period_kind, value, unit, coverage, sufficient, details, computed_ms, window_from, window_to, basis';

function valueOf(r: Record<string, unknown>): IndicatorValue {
  return {
    indicator: String(r.indicator), tenant: String(r.tenant), entity: String(r.entity), period: String(r.period),
    periodKind: r.period_kind as IndicatorValue['periodKind'], value: r.value === null ? Number.NaN : Number(r.value), unit: String(r.unit),
    coverage: Number(r.coverage), sufficient: Boolean(r.sufficient), details: JSON.parse(String(r.details)),
  };
}

function provenanceOf(r: Record<string, unknown>): ValueProvenance | undefined {
  if (r.computed_ms === null || r.computed_ms === undefined || r.basis === null) return undefined;
  return { computedAt: Number(r.computed_ms), windowFrom: Number(r.window_from), windowTo: Number(r.window_to), basis: String(r.basis) };
}

/** DuckDB table `indicators` (embedded `npm start`); a value's provenance in computed_ms, window_from, window_to, basis. */
export function duckDbIndicatorStore(store: DuckDbStore): IndicatorStore {
  let ready: Promise<unknown> | undefined;
  const init = () =>
    (ready ??= store.queryRows(`CREATE TABLE IF NOT EXISTS indicators (
      indicator VARCHAR, tenant VARCHAR, entity VARCHAR, period VARCHAR, period_kind VARCHAR,
      value DOUBLE, unit VARCHAR, coverage DOUBLE, sufficient BOOLEAN, details VARCHAR,
      PRIMARY KEY (indicator, tenant, entity, period));
      ALTER TABLE indicators ADD COLUMN IF NOT EXISTS computed_ms DOUBLE;
      ALTER TABLE indicators ADD COLUMN IF NOT EXISTS window_from DOUBLE;
      ALTER TABLE indicators ADD COLUMN IF NOT EXISTS window_to DOUBLE;
      ALTER TABLE indicators ADD COLUMN IF NOT EXISTS basis VARCHAR;`));
  return {
    // Through an appender into a staging table, merged with one INSERT OR REPLACE: a
    // quarter of a city is ~120,000 values, and VALUES lists cost ~120 µs a value.
    async write(values, provenance) {
      await init();
      if (values.length === 0) return;
      await store.onConnection(async (c) => {
        await c.run(`CREATE TEMP TABLE IF NOT EXISTS indicators_stage AS SELECT ${COLUMNS} FROM indicators LIMIT 0`);
        const a = await c.createAppender('indicators_stage', 'main', 'temp');
        const opt = (x: number | undefined) => (x !== undefined && Number.isFinite(x) ? a.appendDouble(x) : a.appendNull());
        // Last one wins within a batch, as in the table.
        const unique = new Map(values.map((v) => [`${v.indicator}\u0000${v.tenant}\u0000${v.entity}\u0000${v.period}`, v]));
        for (const v of unique.values()) {
          const p = provenance?.(v);
          a.appendVarchar(v.indicator); a.appendVarchar(v.tenant); a.appendVarchar(v.entity); a.appendVarchar(v.period); a.appendVarchar(v.periodKind);
          opt(v.value); a.appendVarchar(v.unit); a.appendDouble(v.coverage); a.appendBoolean(v.sufficient); a.appendVarchar(JSON.stringify(v.details ?? {}));
          opt(p?.computedAt); opt(p?.windowFrom); opt(p?.windowTo);
          if (p) a.appendVarchar(p.basis);
          else a.appendNull();
          a.endRow();
        }
        a.flushSync();
        a.closeSync();
        try {
          await c.run(`BEGIN; INSERT OR REPLACE INTO indicators (${COLUMNS}) SELECT ${COLUMNS} FROM temp.indicators_stage; DELETE FROM temp.indicators_stage; COMMIT;`);
        } catch (err) {
          await c.run('ROLLBACK; DELETE FROM temp.indicators_stage;').catch(() => {});
          throw err;
        }
      });
    },
    async query(q) {
      await init();
      const where = [
        q.indicator && `indicator = '${esc(q.indicator)}'`,
        q.period && `period = '${esc(q.period)}'`,
        q.tenant && `tenant = '${esc(q.tenant)}'`,
        q.entity && `entity = '${esc(q.entity)}'`,
      ].filter(Boolean);
      const rows = await store.queryRows(`SELECT ${COLUMNS} FROM indicators ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY indicator, tenant, period, entity`);
      return rows.map(valueOf);
    },
    async stored(q) {
      await init();
      const entities = q.entities ? `AND entity IN (${q.entities.length ? q.entities.map((e) => `'${esc(e)}'`).join(',') : 'NULL'})` : '';
      const rows = await store.queryRows(`SELECT ${COLUMNS} FROM indicators WHERE indicator = '${esc(q.indicator)}' AND tenant = '${esc(q.tenant)}' AND period = '${esc(q.period)}' ${entities} ORDER BY entity`);
      return rows.map((r) => {
        const p = provenanceOf(r);
        return { value: valueOf(r), ...(p ? { provenance: p } : {}) };
      });
    },
  };
}

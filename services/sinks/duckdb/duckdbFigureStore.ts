import type { FigureStore, YearlyFigure } from '../../core/storePorts.js';
import type { DuckDbStore } from './duckdbStore.js';

const esc = (s: string) => s.replace(/'/g, "''");

/** DuckDB table `yearly_figures`: one row per tenant, figure, entity and year (written again = replaced). */
export function duckDbFigureStore(store: DuckDbStore): FigureStore {
  let ready: Promise<unknown> | undefined;
  const init = () =>
    (ready ??= store.queryRows(`CREATE TABLE IF NOT EXISTS yearly_figures (
      tenant VARCHAR, figure VARCHAR, entity VARCHAR, year INTEGER, value DOUBLE NOT NULL, unit VARCHAR NOT NULL,
      source VARCHAR NOT NULL, imported_from VARCHAR, PRIMARY KEY (tenant, figure, entity, year))`));
  return {
    async write(figures) {
      await init();
      const unique = [...new Map(figures.map((f) => [`${f.tenant}\u0000${f.figure}\u0000${f.entity}\u0000${f.year}`, f])).values()];
      for (let i = 0; i < unique.length; i += 500) {
        const rows = unique.slice(i, i + 500).map((f) =>
          `('${esc(f.tenant)}','${esc(f.figure)}','${esc(f.entity)}',${Math.trunc(f.year)},${Number(f.value)},'${esc(f.unit)}','${esc(f.source)}',${f.importedFrom === undefined ? 'NULL' : `'${esc(f.importedFrom)}'`})`,
        );
        await store.queryRows(`INSERT OR REPLACE INTO yearly_figures VALUES ${rows.join(',')}`);
      }
    },
    async query(q) {
      await init();
      const where = [
        q.tenant && `tenant = '${esc(q.tenant)}'`,
        q.figure && `figure = '${esc(q.figure)}'`,
        q.entity && `entity = '${esc(q.entity)}'`,
        q.year !== undefined && `year = ${Math.trunc(q.year)}`,
      ].filter(Boolean);
      const rows = await store.queryRows(`SELECT * FROM yearly_figures ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY tenant, figure, entity, year`);
      return rows.map((r): YearlyFigure => ({
        tenant: String(r.tenant), figure: String(r.figure), entity: String(r.entity), year: Number(r.year), value: Number(r.value),
        unit: String(r.unit), source: String(r.source), ...(r.imported_from != null ? { importedFrom: String(r.imported_from) } : {}),
      }));
    },
  };
}

import { DuckDBInstance } from '@duckdb/node-api';
const db = await DuckDBInstance.create(process.argv[2]!); const c = await db.connect();
await c.run('DROP TABLE IF EXISTS rollups; DROP TABLE IF EXISTS rollup_dirty;'); c.closeSync(); db.closeSync();

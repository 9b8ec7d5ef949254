import { spawn } from 'node:child_process';
import { constants } from 'node:os';

/**
 * The memory settings of the processes that compute indicators (`klimatpuls report`,
 * `klimatpuls indicators`; docs/scaling.md):
 * - glibc's malloc keeps at most 2 arenas (MALLOC_ARENA_MAX; by default 8 per core,
 *   each keeping what Node's threads freed);
 * - DuckDB's own allocator (the jemalloc inside libduckdb, configured by
 *   DUCKDB_JE_MALLOC_CONF) hands freed pages back at once instead of keeping them
 *   for seconds: its sorts and scans free and allocate tens of MB per query;
 * - V8's old space is capped at 512 MB (--max-old-space-size), so V8 collects before
 *   the heap grows past it (256 MB ran a full-scale InfluxDB quarter out of heap), and
 *   its young generation at 4 MB semi-spaces (--max-semi-space-size; V8's default lets
 *   them grow to 16 MB each), so short-lived rollup rows are collected young.
 * They only take effect when a process starts: without them in the environment, the
 * command starts itself again with them and exits as that child exits. Each set by
 * the operator is kept as set (MALLOC_ARENA_MAX=0 for glibc's own default,
 * DUCKDB_JE_MALLOC_CONF= for DuckDB's); KLIMATPULS_MEMORY_DEFAULTS=off leaves all alone.
 */
export const INDICATOR_MALLOC_ARENA_MAX = '2';
export const INDICATOR_DUCKDB_MALLOC_CONF = 'dirty_decay_ms:0,muzzy_decay_ms:0';
export const INDICATOR_OLD_SPACE_MB = 512;
export const INDICATOR_SEMI_SPACE_MB = 4;

/** The environment with the defaults added, or undefined when nothing needs adding. */
export function memoryDefaultsEnv(env: NodeJS.ProcessEnv, execArgv: readonly string[], platform = process.platform): NodeJS.ProcessEnv | undefined {
  if (env.KLIMATPULS_MEMORY_DEFAULTS === 'off') return undefined;
  const linux = platform === 'linux';
  const arenas = linux && env.MALLOC_ARENA_MAX === undefined;
  const duckdb = linux && env.DUCKDB_JE_MALLOC_CONF === undefined;
  const given = (flag: string) => new RegExp(flag).test(env.NODE_OPTIONS ?? '') || execArgv.some((a) => a.startsWith(flag));
  const flags = [
    ...(given('--max-old-space-size') ? [] : [`--max-old-space-size=${INDICATOR_OLD_SPACE_MB}`]),
    ...(given('--max-semi-space-size') ? [] : [`--max-semi-space-size=${INDICATOR_SEMI_SPACE_MB}`]),
  ];
  if (!arenas && !duckdb && flags.length === 0) return undefined;
  return {
    ...env,
    ...(arenas ? { MALLOC_ARENA_MAX: INDICATOR_MALLOC_ARENA_MAX } : {}),
    ...(duckdb ? { DUCKDB_JE_MALLOC_CONF: INDICATOR_DUCKDB_MALLOC_CONF } : {}),
    ...(flags.length === 0 ? {} : { NODE_OPTIONS: [env.NODE_OPTIONS, ...flags].filter(Boolean).join(' ') }),
    // The child has them: it must not start itself once more.
    KLIMATPULS_MEMORY_DEFAULTS: 'off',
  };
}

/**
 * Runs this process again with the memory defaults when they are missing: resolves
 * false when they are in place (carry on), else never (the process exits with the
 * child's code; SIGINT, SIGTERM and SIGHUP are passed on to it).
 */
export function withMemoryDefaults(): Promise<boolean> {
  const env = memoryDefaultsEnv(process.env, process.execArgv);
  if (!env) return Promise.resolve(false);
  const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit', env });
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, () => child.kill(sig));
  return new Promise<boolean>(() => {
    child.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 + constants.signals[signal] : 1)));
    child.on('error', (err) => {
      process.stderr.write(`klimatpuls: could not start with the memory defaults (${err.message})\n`);
      process.exit(1);
    });
  });
}

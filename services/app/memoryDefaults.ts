import { spawn } from 'node:child_process';
import { constants } from 'node:os';

/**
 * The memory settings of the processes that compute indicators (`klimatpuls report`,
 * `klimatpuls indicators`; docs/scaling.md): glibc's malloc keeps at most 2 arenas
 * (MALLOC_ARENA_MAX; by default 8 per core, each keeping what DuckDB's and Node's
 * threads freed) and V8's old space is capped at 512 MB (--max-old-space-size), so V8
 * collects before the heap grows past it (256 MB ran a full-scale InfluxDB quarter out
 * of heap). Both only take effect when a process
 * starts: without them in the environment, the command starts itself again with
 * them and exits as that child exits. Either set by the operator is kept as set
 * (MALLOC_ARENA_MAX=0 for glibc's own default); KLIMATPULS_MEMORY_DEFAULTS=off
 * leaves both alone.
 */
export const INDICATOR_MALLOC_ARENA_MAX = '2';
export const INDICATOR_OLD_SPACE_MB = 512;

/** The environment with the defaults added, or undefined when nothing needs adding. */
export function memoryDefaultsEnv(env: NodeJS.ProcessEnv, execArgv: readonly string[], platform = process.platform): NodeJS.ProcessEnv | undefined {
  if (env.KLIMATPULS_MEMORY_DEFAULTS === 'off') return undefined;
  const arenas = platform === 'linux' && env.MALLOC_ARENA_MAX === undefined;
  const heapSet = /--max-old-space-size/.test(env.NODE_OPTIONS ?? '') || execArgv.some((a) => a.startsWith('--max-old-space-size'));
  if (!arenas && heapSet) return undefined;
  return {
    ...env,
    ...(arenas ? { MALLOC_ARENA_MAX: INDICATOR_MALLOC_ARENA_MAX } : {}),
    ...(heapSet ? {} : { NODE_OPTIONS: `${env.NODE_OPTIONS ? `${env.NODE_OPTIONS} ` : ''}--max-old-space-size=${INDICATOR_OLD_SPACE_MB}` }),
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

import { RequestError } from '../core/errors.js';

/**
 * Bounds on what a tenant may put into the registry through the API or the CLI.
 * Every change rewrites the whole registry file, so one tenant's huge `params` or
 * endless devices would slow every change for everyone and, near V8's string limit
 * (512 MB), make the file impossible to write at all (issue 13, item 11).
 * Records already in the file are not re-checked: tightening a limit never makes
 * an existing registry unreadable.
 */
export interface RegistryLimits {
  /** MAX_DEVICES_PER_TENANT */
  maxDevicesPerTenant: number;
  /** MAX_BUILDINGS_PER_TENANT */
  maxBuildingsPerTenant: number;
}

export const PARAMS_LIMITS = { maxKeys: 32, maxKeyLength: 64, maxStringLength: 256, maxBytes: 4096 } as const;
const KEY_RE = /^[A-Za-z0-9_.-]+$/;

/**
 * Checks a `params` object (model parameters: Atemp, households, volume ...): at most
 * 32 keys of letters, digits, `_ . -` (64 characters), each a finite number, a
 * boolean or a string of at most 256 characters, 4 kB as JSON in all. Throws a 400
 * naming the field and the limit. Hand-written rather than a zod schema so that the
 * message says which limit, and so that nothing recurses into a nested value.
 */
export function checkParams(value: unknown, field = 'params'): void {
  if (value === undefined) return;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new RequestError('INVALID_INPUT', `${field}: an object of key: value`);
  const keys = Object.keys(value);
  const L = PARAMS_LIMITS;
  if (keys.length > L.maxKeys) throw new RequestError('INVALID_INPUT', `${field}: at most ${L.maxKeys} keys (got ${keys.length})`);
  for (const k of keys) {
    if (k.length === 0 || k.length > L.maxKeyLength || !KEY_RE.test(k)) {
      throw new RequestError('INVALID_INPUT', `${field}: keys are 1-${L.maxKeyLength} letters, digits, _ . - (got ${JSON.stringify(k.slice(0, L.maxKeyLength))}${k.length > L.maxKeyLength ? '...' : ''})`);
    }
    const v = (value as Record<string, unknown>)[k];
    const ok = typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v)) || (typeof v === 'string' && v.length <= L.maxStringLength);
    if (!ok) throw new RequestError('INVALID_INPUT', `${field}.${k}: a finite number, a boolean or a string of at most ${L.maxStringLength} characters`);
  }
  const bytes = Buffer.byteLength(JSON.stringify(value));
  if (bytes > L.maxBytes) throw new RequestError('INVALID_INPUT', `${field}: at most ${L.maxBytes} bytes as JSON (got ${bytes})`);
}

/** 409 when the tenant already has `limit` records of this kind. */
export function checkCount(count: number, limit: number, what: 'devices' | 'buildings', variable: string): void {
  if (count >= limit) throw new RequestError('CONFLICT', `${what}: a tenant may have at most ${limit} (${variable}); remove some first`);
}

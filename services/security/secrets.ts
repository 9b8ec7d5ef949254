import { createHash, pbkdf2Sync, randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * Secrets Klimatpuls issues (admin tokens, tenant API tokens, MQTT passwords) and
 * how they are kept: only a salted scrypt hash is stored; the secret itself is
 * shown once, to whoever created it.
 *
 * Token format: `kp<kind>_<id>_<secret>` (kind `a` admin, `o` operator, `t` tenant). The id
 * names the stored record, so a token is checked against one hash, not all.
 */
export type TokenKind = 'a' | 'o' | 't';

export interface IssuedToken {
  id: string;
  token: string;
}

const SCRYPT: ScryptOptions = { N: 16_384, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };
const KEYLEN = 32;

export function randomSecret(bytes = 24): string {
  return randomBytes(bytes).toString('base64url');
}

export function issueToken(kind: TokenKind): IssuedToken {
  const id = randomBytes(6).toString('hex');
  return { id, token: `kp${kind}_${id}_${randomSecret(32)}` };
}

/** The record id and kind of a well-formed token; undefined for anything else. */
export function parseToken(token: string): { kind: TokenKind; id: string } | undefined {
  const m = /^kp([aot])_([0-9a-f]{12})_[A-Za-z0-9_-]{43}$/.exec(token);
  return m ? { kind: m[1] as TokenKind, id: m[2]! } : undefined;
}

function scryptAsync(secret: string, salt: Buffer, keylen: number): Promise<Buffer> {
  return new Promise((resolve, reject) => scrypt(secret, salt, keylen, SCRYPT, (err, key) => (err ? reject(err) : resolve(key))));
}

/** `scrypt$N$r$p$salt$hash` (base64): what the registry stores instead of a secret. */
export async function hashSecret(secret: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scryptAsync(secret, salt, KEYLEN);
  return `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

export async function verifySecret(secret: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [, n, r, p, saltB64, hashB64] = parts as [string, string, string, string, string, string];
  const expected = Buffer.from(hashB64, 'base64');
  const actual = await new Promise<Buffer>((resolve, reject) =>
    scrypt(secret, Buffer.from(saltB64, 'base64'), expected.length, { N: Number(n), r: Number(r), p: Number(p), maxmem: SCRYPT.maxmem }, (err, key) =>
      err ? reject(err) : resolve(key),
    ),
  );
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/**
 * Mosquitto's own password-file hash (`$7$`: PBKDF2-SHA512, 101 iterations, 12-byte
 * salt), what `mosquitto_passwd` writes in 2.0. Mosquitto can only check its own
 * format, so the registry keeps this hash next to the scrypt one. The MQTT password is
 * 192 random bits, so the low iteration count gives an attacker nothing to guess at.
 */
export function mosquittoHash(password: string, salt = randomBytes(12)): string {
  const hash = pbkdf2Sync(password, salt, 101, 64, 'sha512');
  return `$7$101$${salt.toString('base64')}$${hash.toString('base64')}`;
}

/** Equal-time comparison of two secrets of any length (e.g. the bootstrap ADMIN_TOKEN). */
export function sameSecret(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}

/** A non-reversible fingerprint for caches; never stored, never logged. */
export function fingerprint(secret: string): string {
  return createHash('sha256').update(secret).digest('base64');
}

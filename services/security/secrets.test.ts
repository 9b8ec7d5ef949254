import { describe, expect, it } from 'vitest';
import { fingerprint, hashSecret, issueToken, mosquittoHash, parseToken, randomSecret, sameSecret, verifySecret } from './secrets.js';

describe('secrets', () => {
  it('issues tokens that name their record and parse back; anything else is not a token', () => {
    const t = issueToken('a');
    expect(t.token).toMatch(/^kpa_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
    expect(parseToken(t.token)).toEqual({ kind: 'a', id: t.id });
    expect(parseToken(issueToken('t').token)?.kind).toBe('t');
    for (const bad of ['', 'kpa_', `${t.token}x`, t.token.replace('kpa', 'kpx'), 'Bearer x']) expect(parseToken(bad)).toBeUndefined();
    expect(issueToken('a').token).not.toBe(issueToken('a').token);
  });

  it('stores only a salted scrypt hash and verifies against it', async () => {
    const secret = randomSecret();
    const h1 = await hashSecret(secret);
    const h2 = await hashSecret(secret);
    expect(h1).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(h1).not.toContain(secret);
    expect(h1).not.toBe(h2); // salted
    expect(await verifySecret(secret, h1)).toBe(true);
    expect(await verifySecret(`${secret}x`, h1)).toBe(false);
    expect(await verifySecret(secret, 'plain')).toBe(false);
  });

  it("writes Mosquitto 2.0's $7$ hash (as mosquitto_passwd does)", () => {
    // mosquitto_passwd -b pw alice secret1 wrote: alice:$7$101$socS9g7zA+Kq8qsL$VgDu...
    const salt = Buffer.from('socS9g7zA+Kq8qsL', 'base64');
    expect(mosquittoHash('secret1', salt)).toBe('$7$101$socS9g7zA+Kq8qsL$VgDuMY1MdmsR3h9Z7MBrOlfXBaM3I3Xgn85lgR7OOkfbZG2bm4ahRUkJGF1XRETsaLqwbl+nIe7pto/KEectgA==');
    expect(mosquittoHash('secret1')).toMatch(/^\$7\$101\$[A-Za-z0-9+/]{16}\$[A-Za-z0-9+/]{86}==$/);
  });

  it('compares secrets of any length and fingerprints them without revealing them', () => {
    expect(sameSecret('abc', 'abc')).toBe(true);
    expect(sameSecret('abc', 'abcd')).toBe(false);
    expect(fingerprint('abc')).not.toContain('abc');
  });
});

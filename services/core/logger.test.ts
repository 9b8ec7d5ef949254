import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.js';

describe('logger redaction', () => {
  it('never writes tokens, passwords, credentials or Authorization headers', () => {
    const out: string[] = [];
    const log = createLogger('info', new Writable({ write: (c, _e, cb) => (out.push(String(c)), cb()) }));
    const secret = 'kpt_0123456789ab_SECRETSECRETSECRET';
    log.info({ token: secret, password: secret, apiToken: secret, credentials: { mqtt: { password: secret } } }, 'top level');
    log.info({ req: { headers: { authorization: `Bearer ${secret}` } }, tenant: { readToken: secret, ADMIN_TOKEN: secret } }, 'nested');
    log.child({ component: 'x' }).info({ headers: { authorization: secret } }, 'child');
    expect(out).toHaveLength(3);
    for (const line of out) expect(line).not.toContain('SECRET');
    expect(out.join('')).toContain('[redacted]');
  });
});

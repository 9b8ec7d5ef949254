import { readFileSync } from 'node:fs';
import { createServer as createHttp, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttps } from 'node:https';
import { ConfigError } from '../core/errors.js';

/** PEM certificate chain and key for the TLS listeners (TLS_CERT_FILE, TLS_KEY_FILE). */
export interface TlsFiles {
  cert: Buffer;
  key: Buffer;
}

/** Reads the configured certificate and key; undefined when TLS is not configured. */
export function loadTls(c: { TLS_CERT_FILE?: string; TLS_KEY_FILE?: string }): TlsFiles | undefined {
  if (!c.TLS_CERT_FILE || !c.TLS_KEY_FILE) return undefined;
  const read = (variable: string, path: string) => {
    try {
      return readFileSync(path);
    } catch (err) {
      throw new ConfigError(variable, 'a readable PEM file', `${path}: ${(err as NodeJS.ErrnoException).code ?? 'unreadable'}`);
    }
  };
  return { cert: read('TLS_CERT_FILE', c.TLS_CERT_FILE), key: read('TLS_KEY_FILE', c.TLS_KEY_FILE) };
}

/** An HTTP server, or HTTPS (TLS 1.2+) when certificates are given. */
export function createWebServer(tls: TlsFiles | undefined, handler: (req: IncomingMessage, res: ServerResponse) => void): Server {
  return tls ? createHttps({ cert: tls.cert, key: tls.key, minVersion: 'TLSv1.2' }, handler) : createHttp(handler);
}

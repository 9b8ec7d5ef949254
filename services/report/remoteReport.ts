import { existsSync, readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { rootCertificates } from 'node:tls';
import { join } from 'node:path';
import { tenantsDir, type Config } from '../core/config.js';
import { ConfigError, errorMessage, KlimatpulsError, RequestError } from '../core/errors.js';
import type { Lang, ReportData } from './reportData.js';

/**
 * The report data from a running Klimatpuls server (`GET /api/report`, with the
 * operator token): what `klimatpuls report` uses while `npm start` holds the
 * embedded DuckDB file (DuckDB lets one process open a database file for writing
 * and no other process open it at the same time, not even read-only).
 */

/** Where this configuration's server listens: HTTP_HOST (loopback when it listens on every interface), HTTP_PORT or `start`'s 8080; https with TLS_CERT_FILE. */
export function runningServerUrl(c: Config): string {
  const host = c.HTTP_HOST === '0.0.0.0' ? '127.0.0.1' : c.HTTP_HOST === '::' ? '::1' : c.HTTP_HOST;
  return `${c.TLS_CERT_FILE ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${c.HTTP_PORT ?? 8080}`;
}

/** OPERATOR_TOKEN, else the token the first `start` left in TENANTS_DIR/operator.token. */
export function operatorTokenOf(c: Config): string {
  if (c.OPERATOR_TOKEN) return c.OPERATOR_TOKEN;
  const file = join(tenantsDir(c), 'operator.token');
  const token = existsSync(file) ? readFileSync(file, 'utf8').trim() : '';
  if (!token) throw new ConfigError('OPERATOR_TOKEN', `the running server's operator token (none in ${file}; \`klimatpuls operator-token create\` issues one)`);
  return token;
}

export interface RemoteReportOptions {
  /** Base URL of the server, e.g. http://127.0.0.1:8080. */
  server: string;
  token: string;
  city: string;
  quarter: string;
  lang: Lang;
  /** PEM certificates trusted besides Node's roots (the server's own TLS_CERT_FILE). */
  ca?: string;
  /** How long the server may compute; default 30 minutes (a city's quarter can take minutes). */
  timeoutMs?: number;
}

export async function fetchReportData(o: RemoteReportOptions): Promise<ReportData> {
  const url = new URL('/api/report', o.server);
  url.search = new URLSearchParams({ city: o.city, quarter: o.quarter, lang: o.lang }).toString();
  let res: { status: number; body: string };
  try {
    res = await get(url, o);
  } catch (err) {
    throw new KlimatpulsError('STORE_UNAVAILABLE', `no Klimatpuls server answers at ${o.server} (${errorMessage(err)})`, { retriable: true, cause: err });
  }
  let body: unknown;
  try {
    body = JSON.parse(res.body);
  } catch {
    body = undefined;
  }
  const error = (body as { error?: unknown } | undefined)?.error;
  const said = typeof error === 'string' ? error : String(res.status);
  if (res.status === 401) throw new RequestError('UNAUTHORIZED', `${o.server} refused the operator token (OPERATOR_TOKEN or TENANTS_DIR/operator.token)`);
  if (res.status === 403) throw new RequestError('FORBIDDEN', `${o.server}: the token is not an operator token`);
  if (res.status === 404) throw new RequestError('NOT_FOUND', `${o.server} has no /api/report (not a Klimatpuls server, or an older one)`);
  if (res.status >= 400 && res.status < 500) throw new RequestError('INVALID_INPUT', `${o.server}: ${said}`);
  if (res.status !== 200) throw new KlimatpulsError('STORE_UNAVAILABLE', `${o.server} could not build the report: ${res.status} ${said}`);
  const data = body as ReportData;
  if (data?.city === undefined || data.quarter !== o.quarter || data.lang !== o.lang || !Array.isArray(data.targets)) {
    throw new KlimatpulsError('STORE_UNAVAILABLE', `${o.server}: the answer is not the report of ${o.city} ${o.quarter} (${o.lang})`);
  }
  return data;
}

/** node:http(s) rather than fetch: fetch gives up after 5 minutes without response headers. */
function get(url: URL, o: RemoteReportOptions): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const headers = { authorization: `Bearer ${o.token}`, accept: 'application/json' };
    const opts = url.protocol === 'https:' ? { headers, ...(o.ca ? { ca: [...rootCertificates, o.ca] } : {}) } : { headers };
    const req = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, opts, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.setTimeout(o.timeoutMs ?? 30 * 60_000, () => req.destroy(new Error(`no answer within ${Math.round((o.timeoutMs ?? 30 * 60_000) / 1000)} s`)));
    req.on('error', reject);
    req.end();
  });
}

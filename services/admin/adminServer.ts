import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { errorMessage, KlimatpulsError, RequestError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { createWebServer, type TlsFiles } from '../security/tls.js';
import { principalLabel, type AccessTokens, type Principal } from '../tenants/accessTokens.js';
import type { Route } from './adminRoutes.js';
import { readJsonBody } from './requestBody.js';

export interface AdminServerOptions {
  host: string;
  port: number;
  routes: Route[];
  tokens: AccessTokens;
  logger: Logger;
  /** Largest request body of a route without its own `maxBodyBytes` (a dry run carries a payload and has its own). */
  maxBodyBytes: number;
  tls?: TlsFiles;
}

/**
 * The admin and tenant API (JSON over HTTP, HTTPS with TLS_CERT_FILE/TLS_KEY_FILE),
 * on its own port (ADMIN_HTTP_PORT, default 8084), apart from the read-only
 * operational endpoints. Every route needs a token (`Authorization: Bearer`);
 * errors are `{"error": code, "message": ...}` with the status of the RequestError;
 * bad input of any kind (path, body, size, depth) is a 4xx, never a 500.
 * The access log names the route, status and principal, never a header or a body.
 */
export class AdminServer {
  private server?: Server;
  private readonly log: Logger;

  constructor(private readonly o: AdminServerOptions) {
    this.log = o.logger.child({ component: 'admin-api' });
  }

  async start(): Promise<string> {
    const server = createWebServer(this.o.tls, (req, res) => void this.handle(req, res));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.o.port, this.o.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    return `${this.o.tls ? 'https' : 'http'}://${this.o.host}:${this.port}`;
  }

  get port(): number {
    return (this.server?.address() as AddressInfo | null)?.port ?? 0;
  }

  /** The address it is bound to (ADMIN_HTTP_HOST). */
  get boundAddress(): string | undefined {
    return (this.server?.address() as AddressInfo | null)?.address;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    let url = new URL('http://localhost/');
    let principal: Principal | undefined;
    let status = 500;
    try {
      url = requestUrl(req.url);
      if (url.pathname === '/healthz' && req.method === 'GET') return send(res, (status = 200), { status: 'ok' });
      const matches = this.o.routes.filter((r) => r.path.test(url.pathname));
      if (matches.length === 0) throw new RequestError('NOT_FOUND', 'no such route (see docs/openapi.yaml)');
      const route = matches.find((r) => r.method === req.method);
      if (!route) {
        res.setHeader('allow', matches.map((r) => r.method).join(', '));
        return send(res, (status = 405), { error: 'METHOD_NOT_ALLOWED', message: `use ${matches.map((r) => r.method).join(' or ')}` });
      }
      principal = await this.o.tokens.authenticate(req.headers.authorization, req.socket.remoteAddress);
      const body = req.method === 'POST' ? await readJsonBody(req, route.maxBodyBytes ?? this.o.maxBodyBytes) : undefined;
      const result = await route.handle({ principal, params: route.path.exec(url.pathname)!.slice(1), body, url });
      status = result.status;
      send(res, status, result.body);
    } catch (err) {
      if (err instanceof RequestError) {
        status = err.status;
        if (status === 401) res.setHeader('www-authenticate', 'Bearer');
        if (status === 413) res.setHeader('connection', 'close'); // the rest of the body is not read
        send(res, status, { error: err.code, message: err.message });
      } else if (err instanceof KlimatpulsError && err.code === 'PROVISIONING_FAILED') {
        status = 502;
        this.log.error({ err: err.message }, 'provisioning failed');
        send(res, status, { error: err.code, message: err.message });
      } else {
        this.log.error({ err: errorMessage(err), path: url.pathname }, 'admin request failed');
        send(res, status, { error: 'INTERNAL', message: 'internal error' });
      }
    } finally {
      this.log.info({ method: req.method, path: url.pathname, status, principal: principalLabel(principal), ms: Math.round(performance.now() - started) }, 'admin request');
    }
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (!s) return;
    s.closeIdleConnections();
    await new Promise<void>((r) => s.close(() => r()));
  }
}

/** The request target as a URL; 400 for one that is not a path (`GET http://[ HTTP/1.1`). */
export function requestUrl(raw: string | undefined): URL {
  try {
    return new URL(raw ?? '/', 'http://localhost');
  } catch {
    throw new RequestError('INVALID_INPUT', 'the request target is not a valid path');
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return void res.end();
  if (status === 204 || body === undefined) {
    res.writeHead(status === 200 ? 204 : status, { 'cache-control': 'no-store' });
    return void res.end();
  }
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

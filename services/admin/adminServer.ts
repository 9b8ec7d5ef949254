import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { errorMessage, KlimatpulsError, RequestError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { createWebServer, type TlsFiles } from '../security/tls.js';
import type { AccessTokens, Principal } from '../tenants/accessTokens.js';
import type { Route } from './adminRoutes.js';

export interface AdminServerOptions {
  host: string;
  port: number;
  routes: Route[];
  tokens: AccessTokens;
  logger: Logger;
  /** Largest request body (a dry-run carries a payload). */
  maxBodyBytes: number;
  tls?: TlsFiles;
}

/**
 * The admin and tenant API (JSON over HTTP, HTTPS with TLS_CERT_FILE/TLS_KEY_FILE),
 * on its own port (ADMIN_HTTP_PORT, default 8084), apart from the read-only
 * operational endpoints. Every route needs a token (`Authorization: Bearer`);
 * errors are `{"error": code, "message": ...}` with the status of the RequestError.
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

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const url = new URL(req.url ?? '/', 'http://localhost');
    let principal: Principal | undefined;
    let status = 500;
    try {
      if (url.pathname === '/healthz' && req.method === 'GET') return send(res, (status = 200), { status: 'ok' });
      const matches = this.o.routes.filter((r) => r.path.test(url.pathname));
      if (matches.length === 0) throw new RequestError('NOT_FOUND', 'no such route (see docs/openapi.yaml)');
      const route = matches.find((r) => r.method === req.method);
      if (!route) {
        res.setHeader('allow', matches.map((r) => r.method).join(', '));
        return send(res, (status = 405), { error: 'METHOD_NOT_ALLOWED', message: `use ${matches.map((r) => r.method).join(' or ')}` });
      }
      principal = await this.o.tokens.authenticate(req.headers.authorization, req.socket.remoteAddress);
      const body = req.method === 'POST' ? await readJson(req, this.o.maxBodyBytes) : undefined;
      const result = await route.handle({ principal, params: route.path.exec(url.pathname)!.slice(1), body, url });
      status = result.status;
      send(res, status, result.body);
    } catch (err) {
      if (err instanceof RequestError) {
        status = err.status;
        if (status === 401) res.setHeader('www-authenticate', 'Bearer');
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
      const who = principal ? (principal.kind === 'admin' ? `admin:${principal.id}` : `tenant:${principal.tenant}`) : 'anonymous';
      this.log.info({ method: req.method, path: url.pathname, status, principal: who, ms: Math.round(performance.now() - started) }, 'admin request');
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

async function readJson(req: IncomingMessage, max: number): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > max) throw new RequestError('INVALID_INPUT', `request body larger than ${max} bytes`);
    chunks.push(chunk as Buffer);
  }
  if (size === 0) return {};
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new RequestError('INVALID_INPUT', 'the request body is not valid JSON');
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

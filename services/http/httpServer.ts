import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { errorMessage, RequestError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { createWebServer, type TlsFiles } from '../security/tls.js';
import { requireOperator, type AccessTokens } from '../tenants/accessTokens.js';
import type { Telemetry } from '../core/telemetry.js';
import type { ReadingStore } from '../core/storePorts.js';

export interface HttpResponse {
  status: number;
  body: unknown;
  /** Default application/json (body serialized); otherwise body is sent as is. */
  contentType?: string;
}

export interface HttpServerOptions {
  host: string;
  port: number;
  telemetry: Telemetry;
  /** Named readiness checks: /readyz is 200 only when all pass. */
  readiness: Record<string, () => boolean | Promise<boolean>>;
  /** When given, /api/readings/latest is served from it. */
  store?: ReadingStore;
  /** More GET routes by path (indicators API, report). */
  routes?: Record<string, (url: URL) => Promise<HttpResponse>>;
  /** GET routes served without a token (the landing page `/`: links and steps, no data). */
  publicRoutes?: Record<string, (url: URL) => Promise<HttpResponse>>;
  /** More fields of /readyz's answer (e.g. whether indicator recomputation has settled); they do not change its status. */
  status?: () => Record<string, unknown>;
  logger: Logger;
  /** Serve HTTPS with these (TLS_CERT_FILE, TLS_KEY_FILE). */
  tls?: TlsFiles;
  /**
   * Who may read the operational routes: an operator or admin token (`Authorization:
   * Bearer`) for everything but /healthz and /readyz; with `metricsPublic`
   * (METRICS_PUBLIC) /metrics answers without one.
   */
  auth: { tokens: AccessTokens; metricsPublic?: boolean };
}

/** Liveness and readiness probes: open, they tell nothing but up/ready. */
const OPEN_ROUTES = new Set(['/healthz', '/readyz']);

/**
 * /healthz (alive), /readyz (connected to what it needs), /metrics (Prometheus),
 * /api/readings/latest?limit=N&tenant=T. node:http on purpose: four read-only
 * routes do not need a framework. Everything but the probes needs an operator (or
 * admin) token: these routes show every tenant's data (issue 13, item 6).
 */
export class HttpServer {
  private server?: Server;
  constructor(private readonly o: HttpServerOptions) {}

  async start(): Promise<string> {
    const server = createWebServer(this.o.tls, (req, res) => {
      this.route(req, res).catch((err) => {
        if (err instanceof RequestError) {
          if (err.status === 401) res.setHeader('www-authenticate', 'Bearer');
          return json(res, err.status, { error: err.message });
        }
        this.o.logger.warn({ err: errorMessage(err), url: req.url }, 'http request failed');
        if (!res.headersSent) json(res, 500, { error: 'internal error' });
        else res.end();
      });
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.o.port, this.o.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const a = server.address() as AddressInfo;
    return `${this.o.tls ? 'https' : 'http'}://${this.o.host}:${a.port}`;
  }

  get port(): number {
    return (this.server?.address() as AddressInfo | null)?.port ?? 0;
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
    } catch {
      return json(res, 400, { error: 'the request target is not a valid path' });
    }
    if (req.method !== 'GET') return json(res, 405, { error: 'only GET' });
    const open = OPEN_ROUTES.has(url.pathname) || Object.hasOwn(this.o.publicRoutes ?? {}, url.pathname) || (url.pathname === '/metrics' && this.o.auth.metricsPublic === true);
    if (!open) requireOperator(await this.o.auth.tokens.authenticate(req.headers.authorization));
    switch (url.pathname) {
      case '/healthz':
        return json(res, 200, { status: 'ok' });
      case '/readyz': {
        const checks: Record<string, boolean> = {};
        for (const [name, check] of Object.entries(this.o.readiness)) checks[name] = await Promise.resolve().then(check).catch(() => false);
        const ok = Object.values(checks).every(Boolean);
        return json(res, ok ? 200 : 503, { status: ok ? 'ready' : 'not ready', checks, ...this.o.status?.() });
      }
      case '/metrics': {
        res.writeHead(200, { 'content-type': this.o.telemetry.registry.contentType });
        res.end(await this.o.telemetry.metrics());
        return;
      }
      case '/api/readings/latest': {
        if (!this.o.store) return json(res, 404, { error: 'this service has no store' });
        const limitRaw = url.searchParams.get('limit') ?? '100';
        if (!/^\d{1,4}$/.test(limitRaw) || Number(limitRaw) < 1) return json(res, 400, { error: 'limit: expected a whole number 1-9999' });
        const tenant = url.searchParams.get('tenant') ?? undefined;
        if (tenant !== undefined && !/^[a-z0-9][a-z0-9_-]{0,62}$/.test(tenant)) return json(res, 400, { error: 'tenant: expected a tenant slug' });
        const readings = await this.o.store.latest({ limit: Number(limitRaw), tenant });
        return json(res, 200, { generatedAt: new Date().toISOString(), count: readings.length, readings });
      }
      default: {
        const routes = { ...this.o.routes, ...this.o.publicRoutes };
        const extra = Object.hasOwn(routes, url.pathname) ? routes[url.pathname] : undefined;
        if (extra) {
          const r = await extra(url);
          if (!r.contentType) return json(res, r.status, r.body);
          res.writeHead(r.status, { 'content-type': r.contentType });
          res.end(r.body as string | Buffer);
          return;
        }
        return json(res, 404, { error: 'not found', routes: ['/healthz', '/readyz', '/metrics', '/api/readings/latest', ...Object.keys(this.o.routes ?? {}), ...Object.keys(this.o.publicRoutes ?? {})] });
      }
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

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

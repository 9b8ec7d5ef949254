import { esc } from '../report/escape.js';
import type { HttpResponse } from './httpServer.js';

export interface LandingOptions {
  /** GRAFANA_URL: linked when set. */
  grafanaUrl?: string;
  /** The admin and tenant API (set once it listens). */
  adminUrl(): string | undefined;
  /** Where the operator token is (DATA_DIR/tenants/operator.token), unless OPERATOR_TOKEN is set. */
  tokenFile?: string;
  status(): { settled: boolean; pendingMonths: number; demoHistory?: string };
  demo(): { from: string; to: string; baselineYears: number[] } | undefined;
}

type Lang = 'sv' | 'en';

const T = {
  sv: {
    title: 'Klimatpuls',
    lead: 'Uppföljning av klimatkontraktets mål från mätningar: sensorer → MQTT → Kafka → lagring → indikatorer och kvartalsrapport.',
    demo: (f: string, t: string, y: string) => `Demodata: Kalmars demostad är simulerad (services/demo). Historiken ${f}–${t}${y ? ` och basåren ${y}` : ''} skapades vid första starten; nya värden kommer löpande från simulatorn.`,
    settled: 'Indikatorerna är omräknade.',
    pending: (n: number, d?: string) => `Indikatorerna räknas om (${d === 'seeding' || d === 'settling' ? 'demohistoriken byggs' : `${n} månader kvar`}); rapporten visar redan det som finns.`,
    links: 'Titta', report: 'Kvartalsrapporten', reportEn: 'in English', api: 'Indikatorerna som JSON', reportData: 'Rapportens data som JSON', latest: 'Senaste värde per enhet', metrics: 'Prometheus-mått', ready: 'Beredskap och omräkning (öppen)', grafana: 'Grafana', admin: 'Administrations- och hyresgäst-API',
    token: 'Allt utom /, /healthz och /readyz kräver operatörstoken. Från ett skal:',
    onboard: 'Anslut en fastighetsägares mätare',
    steps: ['Staden skapar hyresgästen i admin-API:t (admintoken i .klimatpuls/tenants/admin.token) och får dess MQTT-inloggning och API-token.', 'Hyresgästen registrerar sina byggnader och mätare med sin API-token.', 'Den provar ett exempelmeddelande (torrkörning) innan mätarna går live.', 'Mätarna publicerar på klimatpuls/<hyresgäst>/<enhet>/up över MQTT på port 1884 (8883 med TLS) med egna inloggningsuppgifter.'],
    readme: 'Steg för steg med kommandon: README, avsnittet "Connect your meters".',
  },
  en: {
    title: 'Klimatpuls',
    lead: 'Following up the climate contract targets from measurements: sensors → MQTT → Kafka → store → indicators and the quarterly report.',
    demo: (f: string, t: string, y: string) => `Demo data: Kalmar's demo city is simulated (services/demo). The history ${f}–${t}${y ? ` and the baseline years ${y}` : ''} was seeded at the first start; new values keep coming from the simulator.`,
    settled: 'The indicators are recomputed.',
    pending: (n: number, d?: string) => `The indicators are being recomputed (${d === 'seeding' || d === 'settling' ? 'the demo history is being built' : `${n} months to go`}); the report already shows what there is.`,
    links: 'Look', report: 'The quarterly report', reportEn: 'på svenska', api: 'The indicators as JSON', reportData: "The report's data as JSON", latest: 'Latest value per device', metrics: 'Prometheus metrics', ready: 'Readiness and recomputation (open)', grafana: 'Grafana', admin: 'Admin and tenant API',
    token: 'Everything but /, /healthz and /readyz needs an operator token. From a shell:',
    onboard: "Connect a housing company's meters",
    steps: ['The city creates the tenant in the admin API (admin token in .klimatpuls/tenants/admin.token) and gets its MQTT credentials and API token.', 'The tenant registers its buildings and meters with its API token.', 'It tries a sample message (dry run) before its meters go live.', 'The meters publish to klimatpuls/<tenant>/<device>/up over MQTT on port 1884 (8883 with TLS) with their own credentials.'],
    readme: 'Step by step with the commands: README, section "Connect your meters".',
  },
};

/** `GET /?lang=sv|en`: where a newcomer starts. Open (no token): it shows links and steps, no data. */
export function landingRoute(o: LandingOptions): (url: URL) => Promise<HttpResponse> {
  return async (url) => {
    const lang: Lang = url.searchParams.get('lang') === 'en' ? 'en' : 'sv';
    return { status: 200, contentType: 'text/html; charset=utf-8', body: renderLanding(o, lang) };
  };
}

export function renderLanding(o: LandingOptions, lang: Lang): string {
  const t = T[lang];
  const other: Lang = lang === 'sv' ? 'en' : 'sv';
  const s = o.status();
  const d = o.demo();
  const link = (href: string, text: string) => `<a href="${esc(href)}">${esc(text)}</a>`;
  const items = [
    `${link(`/report?lang=${lang}`, t.report)} (${link(`/report?lang=${other}`, t.reportEn)}) <code>/report</code>`,
    `${link('/api/indicators', t.api)} <code>/api/indicators?indicator=&amp;period=&amp;tenant=</code>`,
    `${link(`/api/report?lang=${lang}`, t.reportData)} <code>/api/report</code>`,
    `${link('/api/readings/latest', t.latest)} <code>/api/readings/latest</code>`,
    `${link('/metrics', t.metrics)} <code>/metrics</code>`,
    `${link('/readyz', t.ready)} <code>/readyz</code>`,
    ...(o.grafanaUrl ? [`${link(o.grafanaUrl, t.grafana)} <code>${esc(o.grafanaUrl)}</code>`] : []),
    ...(o.adminUrl() ? [`${esc(t.admin)} <code>${esc(o.adminUrl()!)}/api/admin/tenants</code>`] : []),
  ];
  const token = o.tokenFile ? `$(cat ${o.tokenFile})` : '$OPERATOR_TOKEN';
  return `<!doctype html>
<html lang="${lang}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${esc(t.title)}</title>
<style>body{margin:0 auto;max-width:52rem;padding:1.5rem;font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",Arial,sans-serif;line-height:1.5;color:#1b1f24}
code,pre{font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:.85em}pre{background:#f3f4f6;padding:.6rem;overflow-x:auto}
.demo{background:#fff6d6;border-left:4px solid #d4a300;padding:.5rem .8rem}.status{color:#4b5563}nav a{margin-right:.6rem}</style></head>
<body>
<nav>${link('/?lang=sv', 'Svenska')} ${link('/?lang=en', 'English')}</nav>
<h1>${esc(t.title)}</h1>
<p>${esc(t.lead)}</p>
${d ? `<p class="demo" id="demo-data">${esc(t.demo(d.from.slice(0, 10), d.to.slice(0, 10), d.baselineYears.join(', ')))}</p>` : ''}
<p class="status" id="settled" data-settled="${s.settled}">${esc(s.settled ? t.settled : t.pending(s.pendingMonths, s.demoHistory))}</p>
<h2>${esc(t.links)}</h2>
<ul>${items.map((i) => `<li>${i}</li>`).join('\n')}</ul>
<p>${esc(t.token)}</p>
<pre>OP="Authorization: Bearer ${esc(token)}"
curl -H "$OP" localhost:8080/api/indicators
curl -H "$OP" "localhost:8080/report?lang=${lang}" &gt; report.html</pre>
<h2 id="onboarding">${esc(t.onboard)}</h2>
<ol>${t.steps.map((x) => `<li>${esc(x)}</li>`).join('\n')}</ol>
<p>${esc(t.readme)}</p>
</body></html>`;
}

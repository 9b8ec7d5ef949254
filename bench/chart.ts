import type { Results } from './run.js';

/**
 * bench/results/latest.svg: throughputs (bare components vs Klimatpuls) and the
 * service/bare ratios against their floors. Hand-rolled SVG: no chart library for
 * two bar charts, and the file diffs readably.
 */
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const num = (n: number) => Math.round(n).toLocaleString('en');

export function renderChart(r: Pick<Results, 'throughput' | 'ratios' | 'latency' | 'rssMb' | 'machine' | 'startedAt' | 'seconds'>): string {
  const W = 960;
  const left = 330;
  const right = 120;
  const barH = 22;
  const gap = 8;
  const t = r.throughput;
  const bars: Array<{ label: string; value?: number; kind: 'bare' | 'service'; floor?: number }> = [
    { label: 'bare MQTT publish → subscribe', value: t.bareMqtt, kind: 'bare' },
    { label: 'bare kafkajs produce → consume', value: t.bareKafka, kind: 'bare' },
    { label: 'bare InfluxDB writes (official client)', value: t.bareInflux, kind: 'bare' },
    { label: 'bare MQTT → Kafka bridge', value: t.bareMqttToKafka, kind: 'bare' },
    { label: 'gateway: MQTT → Kafka', value: t.gateway, kind: 'service' },
    { label: 'writer: Kafka → InfluxDB', value: t.writer, kind: 'service' },
    { label: `end to end, 1 reading/message, ${r.seconds} s`, value: t.endToEnd, kind: 'service', floor: 20_000 },
    { label: `end to end, 4 readings/message, ${r.seconds} s`, value: t.endToEnd4, kind: 'service', floor: 20_000 },
  ];
  const max = Math.max(20_000, ...bars.map((b) => b.value ?? 0)) * 1.05;
  const x = (v: number) => left + (v / max) * (W - left - right);
  const out: string[] = [];
  let y = 58;
  out.push(`<text x="20" y="34" class="h">Throughput, readings/s — one run, one machine (bare components in grey, Klimatpuls in teal)</text>`);
  for (const b of bars) {
    out.push(`<text x="${left - 10}" y="${y + barH * 0.7}" class="l" text-anchor="end">${esc(b.label)}</text>`);
    if (b.value !== undefined && Number.isFinite(b.value)) {
      out.push(`<rect x="${left}" y="${y}" width="${Math.max(1, x(b.value) - left).toFixed(1)}" height="${barH}" class="${b.kind}"/>`);
      // the value right of the bar, or right of the floor marker when the two would overlap
      const lx = b.floor && Math.abs(x(b.value) - x(b.floor)) < 70 ? Math.max(x(b.value), x(b.floor)) + 8 : x(b.value) + 6;
      out.push(`<text x="${lx.toFixed(1)}" y="${y + barH * 0.7}" class="v">${num(b.value)}</text>`);
    } else out.push(`<text x="${left + 6}" y="${y + barH * 0.7}" class="v">not measured</text>`);
    if (b.floor) {
      out.push(`<line x1="${x(b.floor).toFixed(1)}" y1="${y - 3}" x2="${x(b.floor).toFixed(1)}" y2="${y + barH + 3}" class="floor"/>`);
      out.push(`<text x="${x(b.floor).toFixed(1)}" y="${y + barH + 15}" class="f" text-anchor="middle">floor ${num(b.floor)}</text>`);
      y += 14;
    }
    y += barH + gap;
  }
  y += 30;
  out.push(`<text x="20" y="${y}" class="h">Each service as a share of its bare baseline (floor 0.8)</text>`);
  y += 22;
  const rmax = 1.2;
  const rx = (v: number) => left + (Math.min(v, rmax) / rmax) * (W - left - right);
  for (const [label, v] of [['gateway ÷ bare MQTT → Kafka', r.ratios.gatewayVsBare], ['writer ÷ bare InfluxDB writes', r.ratios.writerVsBare]] as const) {
    out.push(`<text x="${left - 10}" y="${y + barH * 0.7}" class="l" text-anchor="end">${esc(label)}</text>`);
    if (v !== undefined) {
      out.push(`<rect x="${left}" y="${y}" width="${Math.max(1, rx(v) - left).toFixed(1)}" height="${barH}" class="${v >= 0.8 ? 'ok' : 'miss'}"/>`);
      out.push(`<text x="${(rx(v) + 6).toFixed(1)}" y="${y + barH * 0.7}" class="v">${v.toFixed(2)} ×</text>`);
    } else out.push(`<text x="${left + 6}" y="${y + barH * 0.7}" class="v">not measured</text>`);
    y += barH + gap;
  }
  out.push(`<line x1="${rx(0.8).toFixed(1)}" y1="${y - 2 * (barH + gap) - 4}" x2="${rx(0.8).toFixed(1)}" y2="${y - gap + 4}" class="floor"/>`);
  out.push(`<text x="${rx(0.8).toFixed(1)}" y="${y + 10}" class="f" text-anchor="middle">0.8</text>`);
  out.push(`<text x="${rx(1).toFixed(1)}" y="${y + 10}" class="f" text-anchor="middle">1.0</text>`);
  y += 34;
  const lat = Object.values(r.latency).map((l) => `${num(l.rate)}/s: p50 ${num(l.p50)} · p95 ${num(l.p95)} · p99 ${num(l.p99)} ms`).join('   ');
  if (lat) {
    out.push(`<text x="20" y="${y}" class="l">Latency MQTT publish → queryable in InfluxDB   ${esc(lat)}</text>`);
    y += 20;
  }
  if (r.rssMb.gateway !== undefined || r.rssMb.writer !== undefined) {
    out.push(`<text x="20" y="${y}" class="l">Peak RSS at the sustained rate: gateway ${r.rssMb.gateway === undefined ? '—' : num(r.rssMb.gateway)} MB, writer ${r.rssMb.writer === undefined ? '—' : num(r.rssMb.writer)} MB (floor 200 MB each)</text>`);
    y += 20;
  }
  const m = r.machine;
  out.push(`<text x="20" y="${y + 6}" class="m">${esc(`${r.startedAt.slice(0, 16).replace('T', ' ')} UTC · ${m.cpus} × ${m.cpuModel}, ${m.memGb} GB · Node ${m.node} · Mosquitto ${m.mosquitto} · Kafka ${m.kafka} · InfluxDB ${m.influxdb} · everything co-located`)}</text>`);
  const H = y + 24;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="system-ui, -apple-system, Segoe UI, sans-serif">
<style>
  .h { font-size: 15px; font-weight: 600; fill: #1f2933; }
  .l { font-size: 13px; fill: #323f4b; }
  .v { font-size: 13px; fill: #1f2933; font-variant-numeric: tabular-nums; }
  .f { font-size: 11px; fill: #b44d12; }
  .m { font-size: 11px; fill: #616e7c; }
  .bare { fill: #9aa5b1; }
  .service { fill: #199473; }
  .ok { fill: #199473; }
  .miss { fill: #cf1124; }
  .floor { stroke: #b44d12; stroke-width: 2; stroke-dasharray: 4 3; }
</style>
<rect width="100%" height="100%" fill="#ffffff"/>
${out.join('\n')}
</svg>
`;
}

// `npx tsx bench/chart.ts bench/results/<run>.json`: draws bench/results/latest.svg again from a saved run.
if (process.argv[1]?.endsWith('chart.ts') && process.argv[2]) {
  const { readFileSync, writeFileSync } = await import('node:fs');
  const { fileURLToPath } = await import('node:url');
  const run = JSON.parse(readFileSync(process.argv[2], 'utf8')) as Results;
  const out = fileURLToPath(new URL('./results/latest.svg', import.meta.url));
  writeFileSync(out, renderChart(run));
  process.stdout.write(`${out}\n`);
}

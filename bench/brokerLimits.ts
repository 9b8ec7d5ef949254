/**
 * Broker limits, measured (issue 13, items 8 and 10): prints figures, asserts nothing.
 *
 *   npx tsx bench/brokerLimits.ts embedded            # aedes, in a child process
 *   npx tsx bench/brokerLimits.ts mosquitto           # the Mosquitto of STACK_MQTT_* (stack.sh env)
 *
 * 1. RSS of the broker before and after 4 unauthenticated CONNECTs that announce
 *    256 MB and send 16 MB each, and how many bytes each could send before it was closed.
 * 2. CONNACK time of an unknown user and of a known user with a wrong password (median of 8).
 * 3. A real tenant's CONNACK time (median, max) alone and during a flood of wrong
 *    passwords for another existing user (43/s, as in the finding).
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { connect as tcp } from 'node:net';
import mqtt from 'mqtt';
import { mosquittoHash, randomSecret } from '../services/security/secrets.js';
import { mosquittoAcl } from '../services/tenants/topicSpace.js';
import { securityStack } from '../test/security/support.js';

const mode = process.argv[2] ?? 'embedded';
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;

interface Target { pid: number; tenantUrl: string; creds: Array<{ username: string; password: string }>; stop: () => void }

async function embedded(): Promise<Target> {
  const child = spawn('npx', ['tsx', 'bench/brokerLimitsServer.ts', process.env.FAILURES_PER_MIN ?? '10'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve) => child.stdout.once('data', (d: Buffer) => resolve(d.toString())));
  const info = JSON.parse(line);
  return { pid: info.pid, tenantUrl: info.tenant, creds: info.creds, stop: () => process.kill(info.pid, 'SIGTERM') };
}

async function mosquitto(): Promise<Target> {
  const s = securityStack();
  const creds = ['victim', 'other'].map((u) => ({ username: `bench-${u}`, password: randomSecret() }));
  writeFileSync(s.env.MOSQUITTO_PASSWORD_FILE!, creds.map((c) => `${c.username}:${mosquittoHash(c.password)}\n`).join(''));
  writeFileSync(s.env.MOSQUITTO_ACL_FILE!, creds.map((c) => mosquittoAcl(c.username, c.username)).join('\n'));
  const pid = Number(readFileSync(s.env.MOSQUITTO_PID_FILE!, 'utf8'));
  process.kill(pid, 'SIGHUP');
  await sleep(500);
  return { pid, tenantUrl: s.tenantUrl, creds, stop: () => undefined };
}

/** Sends a CONNECT header announcing `announced` bytes, then up to `send` bytes; resolves with the bytes written and whether the broker closed. */
function hugeConnect(url: string, announced: number, send: number): Promise<{ sent: number; closed: boolean }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const s = tcp(Number(port), hostname);
    let sent = 0;
    let closed = false;
    const len: number[] = [];
    for (let x = announced; ; ) {
      const b = x % 128;
      x = Math.floor(x / 128);
      len.push(x > 0 ? b | 0x80 : b);
      if (x === 0) break;
    }
    const block = Buffer.alloc(64 * 1024, 0x61);
    const pump = () => {
      while (!closed && sent < send) {
        sent += block.length;
        if (!s.write(block)) return void s.once('drain', pump);
      }
    };
    s.on('connect', () => {
      s.write(Buffer.from([0x10, ...len]));
      pump();
    });
    s.on('error', () => undefined);
    s.on('close', () => ((closed = true), resolve({ sent, closed })));
    setTimeout(() => (resolve({ sent, closed }), s.destroy()), 8_000).unref();
  });
}

async function connackMs(url: string, username: string, password: string): Promise<{ ms: number; ok: boolean; code?: number }> {
  const t = performance.now();
  try {
    const c = await mqtt.connectAsync(url, { username, password, clientId: username, reconnectPeriod: 0, connectTimeout: 10_000, clean: true });
    c.end(true);
    return { ms: performance.now() - t, ok: true };
  } catch (err) {
    return { ms: performance.now() - t, ok: false, code: (err as { code?: number }).code };
  }
}

const target = mode === 'mosquitto' ? await mosquitto() : await embedded();
try {
  await sleep(1000);
  const [victim, other] = target.creds as [{ username: string; password: string }, { username: string; password: string }];
  // 1. huge CONNECTs
  const before = rssMb(target.pid);
  const sentEach = await Promise.all([1, 2, 3, 4].map(() => hugeConnect(target.tenantUrl, 256 * 1024 * 1024 - 1, 16 * 1024 * 1024)));
  const after = rssMb(target.pid);
  console.log(`${mode}: RSS ${before.toFixed(0)} MB -> ${after.toFixed(0)} MB (+${(after - before).toFixed(0)} MB) after 4 CONNECTs announcing 256 MB - 1 (the MQTT maximum); bytes each client wrote: ${sentEach.map((b) => `${(b.sent / 1048576).toFixed(2)} MB (${b.closed ? 'closed by the broker' : 'still open after 8 s'})`).join(', ')}`);

  // 2. unknown vs known user (a real tenant logs in first, so it is known from this address)
  await connackMs(target.tenantUrl, other.username, other.password);
  const unknown: number[] = [];
  const wrong: number[] = [];
  for (let i = 0; i < 8; i++) {
    unknown.push((await connackMs(target.tenantUrl, `nobody-${i}`, 'x'.repeat(32))).ms);
    wrong.push((await connackMs(target.tenantUrl, victim.username, 'x'.repeat(32))).ms);
  }
  console.log(`${mode}: CONNACK unknown user median ${median(unknown).toFixed(1)} ms, known user wrong password median ${median(wrong).toFixed(1)} ms (8 each; [${unknown.map((x) => x.toFixed(0))}] / [${wrong.map((x) => x.toFixed(0))}])`);

  // 3. real tenant during a flood
  const real = async (n: number) => {
    const r: number[] = [];
    let failed = 0;
    for (let i = 0; i < n; i++) {
      const x = await connackMs(target.tenantUrl, other.username, other.password);
      r.push(x.ms);
      if (!x.ok) failed++;
      await sleep(250);
    }
    return { median: median(r), max: Math.max(...r), failed };
  };
  const alone = await real(12);
  let flooding = true;
  let floodSent = 0;
  const codes = new Map<string, number>();
  const flood = (async () => {
    const inFlight: Array<Promise<unknown>> = [];
    while (flooding) {
      floodSent++;
      inFlight.push(connackMs(target.tenantUrl, victim.username, randomSecret()).then((x) => { const k = x.ok ? 'accepted' : String(x.code ?? 'no CONNACK'); codes.set(k, (codes.get(k) ?? 0) + 1); }));
      await sleep(1000 / 43);
    }
    await Promise.all(inFlight);
  })();
  await sleep(2000);
  const during = await real(20);
  flooding = false;
  await flood;
  console.log(`${mode}: real tenant CONNACK alone median ${alone.median.toFixed(0)} ms (max ${alone.max.toFixed(0)}), during a 43/s wrong-password flood median ${during.median.toFixed(0)} ms (max ${during.max.toFixed(0)}, ${during.failed} refused); flood attempts ${floodSent}, answers by CONNACK code ${JSON.stringify(Object.fromEntries(codes))}`);
} finally {
  target.stop();
}

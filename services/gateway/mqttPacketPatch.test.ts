import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

// patches/mqtt-packet+9.0.2.patch: mqtt-packet's `debug` calls cost nothing while
// logging is off, and still log when DEBUG enables them.
const require = createRequire(import.meta.url);

describe('mqtt-packet patch (patch-package)', () => {
  it('is applied by npm ci', () => {
    for (const f of ['parser.js', 'writeToStream.js']) expect(readFileSync(require.resolve(`mqtt-packet/${f}`), 'utf8')).toContain('Klimatpuls patch');
  });

  const roundTrip = `
    const mqtt = require('mqtt-packet');
    const { PassThrough } = require('node:stream');
    const parser = mqtt.parser({ protocolVersion: 4 });
    const out = new PassThrough();
    const chunks = [];
    out.on('data', (c) => chunks.push(c));
    mqtt.writeToStream({ cmd: 'publish', topic: 'klimatpuls/kalmar/el-1/up', payload: Buffer.from('{"v":1}'), qos: 1, messageId: 42, retain: false, dup: false }, out);
    setImmediate(() => {
      parser.on('packet', (p) => process.stdout.write(JSON.stringify({ cmd: p.cmd, topic: p.topic, id: p.messageId, payload: p.payload.toString() })));
      parser.parse(Buffer.concat(chunks));
    });`;
  const run = (debug: string) => spawnSync(process.execPath, ['-e', roundTrip], { env: { ...process.env, DEBUG: debug, DEBUG_COLORS: 'no' }, encoding: 'utf8' });

  it('writes and parses packets as before, silently unless DEBUG names it', () => {
    const want = JSON.stringify({ cmd: 'publish', topic: 'klimatpuls/kalmar/el-1/up', id: 42, payload: '{"v":1}' });
    const quiet = run('');
    expect(quiet.stdout).toBe(want);
    expect(quiet.stderr).toBe('');
    const logged = run('mqtt-packet:*');
    expect(logged.stdout).toBe(want);
    expect(logged.stderr).toMatch(/mqtt-packet:parser .*_parseHeader/);
    expect(logged.stderr).toMatch(/mqtt-packet:writeToStream .*publish/);
  });
});

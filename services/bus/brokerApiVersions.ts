import { connect } from 'node:net';

/** Kafka's API keys this module looks at. */
const FETCH = 1;
const API_VERSIONS = 18;

/**
 * The API versions a Kafka broker serves: api key → [oldest, newest], from an
 * ApiVersions v0 request on a connection of its own (every Kafka since 0.10 answers
 * it). `broker` is host:port. Rejects when the broker does not answer in time.
 */
export function brokerApiVersions(broker: string, timeoutMs = 5_000): Promise<Map<number, [number, number]>> {
  const at = broker.lastIndexOf(':');
  const [host, port] = [broker.slice(0, at), Number(broker.slice(at + 1))];
  const clientId = Buffer.from('klimatpuls-version-probe');
  // size, api key, api version 0, correlation id 1, client id (int16 length + bytes); no body
  const request = Buffer.alloc(4 + 2 + 2 + 4 + 2 + clientId.length);
  request.writeInt32BE(request.length - 4, 0);
  request.writeInt16BE(API_VERSIONS, 4);
  request.writeInt16BE(0, 6);
  request.writeInt32BE(1, 8);
  request.writeInt16BE(clientId.length, 12);
  clientId.copy(request, 14);
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    const chunks: Buffer[] = [];
    const fail = (err: Error) => {
      socket.destroy();
      reject(err);
    };
    socket.setTimeout(timeoutMs, () => fail(new Error(`${broker}: no ApiVersions answer within ${timeoutMs} ms`)));
    socket.on('error', fail);
    socket.on('connect', () => socket.write(request));
    socket.on('data', (chunk) => {
      chunks.push(chunk);
      const b = Buffer.concat(chunks);
      if (b.length < 4 || b.length < 4 + b.readInt32BE(0)) return;
      socket.destroy();
      // correlation id, error code, [api key, min, max]
      const error = b.readInt16BE(8);
      if (error !== 0) return reject(new Error(`${broker}: ApiVersions error code ${error}`));
      const apis = new Map<number, [number, number]>();
      for (let i = 0, n = b.readInt32BE(10), o = 14; i < n; i++, o += 6) apis.set(b.readInt16BE(o), [b.readInt16BE(o + 2), b.readInt16BE(o + 4)]);
      resolve(apis);
    });
  });
}

/**
 * Kafka 4.0 removed the oldest protocol versions (KIP-896), Fetch v0-v3 among them: a
 * broker whose oldest Fetch is v4 or later is Kafka 4 or newer. (Not Produce: 4.x still
 * lists Produce v0-v2 in ApiVersions for older clients' sake, though it refuses them.)
 */
export function isKafka4OrNewer(apis: Map<number, [number, number]>): boolean {
  const fetch = apis.get(FETCH);
  return fetch !== undefined && fetch[0] >= 4;
}

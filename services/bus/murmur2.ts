/**
 * Kafka's murmur2 (org.apache.kafka.common.utils.Utils.murmur2) in 32-bit integer
 * arithmetic, over the UTF-8 bytes of `key`.
 *
 * Why by hand: kafkajs's DefaultPartitioner computes the same hash with a 64-bit
 * Long emulation that allocates objects for every 4 bytes of key, and filters the
 * partition list for every record: ~7 % of the gateway's CPU (inclusive, `npm run
 * bench -- --only gateway --profile`). Math.imul gives Java's int multiplication, so
 * the partition of every key is unchanged (murmur2Partitioner.test.ts compares it
 * with kafkajs's own murmur2 on generated keys).
 */
export function murmur2(key: string): number {
  // UTF-8 into a reused buffer (a partition key is short): no Buffer per record
  if (key.length * 3 <= scratch.length) return murmur2Bytes(scratch, scratch.write(key, 0, 'utf8'));
  const data = Buffer.from(key, 'utf8');
  return murmur2Bytes(data, data.length);
}

const scratch = Buffer.allocUnsafe(1024);

/** murmur2 of data[0, length) (a whole Buffer by default: the key as a client serialised it). */
export function murmur2Bytes(data: Buffer, length = data.length): number {
  const m = 0x5bd1e995;
  let n = length;
  let h = 0x9747b28c ^ n;
  let i = 0;
  for (; n >= 4; n -= 4, i += 4) {
    let k = data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24);
    k = Math.imul(k, m);
    k ^= k >>> 24;
    k = Math.imul(k, m);
    h = Math.imul(h, m) ^ k;
  }
  switch (n) {
    case 3: h ^= data[i + 2]! << 16; // falls through
    case 2: h ^= data[i + 1]! << 8; // falls through
    case 1: h = Math.imul(h ^ data[i]!, m);
  }
  h ^= h >>> 13;
  h = Math.imul(h, m);
  return h ^ (h >>> 15);
}

/** The partition of `key` among `count`, as the Java client (and kafkajs) place it. */
export function partitionOfKey(key: Buffer, count: number): number {
  return (murmur2Bytes(key) & 0x7fffffff) % count;
}

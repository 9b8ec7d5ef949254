import type { Socket } from 'node:net';

/**
 * Closes an MQTT connection as soon as a packet's fixed header announces more than
 * `maxPacketBytes`, before the broker buffers any of it.
 *
 * Why by hand: aedes 1.2.0 has no packet size option, and the mqtt-packet parser it
 * creates (without options) appends every byte to one buffer list until the announced
 * remaining length has arrived: four unauthenticated CONNECTs announcing 256 MB each
 * held 264 MB. So this reads the MQTT framing itself (a type byte, then the
 * remaining length as a 1–4 byte varint, MQTT 3.1.1 §2.2.3 / 5.0 §1.5.5) on each
 * chunk the broker takes from the socket, and skips the bodies without copying.
 * It hooks `socket.read`, which is how aedes (paused mode, 'readable') and the
 * stream's own flowing mode both take data; the cost is a few comparisons per packet.
 */
export interface PacketSizeGuardOptions {
  /** The whole packet (fixed header included), as Mosquitto's max_packet_size. */
  maxPacketBytes: number;
  /**
   * Bytes a client may send before the broker accepted its CONNECT (authentication
   * pending): the CONNECT itself and whatever it pipelines. aedes would otherwise
   * queue up to 42 whole packets per connection while the password is checked.
   */
  maxPreAuthBytes?: number;
  /** Called once, before the socket is destroyed. */
  onOversize?: (announcedBytes: number) => void;
}

export interface PacketSizeGuard {
  /** The broker accepted the CONNECT: from now on only maxPacketBytes applies. */
  authenticated(): void;
}

const HEADER = 0;
const LENGTH = 1;
const BODY = 2;

export function guardPacketSize(socket: Socket, o: PacketSizeGuardOptions): PacketSizeGuard {
  let preAuthLeft = o.maxPreAuthBytes ?? Infinity;
  let state = HEADER;
  let length = 0;
  let multiplier = 1;
  let lengthBytes = 0;
  let remaining = 0;
  let refused = false;

  /** false when the connection must be closed. */
  const inspect = (chunk: Buffer): boolean => {
    if (preAuthLeft !== Infinity && (preAuthLeft -= chunk.length) < 0) return refuse((o.maxPreAuthBytes ?? 0) - preAuthLeft);
    let i = 0;
    while (i < chunk.length) {
      if (state === BODY) {
        const skip = Math.min(remaining, chunk.length - i);
        i += skip;
        remaining -= skip;
        if (remaining === 0) state = HEADER;
      } else if (state === HEADER) {
        i++;
        state = LENGTH;
        length = 0;
        multiplier = 1;
        lengthBytes = 0;
      } else {
        const b = chunk[i++]!;
        length += (b & 0x7f) * multiplier;
        multiplier *= 128;
        lengthBytes++;
        const total = 1 + lengthBytes + length;
        if (total > o.maxPacketBytes) return refuse(total);
        if (b & 0x80) {
          if (lengthBytes === 4) return refuse(Number.MAX_SAFE_INTEGER); // malformed: at most 4 length bytes
          continue;
        }
        remaining = length;
        state = length > 0 ? BODY : HEADER;
      }
    }
    return true;
  };

  const refuse = (announced: number): false => {
    if (!refused) {
      refused = true;
      o.onOversize?.(announced);
      socket.destroy();
    }
    return false;
  };

  const read = socket.read;
  socket.read = function guardedRead(this: Socket, size?: number) {
    const chunk = read.call(this, size) as Buffer | string | null;
    if (chunk === null || refused) return refused ? null : chunk;
    return inspect(typeof chunk === 'string' ? Buffer.from(chunk) : chunk) ? chunk : null;
  } as Socket['read'];
  return { authenticated: () => void (preAuthLeft = Infinity) };
}

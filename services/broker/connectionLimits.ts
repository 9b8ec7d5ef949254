import type { Server, Socket } from 'node:net';
import { addressKey } from '../security/addressKey.js';
import { guardPacketSize, type PacketSizeGuard } from './packetSizeGuard.js';

/** Bytes a client may send before its CONNECT is accepted: a CONNECT with credentials is well under 1 KiB; wills up to about this. */
export const MAX_PRE_AUTH_BYTES = 64 * 1024;

/** Limits of one MQTT listener of the embedded broker. */
export interface ListenerLimits {
  /** Open connections on this listener at most (net.Server maxConnections: more are closed at once). */
  maxConnections: number;
  /** Open connections from one remote address at most (IPv6: one /64); undefined: no per-address limit. */
  maxPerAddress?: number;
  /** Largest MQTT packet, fixed header included (packetSizeGuard.ts). */
  maxPacketBytes: number;
  /** Told about every refused connection (for a log line and /metrics). */
  onRefused?: (reason: 'per_address' | 'packet_size', address: string, detail: number) => void;
}

/**
 * What the embedded broker's listeners enforce before MQTT authentication even
 * starts: a connection count per listener and per remote address, and the packet
 * size guard on every socket. Together they bound what unauthenticated clients can
 * make the broker hold: at most MAX_PRE_AUTH_BYTES per connection until CONNACK,
 * so maxConnections × 64 KiB per listener and maxPerAddress × 64 KiB per address
 * (aedes' connectTimeout closes sockets that never finish CONNECT).
 */
export class ListenerGuard {
  private readonly perAddress = new Map<string, number>();
  private readonly guards = new WeakMap<object, PacketSizeGuard>();
  refused = { perAddress: 0, packetSize: 0 };

  constructor(private readonly o: ListenerLimits) {}

  /** Sets the listener's connection limit. */
  attach(server: Server): void {
    server.maxConnections = this.o.maxConnections;
  }

  /** Counts the socket against its address and guards its packet sizes; false (socket destroyed) when over a limit. */
  admit(socket: Socket): boolean {
    const address = addressKey(socket.remoteAddress);
    if (this.o.maxPerAddress !== undefined) {
      const n = (this.perAddress.get(address) ?? 0) + 1;
      if (n > this.o.maxPerAddress) {
        this.refused.perAddress++;
        this.o.onRefused?.('per_address', address, n - 1);
        socket.destroy();
        return false;
      }
      this.perAddress.set(address, n);
      socket.once('close', () => {
        const left = (this.perAddress.get(address) ?? 1) - 1;
        if (left <= 0) this.perAddress.delete(address);
        else this.perAddress.set(address, left);
      });
    }
    const guard = guardPacketSize(socket, {
      maxPacketBytes: this.o.maxPacketBytes,
      maxPreAuthBytes: MAX_PRE_AUTH_BYTES,
      onOversize: (announced) => {
        this.refused.packetSize++;
        this.o.onRefused?.('packet_size', address, announced);
      },
    });
    this.guards.set(socket, guard);
    return true;
  }

  /** The broker sent CONNACK on this socket: lifts the pre-authentication byte limit. */
  connected(socket: object): void {
    this.guards.get(socket)?.authenticated();
  }

  /** Open connections counted for an address (tests, metrics). */
  connectionsFrom(address: string): number {
    return this.perAddress.get(addressKey(address)) ?? 0;
  }
}

/** The embedded broker's limits (MQTT_MAX_PACKET_BYTES, MQTT_MAX_CONNECTIONS, ..., services/core/config.ts). */
export interface BrokerLimits {
  maxPacketBytes: number;
  /** Per listener. */
  maxConnections: number;
  /** Per remote address, on the tenant listeners (the internal one is loopback only). */
  maxConnectionsPerAddress: number;
  /** A socket that has not completed CONNECT by then is closed (aedes connectTimeout). */
  connectTimeoutMs: number;
}

/** The defaults of services/core/config.ts, for brokers built without a configuration (tests). */
export const DEFAULT_BROKER_LIMITS: BrokerLimits = {
  maxPacketBytes: 256 * 1024 + 64 * 1024,
  maxConnections: 10_000,
  maxConnectionsPerAddress: 200,
  connectTimeoutMs: 10_000,
};

/** A warn line per reason at most every 10 s, with how many were refused since: a flood must not flood the log. */
export function refusalLog(warn: (fields: object, msg: string) => void): NonNullable<ListenerLimits['onRefused']> {
  const last = new Map<string, { at: number; count: number }>();
  return (reason, address, detail) => {
    const now = performance.now();
    const l = last.get(reason) ?? { at: -Infinity, count: 0 };
    l.count++;
    if (now - l.at >= 10_000) {
      warn({ reason, address, detail, refusedSinceLastLine: l.count }, 'MQTT connection refused');
      l.at = now;
      l.count = 0;
    }
    last.set(reason, l);
  };
}

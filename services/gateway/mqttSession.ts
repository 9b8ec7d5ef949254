import type { IClientOptions } from 'mqtt';

/** What the gateway's MQTT connection is made of (MQTT_* settings). */
export interface GatewaySessionOptions {
  clientId: string;
  username?: string;
  password?: string;
  /** 5 (default): the broker is told our window (Receive Maximum). 4: aedes, which refuses MQTT 5. */
  protocolVersion: 4 | 5;
  keepaliveS: number;
  maxInFlight: number;
}

/**
 * mqtt.js options of the gateway's persistent QoS 1 session.
 *
 * MQTT 5 because of Receive Maximum (§3.1.2.11.3): the broker sends at most `maxInFlight`
 * unacknowledged QoS 1 messages, so the ack gate never has to stop reading the socket and
 * the keepalive (PINGREQ/PINGRESP) keeps working while the store is stalled. Mosquitto 2.0
 * honours it per client (it replaces `max_inflight_messages` for that client).
 * What MQTT 5 changes for this session:
 * - `clean: false` is Clean Start = 0, which alone no longer keeps the session after a
 *   disconnect: a session lives `sessionExpiryInterval` seconds, 0 by default. 0xFFFFFFFF is
 *   "never", as a 3.1.1 persistent session (Mosquitto's persistent_client_expiration still
 *   removes one not seen for that long).
 * - SUBACK/PUBACK carry reason codes; a refused subscription is a code ≥ 0x80 in `granted`
 *   (as 3.1.1's 0x80), which the gateway logs as an error.
 * - `$share/<group>/<filter>` works the same on Mosquitto for 3.1.1 and 5.
 * aedes 1.2 answers an MQTT 5 CONNECT with "unacceptable protocol version", so the embedded
 * broker's gateway stays on 3.1.1 (see services/gateway/README.md for what that costs).
 */
export function gatewayConnectOptions(o: GatewaySessionOptions): IClientOptions {
  return {
    clientId: o.clientId,
    clean: false, // persistent session: the broker queues our QoS 1 messages while we are down
    protocolVersion: o.protocolVersion,
    ...(o.protocolVersion === 5 ? { properties: { sessionExpiryInterval: 0xffffffff, receiveMaximum: o.maxInFlight } } : {}),
    username: o.username,
    password: o.password,
    reconnectPeriod: 1000,
    connectTimeout: 10_000,
    keepalive: o.keepaliveS,
    manualConnect: true,
    resubscribe: true,
    // mqtt.js logs through `debug` several times per message; even when off, each call
    // asks whether its namespace is on (~2 % of the gateway's CPU). DEBUG=mqttjs* still works.
    ...(process.env.DEBUG ? {} : { log: () => {} }),
  };
}

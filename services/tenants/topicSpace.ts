import { TENANT_RE } from '../core/reading.js';

/**
 * A tenant's MQTT topic space. A tenant's client may publish and subscribe only
 * under its two roots:
 *
 *   klimatpuls/{tenant}/...   the native format (`klimatpuls/{tenant}/{device}/up`)
 *   tenants/{tenant}/...      every other format, under a per-tenant prefix:
 *                             `tenants/{tenant}/` + the format's usual topic, e.g.
 *                             `tenants/kalmarhem/wmbusmeters/12345678` or
 *                             `tenants/kalmarhem/v3/my-app@ttn/devices/em500/up`
 *
 * The same rules are written into Mosquitto's ACL file and enforced by the
 * embedded broker's hooks; the gateway also refuses a device that belongs to
 * another tenant than the topic names (`tenant_mismatch`).
 */
export const TENANT_PREFIX = 'tenants';

/** Every tenant's topic space: the gateway subscribes to these whole (services/gateway/routing/tenantRouter.ts). */
export const TENANT_ROOT_FILTERS = ['klimatpuls/#', `${TENANT_PREFIX}/#`] as const;

export function topicRoots(tenant: string): string[] {
  return [`klimatpuls/${tenant}/`, `${TENANT_PREFIX}/${tenant}/`];
}

/** The tenant a topic belongs to (either root), if any. */
export function tenantOfTopic(topic: string): string | undefined {
  const m = /^(?:klimatpuls|tenants)\/([^/]+)\//.exec(topic);
  return m && TENANT_RE.test(m[1]!) ? m[1] : undefined;
}

/** May the tenant publish to `topic`? (No wildcards, under one of its roots, something after the root.) */
export function mayPublish(tenant: string, topic: string): boolean {
  if (/[+#\u0000]/.test(topic)) return false;
  return topicRoots(tenant).some((root) => topic.startsWith(root) && topic.length > root.length);
}

/**
 * May the tenant subscribe to `filter`? Its first two levels must be one of the
 * tenant's roots, literally (so `#`, `+/...`, `klimatpuls/+/...` are refused).
 */
export function maySubscribe(tenant: string, filter: string): boolean {
  if (filter.includes('\u0000')) return false;
  return topicRoots(tenant).some((root) => filter.startsWith(root) && filter.length > root.length);
}

/** For the README and the credentials a tenant receives. */
export function describeTopics(tenant: string): { native: string; otherFormats: string; examples: string[] } {
  return {
    native: `klimatpuls/${tenant}/{deviceId}/up`,
    otherFormats: `${TENANT_PREFIX}/${tenant}/{the format's own topic}`,
    examples: [
      `klimatpuls/${tenant}/{deviceId}/up`,
      `${TENANT_PREFIX}/${tenant}/wmbusmeters/{meterId}`,
      `${TENANT_PREFIX}/${tenant}/v3/{application}@{tenant}/devices/{device}/up`,
      `${TENANT_PREFIX}/${tenant}/application/{id}/device/{devEui}/event/up`,
      `${TENANT_PREFIX}/${tenant}/senml/{deviceId}`,
    ],
  };
}

/**
 * Mosquitto ACL lines for one tenant (user = tenant id): write its roots only. No
 * read: tenants publish, they read their data through the API; a subscription would let
 * the broker queue messages for the tenant's offline session, and Mosquitto 2.0 bounds
 * queues only globally (max_queued_messages, which the gateway's session needs large).
 */
export function mosquittoAcl(tenant: string, username: string): string {
  return [`user ${username}`, ...topicRoots(tenant).map((root) => `topic write ${root}#`), ''].join('\n');
}

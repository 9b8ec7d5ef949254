/**
 * A tenant's id on the MQTT brokers (the rules in services/broker/mqttIdentity.ts): ids
 * starting with `klimatpuls`, the pipeline's MQTT user, are reserved; a tenant's MQTT
 * client id is its username.
 */
export const RESERVED_TENANT_PREFIX = 'klimatpuls';

export function isReservedTenantId(id: string): boolean {
  return id.startsWith(RESERVED_TENANT_PREFIX);
}

/** The one client id a tenant's MQTT connection may use, and the rule in words (credentials, README). */
export function tenantClientId(username: string): { clientId: string; clientIdRule: string } {
  return {
    clientId: username,
    clientIdRule:
      'The MQTT client id must be your username; the embedded broker refuses any other id (CONNACK 2) and Mosquitto replaces it by the username. ' +
      'One connection per username: a second connection replaces the first (bring several gateways in over one connection, e.g. a local bridge).',
  };
}

import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['services/**/*.test.ts', 'simulators/**/*.test.ts'],
          testTimeout: 20_000,
        },
      },
      {
        test: {
          // The quarterly report rendered in headless Chromium (Debian package `chromium`).
          name: 'browser',
          include: ['test/report/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          // Generated Grafana dashboards: drift, schema, and every panel's query against the real InfluxDB.
          name: 'dashboards',
          include: ['test/dashboards/**/*.test.ts'],
          globalSetup: ['test/helpers/globalSetup.ts'],
          pool: 'forks',
          poolOptions: { forks: { singleFork: true } },
          testTimeout: 120_000,
          hookTimeout: 600_000,
        },
      },
      {
        test: {
          // test/security: tenant isolation against the real Mosquitto (password + ACL file,
          // TLS listener) and InfluxDB (bucket + read token per tenant); one fork, like integration.
          name: 'security',
          include: ['test/security/**/*.test.ts'],
          // After integration, before faults: the test gateways subscribe to both tenant
          // roots whole (klimatpuls/#, tenants/#, for no_route), so two projects publishing
          // on one broker at once would see each other's messages as dead letters.
          sequence: { groupOrder: 2 },
          globalSetup: ['test/helpers/globalSetup.ts'],
          pool: 'forks',
          poolOptions: { forks: { singleFork: true } },
          testTimeout: 120_000,
          hookTimeout: 600_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          sequence: { groupOrder: 1 },
          // and the Kafka 3 beside it for the kafkajs bus (deploy/stack/kafka3.sh)
          globalSetup: ['test/helpers/globalSetup.ts', 'test/helpers/kafka3Setup.ts'],
          // One real stack: integration files run one after another, in one process.
          pool: 'forks',
          poolOptions: { forks: { singleFork: true } },
          testTimeout: 240_000,
          hookTimeout: 900_000,
        },
      },
      {
        test: {
          // test/faults: every case streams a simulated city while a fault is injected into
          // the real stack (stack.sh down/up/restart), so it runs alone: one fork, one file
          // after another, and after the other projects (groupOrder 3), so a broker it
          // stops can never be under another project's test.
          name: 'faults',
          include: ['test/faults/**/*.test.ts'],
          globalSetup: ['test/helpers/globalSetup.ts'],
          pool: 'forks',
          poolOptions: { forks: { singleFork: true } },
          sequence: { groupOrder: 3 },
          testTimeout: 600_000,
          hookTimeout: 900_000,
        },
      },
    ],
  },
});

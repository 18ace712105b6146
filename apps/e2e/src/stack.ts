import { Claims, PiiVault, Role } from '@kz/auth';
import { openDocumentsDatabase, publishManifest, RunningGateway, startGateway } from '@kz/gateway';
import { seedOrg, startOrgSubgraph } from '@kz/org-subgraph';
import { startOrdersSubgraph, upsertVolunteerRefs } from '@kz/orders-subgraph';
import { upsertUnitRefs } from '@kz/org-replica';
import { startNotificationsSubgraph } from '@kz/notifications-subgraph';
import { startAnalyticsSubgraph } from '@kz/analytics-subgraph';
import { startPointsSubgraph } from '@kz/points-subgraph';
import { DEMO_PASSWORD, orgDataset, peopleDataset, SeedProfile } from '@kz/seed-data';
import { aCaller, startStack } from '@kz/testing';
import { seedPeople, startVolunteersSubgraph } from '@kz/volunteers-subgraph';
import { clientManifest, E2E_CLIENT } from './client';

export interface PlatformOptions {
  seed?: SeedProfile;
  env?: Record<string, string>;
  /**
   * Publishes `@kz/client`'s manifest (as the app and version `gatewayClient` names) before the gateway starts, as a
   * release does: the client's documents then run by id, under `TRUSTED_DOCUMENTS=enforce` too.
   */
  clientManifest?: boolean;
}

/**
 * The platform as a client sees it: the gateway and every subgraph, in this process, on databases made for this
 * run, optionally seeded with a data set.
 */
export async function startPlatform(options: PlatformOptions = {}) {
  let gateway: RunningGateway | undefined;
  const stack = await startStack({
    subgraphs: {
      org: (config) => startOrgSubgraph(config, { port: 0 }),
      volunteers: (config) => startVolunteersSubgraph(config, { port: 0 }),
      orders: (config) => startOrdersSubgraph(config, { port: 0 }),
      points: (config) => startPointsSubgraph(config, { port: 0 }),
      notifications: (config) => startNotificationsSubgraph(config, { port: 0 }),
      analytics: (config) => startAnalyticsSubgraph(config, { port: 0 }),
    },
    gateway: async (config, subgraphUrls) => {
      if (options.clientManifest) {
        const registry = await openDocumentsDatabase(config);
        try {
          await publishManifest(registry, clientManifest(), E2E_CLIENT.name, E2E_CLIENT.version);
        } finally {
          await registry.destroy();
        }
      }
      return (gateway = await startGateway(config, { port: 0, subgraphUrls }));
    },
    // Tests fire many requests as one caller; the rate limit is off unless a test sets it (security.e2e.spec.ts).
    env: { GATEWAY_RATE_LIMIT_PER_MINUTE: '0', ...options.env },
  });
  const org = stack.subgraphs.org.dataSource;
  if (options.seed) {
    // What `npm run seed` does: the org tree, then the volunteers replica of it and the demo logins.
    await seedOrg(org, orgDataset(options.seed));
    const units = await org.query('SELECT id::text, code, path, level, name FROM practice_unit');
    await seedPeople(stack.subgraphs.volunteers.dataSource, new PiiVault(stack.config.PII_ENCRYPTION_KEY), units, peopleDataset(options.seed), DEMO_PASSWORD, stack.config.PASSWORD_HASH_COST);
    // The orders service's replicas: the units, and who each volunteer is (seeding writes no events for them).
    const volunteers = await stack.subgraphs.volunteers.dataSource.query(
      `SELECT id::text, person_id::text AS "personId", status, home_station_id::text AS "stationId" FROM volunteer`,
    );
    await stack.subgraphs.orders.dataSource.transaction(async (manager) => {
      await upsertUnitRefs(manager, units, new Date(0).toISOString());
      await upsertVolunteerRefs(manager, volunteers, new Date(0).toISOString());
    });
    // The analytics database's replica of the units (the analytics subgraph finds a unit's subtree there).
    await upsertUnitRefs(stack.subgraphs.analytics.dataSource, units, new Date(0).toISOString());
  }

  /** The id and path of a seeded unit, by its natural key. */
  async function unit(code: string): Promise<{ id: string; path: string }> {
    const [row] = await org.query('SELECT id::text, path FROM practice_unit WHERE code = $1', [code]);
    if (!row) throw new Error(`no unit ${code}`);
    return row;
  }

  /** A token for a role; staff roles are scoped to the unit with the given code. */
  async function tokenAs(role: Role, unitCode?: string, person = `p-${role.toLowerCase()}`): Promise<string> {
    const claims: Claims = unitCode ? aCaller.staff(role, await unit(unitCode), person) : { sub: person, roles: [role] };
    return stack.token(claims);
  }

  /** Signs in through the gateway, as the app does, and returns the token. */
  async function login(phone: string, password = DEMO_PASSWORD): Promise<string> {
    const result = await stack.query<{ login: { token: string } }>(
      `mutation($input: LoginInput!) { login(input: $input) { token } }`,
      { input: { phone, password } },
    );
    if (!result.data?.login) throw new Error(`login ${phone} failed: ${JSON.stringify(result.errors)}`);
    return result.data.login.token;
  }

  return {
    ...stack,
    org,
    volunteers: stack.subgraphs.volunteers.dataSource,
    orders: stack.subgraphs.orders.dataSource,
    points: stack.subgraphs.points.dataSource,
    notifications: stack.subgraphs.notifications.dataSource,
    analytics: stack.subgraphs.analytics.dataSource,
    unit,
    tokenAs,
    login,
    /** The gateway of this process (its photo store's sweep, for tests). */
    gateway: () => gateway!,
  };
}

export type Platform = Awaited<ReturnType<typeof startPlatform>>;

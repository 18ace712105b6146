import { Client, ClientConfig } from 'pg';
import type { Config } from '@kz/config';

export type PgConfig = Pick<Config, 'PGHOST' | 'PGPORT' | 'PGUSER' | 'PGPASSWORD'>;

export function pgClientConfig(config: PgConfig, database: string): ClientConfig {
  return {
    host: config.PGHOST,
    port: config.PGPORT,
    user: config.PGUSER,
    password: config.PGPASSWORD || undefined,
    database,
  };
}

/** Runs `fn` with a short-lived client on the server's maintenance database. */
async function withMaintenanceClient<T>(config: PgConfig, fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ ...pgClientConfig(config, 'postgres'), connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** Creates the database when it does not exist. Safe when several services or replicas race to create it. */
export async function ensureDatabase(config: PgConfig, database: string): Promise<boolean> {
  return withMaintenanceClient(config, async (client) => {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (found.rowCount) return false;
    try {
      await client.query(`CREATE DATABASE ${quoteIdent(database)}`);
      return true;
    } catch (error) {
      // 42P04 duplicate_database; 23505 when two CREATE DATABASE statements collide in pg_database's index.
      const code = (error as { code?: string }).code;
      if (code === '42P04' || code === '23505') return false;
      throw error;
    }
  });
}

export async function dropDatabase(config: PgConfig, database: string): Promise<void> {
  await withMaintenanceClient(config, async (client) => {
    await client.query(`DROP DATABASE IF EXISTS ${quoteIdent(database)} WITH (FORCE)`);
  });
}

/** Fails fast with a message that names the address and says how to start a server. */
export async function assertPostgresReachable(config: PgConfig): Promise<void> {
  try {
    await withMaintenanceClient(config, async (client) => {
      await client.query('SELECT 1');
    });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(
      `Postgres is not reachable at ${config.PGHOST}:${config.PGPORT} as user "${config.PGUSER}" (${reason}).\n` +
        `Start one, e.g. \`pg_ctlcluster 15 main start\` or \`docker run -p 5432:5432 -e POSTGRES_HOST_AUTH_METHOD=trust postgres:16\`,\n` +
        `or point PGHOST/PGPORT/PGUSER/PGPASSWORD at yours.`,
    );
  }
}

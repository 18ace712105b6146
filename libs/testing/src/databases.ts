import { Config, loadConfig } from '@kz/config';
import { Pool } from 'pg';
import { dropDatabase, ensureDatabase, pgClientConfig } from '@kz/db';
import { uniqueName } from './names';

/**
 * The configuration tests run with: the environment (for PGHOST etc.) with NODE_ENV=test, and password hashes at cost
 * 12 instead of 15 outside production mode (the same code, an eighth of the CPU), so that the suite's logins do not
 * starve a loaded machine.
 */
export function testConfig(overrides: Record<string, string> = {}): Config {
  const env: Record<string, string | undefined> = { ...process.env, NODE_ENV: 'test', LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent', ...overrides };
  if (env.NODE_ENV !== 'production') env.PASSWORD_HASH_COST ??= '12';
  return loadConfig(env);
}

export interface TestDatabase {
  name: string;
  drop(): Promise<void>;
}

export async function createTestDatabase(config: Config, prefix: string): Promise<TestDatabase> {
  const name = uniqueName(prefix);
  await ensureDatabase(config, name);
  return { name, drop: () => dropDatabase(config, name) };
}

/**
 * A pool on a test's own database, with a listener for its idle connections' errors: the test's clean-up drops the
 * database `WITH (FORCE)`, which may cut a connection the ending pool still holds, and pg emits that on the pool,
 * where an error without a listener ends the test process.
 */
export function testPool(config: Config, database: string, max: number): Pool {
  const pool = new Pool({ ...pgClientConfig(config, database), max });
  pool.on('error', () => undefined);
  return pool;
}

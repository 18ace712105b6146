import { Config, loadConfig } from '@kz/config';
import { dropDatabase, ensureDatabase } from '@kz/db';
import { uniqueName } from './names';

/** The configuration tests run with: the environment (for PGHOST etc.) with NODE_ENV=test. */
export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({ ...process.env, NODE_ENV: 'test', LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent', ...overrides });
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

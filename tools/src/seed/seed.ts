import { PiiVault } from '@kz/auth';
import type { Config } from '@kz/config';
import { seedOrg, SeedCounts } from '@kz/org-subgraph';
import { DEMO_PASSWORD, orgDataset, peopleDataset, SeedProfile } from '@kz/seed-data';
import { seedPeople } from '@kz/volunteers-subgraph';
import { openOrgDatabase, openVolunteersDatabase } from '../shared/databases';

export const PROFILES: SeedProfile[] = ['demo', 'kaizhou'];

export interface SeedReport {
  org: SeedCounts;
  people: number;
  ms: number;
}

/**
 * Loads a profile into every service database that has seed data: the org hierarchy and teams, then the volunteers
 * database (its replica of the units, and the people with logins). Development logins are refused in production.
 */
export async function seed(config: Config, profile: SeedProfile): Promise<SeedReport> {
  if (config.NODE_ENV === 'production') throw new Error('npm run seed loads development logins and refuses to run when NODE_ENV=production');
  const started = Date.now();
  const org = await openOrgDatabase(config);
  let counts: SeedCounts;
  let units: { id: string; code: string; path: string; level: 'CENTER' | 'INSTITUTE' | 'STATION' | 'POINT'; name: string }[];
  try {
    counts = await seedOrg(org, orgDataset(profile));
    units = await org.query('SELECT id::text, code, path, level, name FROM practice_unit ORDER BY id');
  } finally {
    await org.destroy();
  }
  const volunteers = await openVolunteersDatabase(config);
  try {
    const people = await seedPeople(volunteers, new PiiVault(config.PII_ENCRYPTION_KEY), units, peopleDataset(profile), DEMO_PASSWORD);
    return { org: counts, people: people.people, ms: Date.now() - started };
  } finally {
    await volunteers.destroy();
  }
}

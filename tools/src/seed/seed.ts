import type { Config } from '@kz/config';
import { seedOrg, SeedCounts } from '@kz/org-subgraph';
import { orgDataset, SeedProfile } from '@kz/seed-data';
import { openOrgDatabase } from '../shared/databases';

export const PROFILES: SeedProfile[] = ['demo', 'kaizhou'];

/** Loads a profile into every service database that has seed data (today: the org hierarchy and teams). */
export async function seed(config: Config, profile: SeedProfile): Promise<{ org: SeedCounts; ms: number }> {
  const started = Date.now();
  const org = await openOrgDatabase(config);
  try {
    const counts = await seedOrg(org, orgDataset(profile));
    return { org: counts, ms: Date.now() - started };
  } finally {
    await org.destroy();
  }
}

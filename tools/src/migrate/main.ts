import { loadConfigOrExit } from '@kz/config';
import { assertPostgresReachable } from '@kz/db';
import { runTool } from '../shared/args';
import { migrateAll } from './migrate';

/**
 * `npm run migrate`: creates every database of the platform that is missing (with QUEUE_BACKEND=postgres, the queue
 * database too) and applies its pending migrations, under the same advisory lock the services take when they boot,
 * then prints what it applied. Nothing is started and nothing is seeded; run it before rolling out a release whose services should not migrate on their own boot.
 */
runTool(async () => {
  const config = loadConfigOrExit();
  await assertPostgresReachable(config);
  for (const line of await migrateAll(config)) process.stdout.write(`${line}\n`);
});

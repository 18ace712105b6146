import { loadConfigOrExit } from '@kz/config';
import { assertPostgresReachable } from '@kz/db';
import { assertRedisReachable } from '@kz/events';
import { seed } from '../seed/seed';
import { openOrgDatabase } from '../shared/databases';
import { appsOf, Launcher, waitHealthy } from './launcher';

/**
 * `npm start`: checks Postgres and Redis (stopping at once with how to start them), prepares the org database
 * and seeds the demo set when it is empty, then starts every app and prints where to go.
 */
async function main(): Promise<void> {
  const config = loadConfigOrExit();
  try {
    await assertPostgresReachable(config);
    await assertRedisReachable(config.REDIS_URL);
  } catch (error) {
    process.stderr.write(`\n${(error as Error).message}\n\n`);
    process.exit(1);
  }
  const org = await openOrgDatabase(config);
  const [{ n }] = await org.query('SELECT count(*)::int AS n FROM practice_unit');
  await org.destroy();
  if (n === 0) {
    const { org: counts } = await seed(config, 'demo');
    process.stdout.write(`seeded the demo data set: ${counts.unitsInserted} units, ${counts.teamsInserted} teams\n`);
  }

  const launcher = new Launcher();
  const onSignal = () => void launcher.stop(0);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('exit', () => launcher.killAll());

  let index = 0;
  for (const group of appsOf(config)) {
    const started = group.map((app) => {
      launcher.start(app, index++);
      return app;
    });
    try {
      await Promise.all(started.map((app) => waitHealthy(app.port, () => launcher.isRunning(app.name))));
    } catch (error) {
      process.stderr.write(`${(error as Error).message}\n`);
      await launcher.stop(1);
      process.exit(await launcher.exited);
    }
  }
  const gateway = `http://localhost:${config.GATEWAY_PORT}/graphql`;
  process.stdout.write(
    `\n  The platform is up.\n` +
      `  GraphQL gateway:   ${gateway}\n` +
      `  Queues (Bull Board): http://localhost:${config.OPS_DASHBOARD_PORT}/ (sign in with a CENTER_ADMIN token)\n` +
      `  A token to use:    npm run token -- --role CENTER_ADMIN\n` +
      `  Stop everything:   Ctrl-C\n\n`,
  );
  process.exit(await launcher.exited);
}

void main();

import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '@kz/config';
import { dropDatabase } from '@kz/db';
import IORedis from 'ioredis';
import { deleteKeysWithPrefix, freePort } from '@kz/testing';
import { WORKSPACE } from '../compose/compose';
import { Launcher, waitHealthy } from '../launcher/launcher';
import { parseArgs, runTool } from '../shared/args';
import { seed } from '../seed/seed';
import { dispatchWorkerBenchmarks, placeOrderBenchmark } from './dispatch.bench';
import { comparisonTable, Comparison } from './load';
import { notificationBenchmarks } from './notifications.bench';
import { pointsTransferBenchmark } from './points-transfer.bench';
import { redemptionBenchmark } from './redemption.bench';
import { unitTreeBenchmark } from './unit-tree.bench';
import { volunteerSearchBenchmark } from './volunteer-search.bench';

/**
 * `npm run bench`: the kaizhou data set in databases of its own, the subgraphs and the gateway as separate processes
 * in production mode, and each scenario measured against its baseline in alternating rounds of the same run.
 * Figures are reported as ratios, since this machine is shared and noisy.
 */
runTool(async () => {
  const args = parseArgs(process.argv.slice(2), ['seconds', 'connections', 'rounds']);
  const options = { seconds: Number(args.seconds ?? 5), connections: Number(args.connections ?? 8), rounds: Number(args.rounds ?? 3) };
  const [orgPort, volunteersPort, gatewayPort, pointsPort, ordersPort, notificationsPort] = [
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  // Measured as deployed: production mode (graphql-js skips its development checks), with secrets of this run.
  const env = {
    ...process.env,
    NODE_ENV: 'production',
    JWT_SECRET: randomBytes(32).toString('hex'),
    CLAIMS_SIGNING_SECRET: randomBytes(32).toString('hex'),
    PII_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
    LOG_LEVEL: 'warn',
    ORG_DATABASE: `bench_org_${process.pid}`,
    VOLUNTEERS_DATABASE: `bench_volunteers_${process.pid}`,
    POINTS_DATABASE: `bench_points_${process.pid}`,
    ORDERS_DATABASE: `bench_orders_${process.pid}`,
    NOTIFICATIONS_DATABASE: `bench_notifications_subgraph_${process.pid}`,
    ORG_PORT: String(orgPort),
    VOLUNTEERS_PORT: String(volunteersPort),
    GATEWAY_PORT: String(gatewayPort),
    POINTS_PORT: String(pointsPort),
    ORDERS_PORT: String(ordersPort),
    NOTIFICATIONS_PORT: String(notificationsPort),
    ORG_SUBGRAPH_URL: `http://127.0.0.1:${orgPort}/graphql`,
    VOLUNTEERS_SUBGRAPH_URL: `http://127.0.0.1:${volunteersPort}/graphql`,
    POINTS_SUBGRAPH_URL: `http://127.0.0.1:${pointsPort}/graphql`,
    ORDERS_SUBGRAPH_URL: `http://127.0.0.1:${ordersPort}/graphql`,
    NOTIFICATIONS_SUBGRAPH_URL: `http://127.0.0.1:${notificationsPort}/graphql`,
    QUEUE_PREFIX: `{kz-bench-${process.pid}}`,
  };
  const config = loadConfig(env);
  const seeded = await seed({ ...config, NODE_ENV: 'development' }, 'kaizhou'); // seed data is development data
  const seedLine = `seed: kaizhou (${seeded.org.unitsInserted} units, ${seeded.org.teamsInserted} teams, ${seeded.volunteering.volunteers} volunteers, ${seeded.volunteering.activities} activities, ${seeded.volunteering.serviceRecords} service records) loaded in ${(seeded.ms / 1000).toFixed(1)} s`;
  process.stdout.write(`${seedLine}\n`);

  const launcher = new Launcher(10, env);
  const comparisons: Comparison[] = [];
  try {
    launcher.start({ name: 'org', dir: 'org-subgraph', port: orgPort }, 0);
    launcher.start({ name: 'volunteers', dir: 'volunteers-subgraph', port: volunteersPort }, 1);
    launcher.start({ name: 'points', dir: 'points-subgraph', port: pointsPort }, 3);
    launcher.start({ name: 'orders', dir: 'orders-subgraph', port: ordersPort }, 4);
    launcher.start({ name: 'notifications', dir: 'notifications-subgraph', port: notificationsPort }, 5);
    await Promise.all([
      waitHealthy(orgPort, () => launcher.isRunning('org')),
      waitHealthy(volunteersPort, () => launcher.isRunning('volunteers')),
      waitHealthy(pointsPort, () => launcher.isRunning('points')),
      waitHealthy(ordersPort, () => launcher.isRunning('orders')),
      waitHealthy(notificationsPort, () => launcher.isRunning('notifications')),
    ]);
    launcher.start({ name: 'gateway', dir: 'gateway', port: gatewayPort }, 2);
    await waitHealthy(gatewayPort, () => launcher.isRunning('gateway'));
    const target = { config, gateway: `http://127.0.0.1:${gatewayPort}/graphql`, org: `http://127.0.0.1:${orgPort}`, volunteers: `http://127.0.0.1:${volunteersPort}` };
    comparisons.push(await unitTreeBenchmark(target, options));
    comparisons.push(await volunteerSearchBenchmark(target, options));
    comparisons.push(await pointsTransferBenchmark({ config, points: `http://127.0.0.1:${pointsPort}` }, options));
    comparisons.push(await redemptionBenchmark({ ...target, points: `http://127.0.0.1:${pointsPort}` }, options));
    comparisons.push(await placeOrderBenchmark({ ...target, orders: `http://127.0.0.1:${ordersPort}` }, options));
    comparisons.push(...(await dispatchWorkerBenchmarks(config, env, options)));
    comparisons.push(...(await notificationBenchmarks(config, options)));
  } finally {
    await launcher.stop(0);
    await launcher.exited;
    await dropDatabase(config, config.ORG_DATABASE);
    await dropDatabase(config, config.VOLUNTEERS_DATABASE);
    await dropDatabase(config, config.POINTS_DATABASE);
    await dropDatabase(config, config.ORDERS_DATABASE);
    await dropDatabase(config, config.NOTIFICATIONS_DATABASE);
    const redis = new IORedis(config.REDIS_URL, { maxRetriesPerRequest: 1 });
    await deleteKeysWithPrefix(redis, config.QUEUE_PREFIX); // the events of the redemptions and orders
    redis.disconnect();
  }

  const when = new Date().toISOString();
  const header = `Measured ${when} with \`npm run bench\`: ${options.connections} connections, ${options.rounds} alternating rounds of ${options.seconds} s, median round shown.`;
  const sections = comparisons.map((c) => `## ${c.title}\n\n${c.note}\n\n${comparisonTable(c)}\n`);
  process.stdout.write(`\n${header}\n\n${sections.join('\n')}\n`);
  const out = join(WORKSPACE, 'docs', 'benchmarks');
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'latest.json'), `${JSON.stringify({ when, options, seed: seedLine, comparisons }, null, 2)}\n`);
  writeFileSync(join(out, 'latest.md'), `# Benchmarks\n\n${header}\n\n${seedLine}\n\n${sections.join('\n')}`);
});

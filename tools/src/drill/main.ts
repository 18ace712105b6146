import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@kz/config';
import { openQueueBackend, Queues } from '@kz/events';
import { ensurePersonAccount, postTransaction, systemAccountId } from '@kz/points-subgraph';
import { DEMO_PASSWORD } from '@kz/seed-data';
import { freePort, PrivateRedis } from '@kz/testing';
import { WORKSPACE } from '../compose/compose';
import { seed } from '../seed/seed';
import { openPointsDatabase } from '../shared/databases';
import { parseArgs, runTool } from '../shared/args';
import { DrillContext, DrillResult, learnRecipients, PLATFORM_PROCESSES, postgresRestartDrill, redisEmptyDrill, redisOutageDrill, subgraphStopDrill, workerKillDrill } from './drills';
import { PrivatePostgres } from './private-postgres';
import { ask, sql } from './probes';
import { Processes } from './processes';
import { drillSection, markdown, summaryTable } from './report';

const RESIDENT_ZHOU = '13900230008'; // 周建华, 迎宾社区

/**
 * `npm run drill`: fault drills against the whole platform, each app a process of its own, on a Postgres cluster and
 * a Redis of the drill's own (the machine's shared servers are never stopped). Seeds the demo set, runs the drills,
 * checks each one's invariants, prints what was lost and writes docs/reliability/latest.{json,md}.
 */
runTool(async () => {
  const args = parseArgs(process.argv.slice(2), ['only', 'orders', 'empty-orders', 'no-write', 'queue-backend']);
  // `--queue-backend postgres`: the same drills with every queue in the private cluster (QUEUE_BACKEND=postgres);
  // the Redis outages (2, 5, 6) do not apply there, and the results go to docs/reliability/latest-postgres.*.
  const queueBackend = args['queue-backend'] ?? 'redis';
  if (queueBackend !== 'redis' && queueBackend !== 'postgres') throw new Error(`--queue-backend must be redis or postgres, not ${queueBackend}`);
  const only = new Set((args.only ?? (queueBackend === 'postgres' ? '1,3,4' : '1,2,3,4,5,6')).split(',').map(Number));
  if (queueBackend === 'postgres' && [2, 5, 6].some((drill) => only.has(drill))) {
    throw new Error('drills 2, 5 and 6 (Redis down, restarted empty, FLUSHALL) do not apply with --queue-backend postgres');
  }
  const emptyOrders = Number(args['empty-orders'] ?? 500);
  const say = (line: string) => process.stdout.write(`${line}\n`);
  const started = Date.now();

  say('drill: starting a private Postgres cluster and Redis');
  const pg = await PrivatePostgres.create();
  await pg.start();
  const redis = await PrivateRedis.launch({ persistent: true });
  const logDir = mkdtempSync(join(tmpdir(), 'kz-drill-logs-'));

  const names = PLATFORM_PROCESSES;
  const ports: Record<string, number> = {};
  for (const name of names) ports[name] = await freePort();
  const url = (name: string) => `http://127.0.0.1:${ports[name]}/graphql`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'production',
    LOG_LEVEL: 'info',
    JWT_SECRET: randomBytes(32).toString('hex'),
    CLAIMS_SIGNING_SECRET: randomBytes(32).toString('hex'),
    PII_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
    CERTIFICATE_SIGNING_KEY: randomBytes(32).toString('hex'),
    PGHOST: '127.0.0.1',
    PGPORT: String(pg.port),
    PGUSER: 'postgres',
    PGPASSWORD: '',
    REDIS_URL: redis.url,
    QUEUE_PREFIX: '{kz-drill}',
    QUEUE_BACKEND: queueBackend,
    // The drills send one resident's requests in bursts; the per-user limit is not what they test.
    GATEWAY_RATE_LIMIT_PER_MINUTE: '1000000',
    // The drills send free text; trusted documents (enforced by default in production) are not what they test.
    TRUSTED_DOCUMENTS: 'log',
    ORG_PORT: String(ports.org),
    VOLUNTEERS_PORT: String(ports.volunteers),
    ORDERS_PORT: String(ports.orders),
    POINTS_PORT: String(ports.points),
    NOTIFICATIONS_PORT: String(ports.notifications),
    ANALYTICS_PORT: String(ports['analytics-graph']),
    GATEWAY_PORT: String(ports.gateway),
    ORG_SUBGRAPH_URL: url('org'),
    VOLUNTEERS_SUBGRAPH_URL: url('volunteers'),
    ORDERS_SUBGRAPH_URL: url('orders'),
    POINTS_SUBGRAPH_URL: url('points'),
    NOTIFICATIONS_SUBGRAPH_URL: url('notifications'),
    ANALYTICS_SUBGRAPH_URL: url('analytics-graph'),
  };
  for (const name of ['ORG_DATABASE', 'VOLUNTEERS_DATABASE', 'ORDERS_DATABASE', 'POINTS_DATABASE', 'NOTIFICATIONS_DATABASE', 'ANALYTICS_DATABASE', 'GATEWAY_DATABASE', 'MEDIA_DATABASE', 'NOTIFICATION_WEBHOOK_URL']) delete env[name];
  const config = loadConfig(env);
  const processes = new Processes(env, logDir);
  process.on('exit', () => processes.killAll());
  const interrupted = () => {
    processes.killAll();
    void Promise.allSettled([redis.destroy(), pg.destroy()]).then(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  const backend = await openQueueBackend(config, { role: 'worker' });
  const queues = new Queues(backend, config.QUEUE_PREFIX);
  const results: DrillResult[] = [];
  let failed = true;
  try {
    const seeded = await seed({ ...config, NODE_ENV: 'development' }, 'demo'); // seed data is development data
    say(`drill: seeded the demo set (${seeded.org.unitsInserted} units, ${seeded.people} people) in ${(seeded.ms / 1000).toFixed(1)} s`);
    for (const name of ['org', 'volunteers', 'orders', 'points', 'notifications']) await processes.start({ name, dir: `${name}-subgraph`, port: ports[name]! });
    // The subgraph of the daily figures (the gateway's /ready needs every subgraph of the supergraph).
    await processes.start({ name: 'analytics-graph', dir: 'analytics-subgraph', port: ports['analytics-graph']! });
    await processes.start({ name: 'gateway', dir: 'gateway', port: ports.gateway! });
    for (const replica of ['1', '2']) {
      await processes.start({ name: `dispatch-${replica}`, dir: 'dispatch-worker', port: ports[`dispatch-${replica}`]!, env: { DISPATCH_WORKER_PORT: String(ports[`dispatch-${replica}`]) } });
      await processes.start({
        name: `notification-${replica}`,
        dir: 'notification-worker',
        port: ports[`notification-${replica}`]!,
        env: { NOTIFICATION_WORKER_PORT: String(ports[`notification-${replica}`]) },
      });
    }
    // It drains `analytics` (every event) into the archive, so that queue empties too between drills.
    await processes.start({ name: 'analytics', dir: 'analytics-worker', port: ports.analytics!, env: { ANALYTICS_WORKER_PORT: String(ports.analytics) } });
    say(`drill: platform up (${names.length} processes, logs in ${logDir})`);

    const gateway = url('gateway');
    const login = await ask(gateway, 'mutation($input: LoginInput!) { login(input: $input) { token person { id } } }', { input: { phone: RESIDENT_ZHOU, password: DEMO_PASSWORD } }, '');
    const session = login.body.data?.login as { token: string; person: { id: string } } | undefined;
    if (!session) throw new Error(`login of the demo resident failed: ${login.code}`);
    const [station] = await sql<{ lat: number; lng: number }>(config, config.ORG_DATABASE, `SELECT lat, lng FROM practice_unit WHERE code = 'KZ-HANFENG-YINGBIN'`);
    // Points for the resident's redemptions (setup, straight into the ledger as the bench does).
    const points = await openPointsDatabase(config);
    try {
      await points.transaction(async (manager) => {
        const account = await ensurePersonAccount(manager, session.person.id);
        const issuance = await systemAccountId(manager, 'ISSUANCE');
        await postTransaction(manager, {
          kind: 'CREDIT',
          description: '故障演练 积分',
          createdBy: 'drill',
          postings: [{ accountId: issuance, amount: -1_000_000 }, { accountId: account.id, amount: 1_000_000 }],
        });
      });
    } finally {
      await points.destroy();
    }
    const ctx: DrillContext = {
      config,
      processes,
      pg,
      redis,
      queues,
      gateway,
      token: session.token,
      residentId: session.person.id,
      location: { lat: Number(station!.lat), lng: Number(station!.lng) },
      expected: {},
      ports,
      log: say,
    };
    ctx.expected = await learnRecipients(ctx);
    say(`drill: recipients learned in calm conditions: ${Object.entries(ctx.expected).map(([type, people]) => `${type} → ${people.length}`).join(', ')}`);

    const drills: [number, string, () => Promise<DrillResult>][] = [
      [1, 'kill -9 of worker replicas mid-batch', () => workerKillDrill(ctx, Number(args.orders ?? 80))],
      [2, 'Redis down 10 s during a burst', () => redisOutageDrill(ctx)],
      [3, 'points subgraph stopped and started', () => subgraphStopDrill(ctx)],
      [4, 'Postgres restart during a burst', () => postgresRestartDrill(ctx)],
      [5, `Redis shut down nosave (restarted empty) mid-way through ${emptyOrders} orders`, () => redisEmptyDrill(ctx, 'nosave', emptyOrders)],
      [6, `Redis FLUSHALL mid-way through ${emptyOrders} orders`, () => redisEmptyDrill(ctx, 'flushall', emptyOrders)],
    ];
    for (const [n, title, run] of drills) {
      if (!only.has(n)) continue;
      say(`\ndrill ${n}: ${title}`);
      const result = await run();
      results.push(result);
      say(drillSection(result));
    }
    failed = results.some((result) => !result.ok);
  } finally {
    await queues.close().catch(() => undefined);
    await backend.close();
    await processes.stopAll();
    await redis.destroy();
    await pg.destroy();
    if (!failed) rmSync(logDir, { recursive: true, force: true });
  }

  const when = new Date().toISOString();
  const setup = [
    `Platform: 6 subgraphs, the gateway, 2 dispatch-worker and 2 notification-worker replicas and the analytics worker, each its own Node process (NODE_ENV=production), as \`npm start\` runs them.`,
    queueBackend === 'postgres'
      ? `Data: the demo set seeded into a private Postgres cluster (initdb in a temporary directory, its own port), and every queue, timer and shared record in its database \`queues\` (QUEUE_BACKEND=postgres, BullMQ's PostgreSQL backend); the private redis-server is started as for the other drills but the apps have nothing to do with it.`
      : `Data: the demo set seeded into a private Postgres cluster (initdb in a temporary directory, its own port); a private redis-server with the append-only file on (appendfsync everysec) and noeviction.`,
    `Client: the demo resident 周建华 through the gateway: orders at 迎宾社区 (routed there by the dispatch worker), redemptions of a reward made for each drill.`,
    `Whole run: ${Math.round((Date.now() - started) / 1000)} s.`,
  ];
  say(`\nFault drills (${when}): what was lost\n\n${summaryTable(results)}\n`);
  if (args['no-write'] !== 'true') {
    const out = join(WORKSPACE, 'docs', 'reliability');
    mkdirSync(out, { recursive: true });
    const file = queueBackend === 'postgres' ? 'latest-postgres' : 'latest';
    writeFileSync(join(out, `${file}.json`), `${JSON.stringify({ when, queueBackend, setup, drills: results }, null, 2)}\n`);
    writeFileSync(join(out, `${file}.md`), markdown(when, setup, results));
    say(`written: docs/reliability/${file}.json, docs/reliability/${file}.md`);
  }
  if (failed) throw new Error(`drill: ${results.filter((r) => !r.ok).map((r) => r.name).join(', ') || 'setup'} failed (logs kept in ${logDir})`);
});

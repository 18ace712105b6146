import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@kz/config';
import { dropDatabase } from '@kz/db';
import { openDocumentsDatabase, parseManifest, publishManifest } from '@kz/gateway';
import IORedis from 'ioredis';
import { deleteKeysWithPrefix, freePort } from '@kz/testing';
import { WORKSPACE } from '../compose/compose';
import { Launcher, NO_RESTART, waitHealthy } from '../launcher/launcher';
import { parseArgs, runTool } from '../shared/args';
import { seed } from '../seed/seed';
import { analyticsBenchmark } from './analytics.bench';
import { dispatchWorkerBenchmarks, placeOrderBenchmark } from './dispatch.bench';
import { embeddedBenchmark, EmbeddedReport } from './embedded.bench';
import { CLIENT_MIX_DOCUMENTS, clientMixBenchmarks } from './client-mix.bench';
import { liveBenchmark, LiveReport } from './live.bench';
import { atRest, NOT_THIS_RUN, RoundCpu } from './cpu';
import { comparisonTable, Comparison, cpuMs, cpuPerRequest, cpuTable, median, restRate, summaryRows, summaryTable } from './load';
import { notificationBenchmarks } from './notifications.bench';
import { pointsTransferBenchmark } from './points-transfer.bench';
import { queueBackendBenchmarks } from './queue-backends.bench';
import { clockTicksPerSecond, GatewayProcess, launchBareGateway, launchGateway, memoryOfDescendants, processesOfApps, ProcessMemory, secondNode } from './processes';
import { redemptionBenchmark } from './redemption.bench';
import { tracingBenchmark } from './tracing.bench';
import { unitTreeBenchmark } from './unit-tree.bench';
import { volunteerSearchBenchmark } from './volunteer-search.bench';
import { leaderboardBenchmarks } from './leaderboard.bench';

/** The benchmarks, by the names `--only` takes, in the order they run. */
const BENCHMARKS = ['unit-tree', 'tracing', 'volunteer-search', 'leaderboards', 'client-mix', 'place-order', 'points-transfer', 'redemption', 'dispatch', 'queue-backends', 'notifications', 'analytics', 'live', 'embedded'];

/**
 * `npm run bench`: the kaizhou data set in databases of its own, the subgraphs and the gateway as separate processes
 * in production mode, and each scenario measured against its baseline in alternating rounds of the same run.
 * Figures are reported as ratios, since this machine is shared and noisy.
 *
 * The gateway runs as the README says to run it in production (`GATEWAY_WORKERS=auto`: one process per CPU) and,
 * side by side on another port, as a single process, so the gateway benchmarks show what cluster mode does here.
 */
runTool(async () => {
  const startedAt = Date.now();
  const args = parseArgs(process.argv.slice(2), ['seconds', 'connections', 'rounds', 'only', 'seed']);
  const options = { seconds: Number(args.seconds ?? 5), connections: Number(args.connections ?? 8), rounds: Number(args.rounds ?? 3) };
  // `--only client-mix,unit-tree`: a quick look at some benchmarks; such a partial run does not replace the figures in docs/.
  const only = args.only ? new Set(args.only.split(',')) : null;
  const unknown = [...(only ?? [])].filter((name) => !BENCHMARKS.includes(name));
  if (unknown.length > 0) throw new Error(`unknown benchmark ${unknown.join(', ')} (known: ${BENCHMARKS.join(', ')})`);
  const runs = (name: (typeof BENCHMARKS)[number]) => !only || only.has(name);
  // `--only tracing --seed demo`: a quick look on the small data set (minutes less seeding); only with --only.
  const profile = args.seed ?? 'kaizhou';
  if (profile !== 'kaizhou' && (!only || (profile !== 'demo'))) throw new Error('--seed demo goes with --only (the full run measures the kaizhou data set)');
  const [orgPort, volunteersPort, gatewayPort, pointsPort, ordersPort, notificationsPort, singleGatewayPort, enforcingGatewayPort, otherNodeGatewayPort, bareGatewayPort] = [
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
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
    CERTIFICATE_SIGNING_KEY: randomBytes(32).toString('hex'),
    LOG_LEVEL: 'warn',
    ORG_DATABASE: `bench_org_${process.pid}`,
    VOLUNTEERS_DATABASE: `bench_volunteers_${process.pid}`,
    POINTS_DATABASE: `bench_points_${process.pid}`,
    ORDERS_DATABASE: `bench_orders_${process.pid}`,
    NOTIFICATIONS_DATABASE: `bench_notifications_subgraph_${process.pid}`,
    // The seed fills the analytics database's unit replica too.
    ANALYTICS_DATABASE: `bench_analytics_${process.pid}`,
    GATEWAY_DATABASE: `bench_gateway_${process.pid}`,
    MEDIA_DATABASE: `bench_media_${process.pid}`,
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
    // The per-caller rate limit would throttle the load generator's few callers; measured without it.
    GATEWAY_RATE_LIMIT_PER_MINUTE: '0',
    // The benchmarks send their operations as text; a production gateway that still accepts text runs with `log`.
    TRUSTED_DOCUMENTS: 'log',
  };
  const config = loadConfig(env);
  const seeded = await seed({ ...config, NODE_ENV: 'development' }, profile); // seed data is development data
  const seedLine =
    `seed: ${profile} (${seeded.org.unitsInserted} units, ${seeded.org.teamsInserted} teams, ${seeded.volunteering.volunteers} volunteers, ` +
    `${seeded.volunteering.activities} activities, ${seeded.volunteering.serviceRecords} service records, ${seeded.orders.inserted} service orders ` +
    `with ${seeded.orders.timeline} timeline lines and ${seeded.orders.assignees} assignments, ${seeded.points.accountsOpened} points accounts ` +
    `credited through ${seeded.points.credits} balanced ledger transactions) loaded in ${(seeded.ms / 1000).toFixed(1)} s ` +
    `(the orders and points accounts: ${(seeded.historyMs / 1000).toFixed(1)} s of it)`;
  process.stdout.write(`${seedLine}\n`);

  const launcher = new Launcher({ width: 10, env, policy: NO_RESTART });
  const comparisons: Comparison[] = [];
  const gateways: GatewayProcess[] = [];
  let otherNodeGateway: GatewayProcess | undefined;
  let bareGateway: GatewayProcess | undefined;
  const memory: ProcessMemory[] = [];
  let live: LiveReport | null = null;
  let rest: RoundCpu | null = null;
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
    // As in production (README: one gateway process per CPU), and a single process beside it for comparison.
    gateways.push(await launchGateway(env, gatewayPort, 'auto'));
    gateways.push(await launchGateway(env, singleGatewayPort, 1));
    // The client mix also runs by id, through a gateway that enforces trusted documents over the mix's manifest.
    const byId: { label: string; url: string }[] = [];
    if (runs('client-mix')) {
      const registry = await openDocumentsDatabase(config);
      try {
        await publishManifest(registry, parseManifest(CLIENT_MIX_DOCUMENTS), 'bench-client-mix', '1');
      } finally {
        await registry.destroy();
      }
      gateways.push(await launchGateway({ ...env, TRUSTED_DOCUMENTS: 'enforce' }, enforcingGatewayPort, 1));
      byId.push({ label: 'gateway (1 process, TRUSTED_DOCUMENTS=enforce), by id', url: `http://127.0.0.1:${enforcingGatewayPort}/graphql` });
    }
    // Apollo Server + Apollo Gateway with default options and only the signed claims the subgraphs need (issue 13).
    bareGateway = ['unit-tree', 'volunteer-search', 'client-mix', 'place-order'].some(runs) ? await launchBareGateway(env, bareGatewayPort) : undefined;
    const bare = bareGateway && { label: 'bare Apollo Gateway (1 process)', url: `http://127.0.0.1:${bareGatewayPort}/graphql` };
    const production = { label: `gateway (${gateways[0]!.processes} processes, GATEWAY_WORKERS=auto)`, url: `http://127.0.0.1:${gatewayPort}/graphql` };
    const single = { label: 'gateway (1 process)', url: `http://127.0.0.1:${singleGatewayPort}/graphql` };
    // The gateway on both Node lines in one run (issue 21): one process on the other line beside the single one.
    const other = runs('unit-tree') ? secondNode() : null;
    if (other) otherNodeGateway = await launchGateway(env, otherNodeGatewayPort, 1, other.path);
    const nodeLines = other
      ? [
          { label: `gateway (1 process, Node ${process.version})`, url: single.url },
          { label: `gateway (1 process, Node ${other.version})`, url: `http://127.0.0.1:${otherNodeGatewayPort}/graphql` },
        ]
      : [];
    const bases = {
      org: `http://127.0.0.1:${orgPort}`,
      volunteers: `http://127.0.0.1:${volunteersPort}`,
      orders: `http://127.0.0.1:${ordersPort}`,
      points: `http://127.0.0.1:${pointsPort}`,
    };
    const target = { config, gateway: production.url, gateways: [production, single], ...bases };
    // What the platform's processes use with no load, to set against the rounds' CPU per request.
    rest = await atRest(5000);
    if (runs('unit-tree')) comparisons.push(await unitTreeBenchmark({ ...target, bare }, options));
    if (runs('tracing')) comparisons.push(await tracingBenchmark({ ...target, env, untraced: single }, options));
    if (nodeLines.length > 0) {
      const lines = await unitTreeBenchmark({ ...target, gateways: nodeLines }, options);
      comparisons.push({
        ...lines,
        title: `unitTree on two Node lines: ${lines.title.split(': ')[1]}`,
        note: `One gateway process on each Node line (the bench's own, and ${other!.path}), same code and subgraphs, alternating in the same rounds. ${lines.note}`,
      });
      await otherNodeGateway?.stop();
    }
    if (runs('volunteer-search')) comparisons.push(await volunteerSearchBenchmark({ ...target, gateways: [production], bare }, options));
    if (runs('leaderboards')) comparisons.push(...(await leaderboardBenchmarks({ ...target, gateways: [production] }, options)));
    if (runs('client-mix')) comparisons.push(...(await clientMixBenchmarks({ ...target, byId, bare }, options)));
    if (runs('place-order')) comparisons.push(await placeOrderBenchmark({ ...target, bare }, options));
    if (runs('points-transfer')) comparisons.push(await pointsTransferBenchmark({ config, points: bases.points }, options));
    if (runs('redemption')) comparisons.push(await redemptionBenchmark(target, options));
    if (runs('dispatch')) comparisons.push(...(await dispatchWorkerBenchmarks(config, env, options, memory)));
    if (runs('queue-backends')) comparisons.push(...(await queueBackendBenchmarks(config, env, options)));
    if (runs('notifications')) comparisons.push(...(await notificationBenchmarks(config, options)));
    if (runs('analytics')) comparisons.push(await analyticsBenchmark(config, options));
    if (runs('live')) {
      const subgraphs = processesOfApps(['org-subgraph', 'volunteers-subgraph', 'points-subgraph', 'orders-subgraph', 'notifications-subgraph']);
      live = await liveBenchmark({ config, gateway: { pid: gateways[1]!.pid, port: singleGatewayPort }, subgraphs });
    }
    memory.unshift(
      ...memoryOfDescendants(
        new Map([
          [gateways[0]!.pid, 'gateway primary (GATEWAY_WORKERS=auto)'],
          [gateways[1]!.pid, 'gateway (GATEWAY_WORKERS=1)'],
          ...(gateways[2] ? [[gateways[2].pid, 'gateway (GATEWAY_WORKERS=1, TRUSTED_DOCUMENTS=enforce)'] as [number, string]] : []),
          ...(bareGateway ? [[bareGateway.pid, 'bare Apollo Gateway (tools/src/bench/bare-gateway.ts)'] as [number, string]] : []),
        ]),
      ),
    );
  } finally {
    for (const gateway of gateways) await gateway.stop();
    await otherNodeGateway?.stop();
    await bareGateway?.stop();
    await launcher.stop(0);
    await launcher.exited;
    await dropDatabase(config, config.ORG_DATABASE);
    await dropDatabase(config, config.VOLUNTEERS_DATABASE);
    await dropDatabase(config, config.POINTS_DATABASE);
    await dropDatabase(config, config.ORDERS_DATABASE);
    await dropDatabase(config, config.NOTIFICATIONS_DATABASE);
    await dropDatabase(config, config.ANALYTICS_DATABASE);
    await dropDatabase(config, config.GATEWAY_DATABASE);
    await dropDatabase(config, config.MEDIA_DATABASE);
    const redis = new IORedis(config.REDIS_URL, { maxRetriesPerRequest: 1 });
    await deleteKeysWithPrefix(redis, config.QUEUE_PREFIX); // the events of the redemptions and orders
    redis.disconnect();
  }

  // After the bench's own platform stopped: npm start itself, in both modes, on a machine as quiet as this bench leaves it.
  const embedded: EmbeddedReport | undefined = runs('embedded') ? await embeddedBenchmark() : undefined;

  const when = new Date().toISOString();
  const minutes = ((Date.now() - startedAt) / 60_000).toFixed(1);
  const header =
    `Measured ${when} with \`npm run bench\` (${minutes} min in all): ${options.connections} connections, ${options.rounds} alternating rounds ` +
    `of ${options.seconds} s, median round shown; ${availableParallelism()} CPUs shared by the load generator, Postgres, Redis and every process.`;
  const rows = summaryRows(comparisons);
  // Cluster mode against one process, benchmark by benchmark, from the same run.
  const clusterLines = comparisons.flatMap((comparison) => {
    const many = comparison.results.find((result) => result.label.startsWith('gateway (') && result.label.includes('auto'));
    const one = comparison.results.find((result) => result.label === 'gateway (1 process)');
    if (!many || !one) return [];
    const [m, o] = [median(many.runs), median(one.runs)];
    return [`| ${comparison.title.split(':')[0]} | ${m.rps} | ${o.rps} | ${(m.rps / o.rps).toFixed(2)}× | ${m.p95} | ${o.p95} |`];
  });
  const clusterTable = [
    `| benchmark | req/s, ${gateways[0]?.processes ?? '?'} processes | req/s, 1 process | ratio | p95 ms, ${gateways[0]?.processes ?? '?'} processes | p95 ms, 1 process |`,
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...clusterLines,
  ].join('\n');
  const memoryTable = [
    '| process | pid | RSS MiB |',
    '| --- | ---: | ---: |',
    ...memory.map((entry) => `| ${entry.process} | ${entry.pid} | ${entry.rssMiB} |`),
  ].join('\n');
  const summary =
    `## All benchmarks\n\nThe median round of every target. "vs baseline" divides by the last target of the same benchmark (named in its ` +
    `section below); SQL statements are per request of the first target, summed over the subgraphs it reaches (blank: not applicable, ` +
    `e.g. workers); CPU ms/req (all) is this run's CPU per request over all its processes (see "CPU per request").\n\n${summaryTable(rows)}\n\n## Memory at the end\n\nVmRSS from /proc/<pid>/status of each process the bench ` +
    `started, read after the last benchmark (the dispatch-worker and no-op processes: at the end of their own benchmark, before they ` +
    `stop).\n\n${memoryTable}\n\n## Gateway: one process per CPU against one process\n\nThe same gateway run both ways side by ` +
    `side (GATEWAY_WORKERS=auto and =1), alternating in the same rounds, on CPUs it shares with the subgraphs, Postgres, Redis ` +
    `and the load generator.\n\n${clusterTable}\n`;
  const restLine = rest
    ? ` At rest (a 5 s window with no load before the first benchmark: timers, outbox relays, pools, health checks) this ` +
      `run's processes used ${cpuMs(restRate(rest) * 1000)} CPU ms per second (${Object.entries(rest.ms)
        .filter(([group, ms]) => !NOT_THIS_RUN.includes(group) && ms >= 0.5)
        .sort(([, a], [, b]) => b - a)
        .map(([group, ms]) => `${group} ${cpuMs((ms * 1000) / rest!.wallMs)}`)
        .join(', ')}); each table shows how much of a request's figure that is at the rounds' rate.`
    : '';
  const cpuSections = comparisons.flatMap((c) => {
    const table = cpuTable(c, rest && restRate(rest));
    return table ? [`### ${c.title}\n\n${table}\n`] : [];
  });
  const cpuSection =
    `## CPU per request\n\nWhere the CPU went, per request of each target (all its rounds summed, divided by the requests they ` +
    `completed): utime + stime from /proc/<pid>/stat of each process group, read before and after each round and every 100 ms ` +
    `in between, so that a process exiting within a round is counted up to its last reading, and what it used after that is ` +
    `found in its parent's cutime/cstime. Groups: the bench process (the load generator, and the workers it runs in-process); ` +
    `each process it started, by name (a gateway's cluster workers with their primary); Postgres backends of this run's ` +
    `databases; the Postgres server's own processes; Redis (shared with other users of the server); then the work that is ` +
    `not this run's: other databases' Postgres backends, what exited Postgres backends used after their last reading (the ` +
    `postmaster's cutime/cstime, which cannot say whose they were: mostly other clients' short connections), and every ` +
    `other process (the machine's busy time from /proc/stat minus all the groups above). "This run's CPU per request" is ` +
    `every group but those three; the ceiling is ${availableParallelism()} CPUs × 1000 ms divided by it: the rate this run ` +
    `could reach if CPU were its only limit and nothing else ran. Ticks are ${1000 / clockTicksPerSecond()} ms, so a figure ` +
    `is as good as the rounds are long.${restLine}\n\n${cpuSections.join('\n')}`;
  const sections = comparisons.map((c) => `### ${c.title}\n\n${c.note}\n\n${comparisonTable(c)}\n`);
  if (live) sections.push(`${live.markdown}\n`);
  if (embedded) sections.push(`${embedded.markdown}\n`);
  process.stdout.write(`\n${header}\n\n${seedLine}\n\n${sections.join('\n')}\n${summary}\n${cpuSection}\n`);
  const cpuFigures = comparisons.map((c) => ({ benchmark: c.title, targets: c.results.map(({ label, runs }) => ({ label, ...cpuPerRequest(runs) })) }));
  if (only) {
    process.stdout.write(`(--only ${args.only}: docs/benchmarks/latest.* left as they were)\n`);
    return;
  }
  const out = join(WORKSPACE, 'docs', 'benchmarks');
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'latest.json'), `${JSON.stringify({ when, minutes: Number(minutes), options, seed: seedLine, summary: rows, memory, cpu: { atRest: rest, benchmarks: cpuFigures }, comparisons, live: live && { ...live, markdown: undefined }, embedded: embedded?.runs }, null, 2)}\n`);
  writeFileSync(join(out, 'latest.md'), `# Benchmarks\n\n${header}\n\n${seedLine}\n\n${summary}\n${cpuSection}\n## Each benchmark\n\n${sections.join('\n')}`);
});

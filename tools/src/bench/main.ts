import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { signClaims, signToken } from '@kz/auth';
import { loadConfig } from '@kz/config';
import { dropDatabase } from '@kz/db';
import { freePort } from '@kz/testing';
import { WORKSPACE } from '../compose/compose';
import { Launcher, waitHealthy } from '../launcher/launcher';
import { parseArgs, runTool } from '../shared/args';
import { seed } from '../seed/seed';
import { load, LoadResult } from './load';

const UNIT_TREE = `{ unitTree { nodes { depth parentId unit { id name level code isDemonstration } } } }`;

/** The subgraph's `db_statements_total` counter, read from its /metrics. */
async function statementsSoFar(port: number): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const match = /^db_statements_total\{[^}]*\} (\d+)/m.exec(text);
  if (!match) throw new Error('the subgraph does not report db_statements_total');
  return Number(match[1]);
}

function median<T>(values: T[], key: (value: T) => number): T {
  return [...values].sort((a, b) => key(a) - key(b))[Math.floor(values.length / 2)]!;
}

/**
 * `npm run bench`: the kaizhou data set in a database of its own, the org subgraph and the gateway as separate
 * processes, and the same `unitTree` query sent through the gateway and straight to the subgraph, in alternating
 * rounds of the same run. Figures are reported as a ratio, since this machine is shared and noisy.
 */
runTool(async () => {
  const args = parseArgs(process.argv.slice(2), ['seconds', 'connections', 'rounds']);
  const seconds = Number(args.seconds ?? 5);
  const connections = Number(args.connections ?? 8);
  const rounds = Number(args.rounds ?? 3);
  const [orgPort, gatewayPort] = [await freePort(), await freePort()];
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
    ORG_PORT: String(orgPort),
    GATEWAY_PORT: String(gatewayPort),
    ORG_SUBGRAPH_URL: `http://127.0.0.1:${orgPort}/graphql`,
    QUEUE_PREFIX: `{kz-bench-${process.pid}}`,
  };
  const config = loadConfig(env);
  const seeded = await seed({ ...config, NODE_ENV: 'development' }, 'kaizhou'); // seed data is development data
  process.stdout.write(`seeded kaizhou (${seeded.org.unitsInserted} units, ${seeded.org.teamsInserted} teams) in ${seeded.ms} ms\n`);

  const launcher = new Launcher(8, env);
  try {
    launcher.start({ name: 'org', dir: 'org-subgraph', port: orgPort }, 0);
    await waitHealthy(orgPort, () => launcher.isRunning('org'));
    launcher.start({ name: 'gateway', dir: 'gateway', port: gatewayPort }, 1);
    await waitHealthy(gatewayPort, () => launcher.isRunning('gateway'));

    const token = await signToken(config, { sub: 'bench', roles: ['RESIDENT'] });
    const body = JSON.stringify({ query: UNIT_TREE, variables: {} });
    const viaGateway = () =>
      fetch(`http://127.0.0.1:${gatewayPort}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body,
      });
    // Direct calls carry the signature the gateway would add, made per request as the gateway does.
    const direct = () =>
      fetch(`http://127.0.0.1:${orgPort}/graphql`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...signClaims(config.CLAIMS_SIGNING_SECRET, { sub: 'bench', roles: ['RESIDENT'] }, { query: UNIT_TREE, variables: {} }),
        },
        body,
      });
    const before = await statementsSoFar(orgPort);
    const probe = await direct();
    const nodes = ((await probe.json()) as { data: { unitTree: { nodes: unknown[] } } }).data.unitTree.nodes.length;
    const statements = (await statementsSoFar(orgPort)) - before;

    const results: Record<'gateway' | 'direct', LoadResult[]> = { gateway: [], direct: [] };
    for (let round = 0; round < rounds; round += 1) {
      const options = { connections, seconds, warmup: 20 };
      results.direct.push(await load('direct', direct, options));
      results.gateway.push(await load('gateway', viaGateway, options));
    }
    const gateway = median(results.gateway, (r) => r.rps);
    const straight = median(results.direct, (r) => r.rps);
    const report = {
      benchmark: 'unitTree over the kaizhou tree (577 units), gateway vs straight to the org subgraph',
      when: new Date().toISOString(),
      settings: { connections, seconds, rounds, nodes, sqlStatementsPerRequest: statements },
      gateway,
      direct: straight,
      ratio: { rps: Math.round((gateway.rps / straight.rps) * 100) / 100, p95: Math.round((gateway.p95 / straight.p95) * 100) / 100 },
      rounds: results,
    };
    const table = [
      `| target | req/s | p50 ms | p95 ms | p99 ms | failures |`,
      `| --- | ---: | ---: | ---: | ---: | ---: |`,
      ...[gateway, straight].map((r) => `| ${r.name} | ${r.rps} | ${r.p50} | ${r.p95} | ${r.p99} | ${r.failures} |`),
      `| gateway / direct | ${report.ratio.rps}× | | ${report.ratio.p95}× | | |`,
    ].join('\n');
    process.stdout.write(`\n${report.benchmark}\n${connections} connections, ${rounds} alternating rounds of ${seconds} s (median round shown), ${statements} SQL statement(s) per request\n\n${table}\n\n`);
    const out = join(WORKSPACE, 'docs', 'benchmarks');
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, 'unit-tree.json'), `${JSON.stringify(report, null, 2)}\n`);
    writeFileSync(join(out, 'unit-tree.md'), `# ${report.benchmark}\n\nMeasured ${report.when} with \`npm run bench\`: ${connections} connections, ${rounds} alternating rounds of ${seconds} s, median round.\n\n${table}\n`);
  } finally {
    await launcher.stop(0);
    await launcher.exited;
    await dropDatabase(config, config.ORG_DATABASE);
    await dropDatabase(config, config.VOLUNTEERS_DATABASE);
  }
});

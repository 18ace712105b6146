import { isAbsolute, join, resolve } from 'node:path';
import { Socket } from 'node:net';
import { Config, loadConfig, loadConfigOrExit } from '@kz/config';
import { assertPostgresReachable } from '@kz/db';
import { DEMO_PASSWORD, peopleDataset } from '@kz/seed-data';
import { migrateAll } from '../migrate/migrate';
import { seed } from '../seed/seed';
import { openOrgDatabase } from '../shared/databases';
import { publishConsoleDocuments } from './console-documents';
import { checkNoServerRunning, checkPortFree, createFolder, dataFolder, DataFolder, folderHolder, freeLocalPort, lockFolder } from './data-folder';
import { EmbeddedPostgres } from './embedded-postgres';
import { appsOf, Launcher, waitHealthy } from './launcher';
import { queueBackend } from './queue-backend';
import { prefixFor } from './log-format';

const WORKSPACE = join(__dirname, '..', '..', '..');
const write = (text: string) => process.stdout.write(text);

/** The variable that sets each app's port, for the port-taken message. */
const PORT_VARIABLES: Record<string, keyof Config> = {
  org: 'ORG_PORT',
  volunteers: 'VOLUNTEERS_PORT',
  orders: 'ORDERS_PORT',
  points: 'POINTS_PORT',
  notifications: 'NOTIFICATIONS_PORT',
  'analytics-graph': 'ANALYTICS_PORT',
  gateway: 'GATEWAY_PORT',
  dispatch: 'DISPATCH_WORKER_PORT',
  notification: 'NOTIFICATION_WORKER_PORT',
  analytics: 'ANALYTICS_WORKER_PORT',
  ops: 'OPS_DASHBOARD_PORT',
  console: 'CONSOLE_PORT',
};

/** Something accepts TCP connections there (a Postgres, we assume; `assertPostgresReachable` says if not). */
function answers(host: string, port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = new Socket();
    const finish = (result: boolean) => {
      socket.destroy();
      done(result);
    };
    socket.setTimeout(1000, () => finish(false));
    socket.once('error', () => finish(false));
    socket.connect(port, host, () => finish(true));
  });
}

/**
 * Embedded when asked (`EMBEDDED=1`), or when nothing says where a Postgres is and none answers where one would be.
 * A folder held by a running launcher means embedded too: what answers on PGPORT may be that launcher's server, and
 * the person is told about the first start rather than sent to a server that is not theirs.
 */
async function embeddedMode(config: Config, env: NodeJS.ProcessEnv, folder: DataFolder): Promise<boolean> {
  if (config.EMBEDDED !== undefined) return config.EMBEDDED;
  if (env.PGHOST) return false;
  if ((await folderHolder(folder)) !== undefined) return true;
  return !(await answers('127.0.0.1', config.PGPORT));
}

/**
 * Takes the data folder for the embedded server: the checks that write nothing, then the lock, then the port. `own`
 * gets the server and the lock's release as soon as they exist, so that a signal or a fault from here on still stops
 * the server and frees the folder. Returns what starts the server once the caller's own checks passed.
 */
async function claimFolder(
  config: Config,
  env: NodeJS.ProcessEnv,
  folder: DataFolder,
  own: (server: EmbeddedPostgres, release: () => Promise<void>) => void,
): Promise<() => Promise<{ major: number; env: Record<string, string> }>> {
  // The port first when it was given: it is checked again, by the server itself, once it starts.
  const port = env.PGPORT ? config.PGPORT : 0;
  const prefix = prefixFor('postgres', 9, 12);
  const server = new EmbeddedPostgres({ folder, log: (line) => write(`${prefix} ${line}\n`) });
  const bins = await server.check();
  await createFolder(folder.root);
  own(server, await lockFolder(folder));
  await checkNoServerRunning(folder); // with the lock held, a live server on the folder is one a killed launcher left
  if (port !== 0) await checkPortFree('127.0.0.1', port, 'PGPORT');
  return async () => {
    const chosen = port || (await freeLocalPort());
    await server.initialise(bins);
    if (server.created) write(`${prefix} created a PostgreSQL ${server.major} cluster in ${folder.cluster}\n`);
    await server.start(bins, chosen);
    write(`${prefix} PostgreSQL ${server.major} answers on 127.0.0.1:${chosen} (pid ${server.pid})\n`);
    return { major: server.major, env: { PGHOST: '127.0.0.1', PGPORT: String(chosen), PGUSER: 'postgres', PGPASSWORD: '' } };
  };
}

/** Every app's port must be free before anything starts: a taken one is named with its variable. */
async function checkAppPorts(env: NodeJS.ProcessEnv): Promise<void> {
  const config = loadConfig(env);
  for (const app of appsOf(config).flat()) await checkPortFree(config.HOST, app.port, PORT_VARIABLES[app.name] ?? app.name);
}

/** A person of the demo data set and how to sign in as them. */
function demoLogin(): string {
  const resident = peopleDataset('demo').find((person) => person.role === 'RESIDENT')!;
  return (
    `${resident.mobile} (${resident.realName}, RESIDENT), password ${DEMO_PASSWORD}: sign in on the console, or\n` +
    `                     mutation { login(input: { phone: "${resident.mobile}", password: "${DEMO_PASSWORD}" }) { token } }`
  );
}

/**
 * `npm start`: chooses the mode (an embedded PostgreSQL in DATA_DIR, or your own PostgreSQL), checks what the apps
 * need (stopping at once with what to do), creates, migrates and seeds the databases, then starts every app,
 * supervised, and prints where to go. Ctrl-C or SIGTERM stops the apps, then the embedded server.
 */
async function main(): Promise<void> {
  const config0 = loadConfigOrExit();
  // The apps' environment: what the mode and the queue backend decide is added to it before any app starts.
  const env: NodeJS.ProcessEnv = { ...process.env };
  const launcher = new Launcher({ env });
  let embedded: EmbeddedPostgres | undefined;
  let release: (() => Promise<void>) | undefined;
  let stopping: Promise<void> | undefined;
  const shutdown = (code: number): Promise<void> =>
    (stopping ??= (async () => {
      await launcher.stop(code);
      const appsCode = await launcher.exited;
      await embedded?.stop();
      await release?.();
      process.exit(code || appsCode);
    })());
  const onSignal = () => void shutdown(0);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('exit', () => {
    launcher.killAll();
    embedded?.stopNow();
  });

  try {
    const folder = dataFolder(isAbsolute(config0.DATA_DIR) ? config0.DATA_DIR : resolve(WORKSPACE, config0.DATA_DIR));
    const isEmbedded = await embeddedMode(config0, process.env, folder);
    let mode: string;
    let data: string;
    if (isEmbedded) {
      const startServer = await claimFolder(config0, process.env, folder, (server, unlock) => {
        embedded = server;
        release = unlock;
      });
      await checkAppPorts(env);
      const started = await startServer();
      Object.assign(env, started.env);
      mode = `embedded PostgreSQL ${started.major} on 127.0.0.1:${started.env.PGPORT} (set PGHOST for your own instead)`;
      data = `${folder.root} (cluster in ${folder.cluster}; a second npm start reuses it)`;
    } else {
      await checkAppPorts(env);
      await assertPostgresReachable(config0);
      mode = `your own PostgreSQL at ${config0.PGHOST}:${config0.PGPORT} (EMBEDDED=1: an embedded one in DATA_DIR instead)`;
      data = `your PostgreSQL, databases ${[config0.ORG_DATABASE, config0.VOLUNTEERS_DATABASE, config0.ORDERS_DATABASE, config0.POINTS_DATABASE, config0.NOTIFICATIONS_DATABASE, config0.ANALYTICS_DATABASE, config0.GATEWAY_DATABASE, config0.MEDIA_DATABASE].join(', ')}`;
    }
    const queues = await queueBackend(loadConfig(env), env, isEmbedded);
    Object.assign(env, queues.env);
    // The gateway plans queries with the supergraph's routing URLs (the default ports); other ports need overrides.
    const ports = loadConfig(env);
    const routing: [string, number][] = [
      ['ORG_SUBGRAPH_URL', ports.ORG_PORT],
      ['VOLUNTEERS_SUBGRAPH_URL', ports.VOLUNTEERS_PORT],
      ['ORDERS_SUBGRAPH_URL', ports.ORDERS_PORT],
      ['POINTS_SUBGRAPH_URL', ports.POINTS_PORT],
      ['NOTIFICATIONS_SUBGRAPH_URL', ports.NOTIFICATIONS_PORT],
      ['ANALYTICS_SUBGRAPH_URL', ports.ANALYTICS_PORT],
    ];
    for (const [variable, port] of routing) env[variable] ||= `http://localhost:${port}/graphql`;
    const config = loadConfig(env);

    if (isEmbedded) for (const line of await migrateAll(config)) write(`${prefixFor('migrate', 10, 12)} ${line}\n`);
    const org = await openOrgDatabase(config);
    const [{ n }] = await org.query('SELECT count(*)::int AS n FROM practice_unit');
    await org.destroy();
    if (n === 0) {
      const { org: counts, earnings, rewards } = await seed(config, 'demo');
      write(
        `seeded the demo data set: ${counts.unitsInserted} units, ${counts.teamsInserted} teams, ` +
          `${earnings.credited} verified service records credited (${earnings.points} points), ${rewards.inserted} rewards\n`,
      );
    }

    let index = 0;
    for (const group of appsOf(config)) {
      if (group.some((app) => app.name === 'console')) write(`${await publishConsoleDocuments(config)}\n`);
      for (const app of group) launcher.start(app, index++);
      await Promise.all(group.map((app) => waitHealthy(app.port, () => launcher.isRunning(app.name))));
    }
    write(
      `\n  The platform is up (${Math.round(process.uptime())} s after the launcher started).\n` +
        `  Mode:               ${mode}\n` +
        `  Queues:             ${queues.label}\n` +
        `  Data:               ${data}\n` +
        `  GraphQL gateway:    http://localhost:${config.GATEWAY_PORT}/graphql\n` +
        `  Console (zh-CN):    http://localhost:${config.CONSOLE_PORT}/\n` +
        `  Demo login:         ${demoLogin()}\n` +
        `  Ops dashboard:      http://localhost:${config.OPS_DASHBOARD_PORT}/ (Bull Board; /subscriptions: event subscriptions; CENTER_ADMIN only)\n` +
        `  A token to use:     npm run token -- --role CENTER_ADMIN\n` +
        `  Stop everything:    Ctrl-C\n\n`,
    );
    const code = await launcher.exited;
    if (launcher.failure) process.stderr.write(`\n${launcher.failure}\n\n`);
    await shutdown(code);
  } catch (error) {
    if (stopping) return await stopping; // a signal stopped what was starting
    // Faults (LaunchFault), configuration errors and unreachable servers all carry their cause and fix in the message.
    process.stderr.write(`\n${launcher.failure ?? (error instanceof Error ? error.message : String(error))}\n\n`);
    await shutdown(1);
  }
}

void main();

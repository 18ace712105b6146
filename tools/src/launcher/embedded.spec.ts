import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_PASSWORD, peopleDataset } from '@kz/seed-data';
import { dataOf, eventually, freePort, graphql } from '@kz/testing';
import { APP_PORT_VARIABLES, LauncherProcess, stablePorts } from './launcher-process';


const centerAdmin = peopleDataset('demo').find((person) => person.role === 'CENTER_ADMIN')!;

async function healthy(port: number): Promise<boolean> {
  return fetch(`http://127.0.0.1:${port}/health`).then(
    (response) => response.ok,
    () => false,
  );
}

/**
 * `npm start` on a machine where nothing answers on PGPORT: it runs the embedded PostgreSQL in an empty data folder,
 * creates, migrates and seeds the databases, and the graph answers; stopped and started again on the same folder it
 * finds the same data, seeded once. Nothing answers on REDIS_URL either: the queues run in the embedded server (Node alone).
 */
describe('npm start with the embedded PostgreSQL', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'kz-embedded-'));
  // As root the server runs as the user postgres, who must get through the folder (mkdtemp makes it 0700).
  chmodSync(dataDir, 0o755);
  const clusterDir = join(dataDir, 'postgres');
  const prefix = `run-${process.pid}-${Date.now()}`;
  const started: LauncherProcess[] = [];
  let env: NodeJS.ProcessEnv;
  let ports: Record<string, number>;

  beforeAll(async () => {
    const variables = [...APP_PORT_VARIABLES, 'PGPORT'];
    const chosen = await stablePorts(variables.length);
    ports = Object.fromEntries(variables.map((variable, i) => [variable, chosen[i]!]));
    // No Redis: REDIS_URL names a port nothing listens on.
    env = { ...process.env, DATA_DIR: dataDir, REDIS_URL: `redis://127.0.0.1:${await freePort()}`, HOST: '127.0.0.1', PASSWORD_HASH_COST: '12' };
    for (const [variable, port] of Object.entries(ports)) env[variable] = String(port);
    // Nothing says where a Postgres is, and nothing answers on PGPORT: the launcher chooses the embedded mode itself.
    for (const variable of ['PGHOST', 'EMBEDDED', 'QUEUE_BACKEND', 'QUEUE_PREFIX', 'PGUSER', 'PGPASSWORD']) delete env[variable];
    for (const variable of APP_PORT_VARIABLES.filter((name) => name !== 'GATEWAY_PORT')) delete env[variable.replace('_PORT', '_SUBGRAPH_URL')];
  });

  afterAll(async () => {
    for (const launcher of started) await launcher.stopEverything();
    rmSync(dataDir, { recursive: true, force: true });
  }, 300_000);

  const start = () => {
    const launcher = new LauncherProcess(env, clusterDir);
    started.push(launcher);
    return launcher;
  };
  const gateway = () => `http://127.0.0.1:${ports.GATEWAY_PORT}/graphql`;
  const signIn = async () =>
    (
      await dataOf(
        graphql<{ login: { token: string } }>(gateway(), 'mutation($input: LoginInput!) { login(input: $input) { token } }', {
          input: { phone: centerAdmin.mobile, password: DEMO_PASSWORD },
        }),
      )
    ).login.token;
  const stationQuery = `query { units(filter: { search: "迎宾社区" }) { totalCount edges { node { id sevenHaves { item met evidence } } } } }`;
  type Stations = { units: { totalCount: number; edges: { node: { id: string; sevenHaves: { item: string; met: boolean; evidence: string | null }[] } }[] } };
  const unitCount = async (token: string) =>
    (await dataOf(graphql<{ units: { totalCount: number } }>(gateway(), 'query { units(first: 1) { totalCount } }', {}, { token }))).units.totalCount;

  it('starts from an empty folder, answers, survives a killed worker, refuses a second start, and keeps its data across a restart', async () => {
    const first = start();
    await first.waitFor(/The platform is up/);
    expect(first.output).toMatch(/Mode: +embedded PostgreSQL 18 on 127\.0\.0\.1:\d+/);
    expect(first.output).toContain(`Data:               ${dataDir}`);
    expect(first.output).toContain('Queues:             PostgreSQL, in the embedded server (QUEUE_BACKEND=postgres)');
    expect(first.output).toContain(`created a PostgreSQL 18 cluster in ${clusterDir}`);
    expect(first.output).toMatch(/seeded the demo data set: 15 units/);
    expect(first.output).toContain(`http://localhost:${ports.GATEWAY_PORT}/graphql`);

    // The demo login the banner prints signs in; a mutation writes through the graph.
    const token = await signIn();
    const units = await unitCount(token);
    expect(units).toBeGreaterThan(0);
    const evidence = `embedded start ${prefix}`;
    const station = (await dataOf(graphql<Stations>(gateway(), stationQuery, {}, { token }))).units.edges[0]!.node;
    const written = await dataOf(
      graphql<{ setSevenHaves: { sevenHaves: { item: string; evidence: string | null }[] } }>(
        gateway(),
        'mutation($input: SetSevenHavesInput!) { setSevenHaves(input: $input) { sevenHaves { item evidence } } }',
        { input: { unitId: station.id, items: [{ item: 'FUNDING', met: true, evidence }] } },
        { token },
      ),
    );
    expect(written.setSevenHaves.sevenHaves.find((check) => check.item === 'FUNDING')?.evidence).toBe(evidence);
    // The analytics worker, migrated with the rest, archives the change's event from the `analytics` queue.
    expect(first.output).toMatch(/\[migrate\] +analytics: applied EventStream1769000000000/);
    const archived = async () => {
      const metrics = await (await fetch(`http://127.0.0.1:${ports.ANALYTICS_WORKER_PORT}/metrics`)).text();
      return Number(/^event_archive_events_total\{added="new"[^}]*\} (\d+)$/m.exec(metrics)?.[1] ?? 0) > 0;
    };
    await eventually(archived, 60_000);

    // A worker killed with SIGKILL is started again; the gateway answers all along.
    const [, workerPid] = (await first.waitFor(/\[dispatch\] +started \(pid (\d+)\)/)) as unknown as [string, string];
    process.kill(Number(workerPid), 'SIGKILL');
    await first.waitFor(/\[dispatch\] +exited unexpectedly \(SIGKILL\); restarting in 1 s/);
    expect(await unitCount(token)).toBe(units);
    const restarted = await first.waitFor(new RegExp(`\\[dispatch\\] +started \\(pid (?!${workerPid}\\))(\\d+)\\)`));
    await eventually(() => healthy(ports.DISPATCH_WORKER_PORT!), 120_000);
    expect(Number(restarted[1])).not.toBe(Number(workerPid));
    expect(await unitCount(token)).toBe(units);

    // A second npm start on the same folder stops at once, naming the first, and leaves the first running.
    const second = start();
    expect(await second.exited).toBe(1);
    expect(second.output).toContain(`another npm start (pid ${first.pid}) is running on the data folder ${dataDir}`);
    expect(second.output).toContain('DATA_DIR=');
    expect(await unitCount(token)).toBe(units);

    // SIGTERM stops the apps, then the server, and frees the folder.
    expect(await first.stop()).toBe(0);
    expect(first.output).toMatch(/database system is shut down/);
    expect(existsSync(join(clusterDir, 'postmaster.pid'))).toBe(false);
    expect(existsSync(join(dataDir, 'launcher.pid'))).toBe(false);

    // Started again on the same folder: the same data, nothing created or seeded again.
    const again = start();
    await again.waitFor(/The platform is up/);
    expect(again.output).not.toMatch(/created a PostgreSQL/);
    expect(again.output).not.toMatch(/seeded the demo data set/);
    const tokenAgain = await signIn();
    expect(await unitCount(tokenAgain)).toBe(units);
    const kept = (await dataOf(graphql<Stations>(gateway(), stationQuery, {}, { token: tokenAgain }))).units.edges[0]!.node;
    expect(kept.id).toBe(station.id);
    expect(kept.sevenHaves.find((check) => check.item === 'FUNDING')).toEqual({ item: 'FUNDING', met: true, evidence });
    expect(await again.stop()).toBe(0);
  }, 900_000);
});

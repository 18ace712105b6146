import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@kz/testing';
import { checkClusterVersion, checkNoServerRunning, checkPortFree, checkWritable, dataFolder, LaunchFault, lockFolder } from './data-folder';
import { startFailure } from './embedded-postgres';
import { LauncherProcess, stablePorts } from './launcher-process';

/** Every file under a folder with its bytes and mode: what "nothing in the folder damaged" compares. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    const path = join(entry.parentPath, entry.name);
    out[path] = entry.isFile() ? `${statSync(path).mode} ${readFileSync(path, 'base64')}` : `${statSync(path).mode}`;
  }
  return out;
}

async function listen(port: number): Promise<Server> {
  const server = createServer();
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  return server;
}

/** A launcher's fault, as the person at the terminal reads it. */
async function faultOf(check: Promise<unknown>): Promise<LaunchFault> {
  const error = await check.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(LaunchFault);
  return error as LaunchFault;
}

describe('npm start refusing a data folder or a port, with the cause and the fix', () => {
  let root: string;

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'kz-faults-'));
  });

  afterEach(() => {
    chmodSync(root, 0o700);
    rmSync(root, { recursive: true, force: true });
  });

  /** A cluster folder as PostgreSQL 15 would have left it. */
  function oldCluster(): string {
    const folder = dataFolder(root);
    mkdirSync(join(folder.cluster, 'base', '1'), { recursive: true });
    writeFileSync(join(folder.cluster, 'PG_VERSION'), '15\n');
    writeFileSync(join(folder.cluster, 'base', '1', '1259'), Buffer.from([1, 2, 3, 4]));
    writeFileSync(join(folder.cluster, 'postgresql.conf'), "listen_addresses = '127.0.0.1'\n");
    return folder.cluster;
  }

  it('a folder written by another PostgreSQL major version: names both versions and how to keep the data', async () => {
    oldCluster();
    const before = snapshot(root);
    const fault = await faultOf(checkClusterVersion(dataFolder(root), 18));
    expect(fault.message).toMatch(/^npm start cannot go on: the data folder .*\/postgres was written by PostgreSQL 15 \(its PG_VERSION\), and the embedded server is PostgreSQL 18/);
    expect(fault.fix).toMatch(/DATA_DIR=\/some\/new\/folder npm start.*pg_dumpall.*pg_upgrade/);
    expect(snapshot(root)).toEqual(before);
    await expect(checkClusterVersion(dataFolder(join(root, 'empty')), 18)).resolves.toBeUndefined();
  });

  it('the real launcher stops on another major version with exit code 1 and leaves the folder as it was', async () => {
    oldCluster();
    const before = snapshot(root);
    const launcher = new LauncherProcess({ ...process.env, EMBEDDED: '1', DATA_DIR: root, PGPORT: String(await freePort()) });
    try {
      expect(await launcher.exited).toBe(1);
      expect(launcher.output).toContain('was written by PostgreSQL 15 (its PG_VERSION), and the embedded server is PostgreSQL 18');
      expect(launcher.output).toContain('Fix: keep that folder and start on another one');
      expect(launcher.output).not.toMatch(/started \(pid/);
      expect(snapshot(root)).toEqual(before);
    } finally {
      await launcher.stopEverything();
    }
  });

  it('a second start on a folder another launcher holds: names that launcher and the way out', async () => {
    const folder = dataFolder(root);
    const release = await lockFolder(folder);
    const fault = await faultOf(lockFolder(folder));
    expect(fault.message).toContain(`another npm start (pid ${process.pid}) is running on the data folder ${root}`);
    expect(fault.fix).toContain(`kill -TERM ${process.pid}`);
    expect(fault.fix).toContain('DATA_DIR=/some/other/folder npm start');
    await release();
    await (await lockFolder(folder))();
  });

  it('a lock left by a launcher that is gone is taken over', async () => {
    const gone = spawn(process.execPath, ['-e', '']);
    await once(gone, 'exit');
    const folder = dataFolder(root);
    writeFileSync(folder.lock, `${gone.pid}\n`);
    const release = await lockFolder(folder);
    expect(readFileSync(folder.lock, 'utf8').trim()).toBe(String(process.pid));
    await release();
  });

  it('a server still running on the folder (its launcher was killed): names its pid and how to stop it', async () => {
    const folder = dataFolder(root);
    mkdirSync(folder.cluster);
    writeFileSync(join(folder.cluster, 'postmaster.pid'), `${process.pid}\n${folder.cluster}\n`);
    const fault = await faultOf(checkNoServerRunning(folder));
    expect(fault.message).toContain(`a PostgreSQL server (pid ${process.pid}) still runs on the data folder ${folder.cluster}`);
    expect(fault.fix).toContain(`kill -INT ${process.pid}`);
  });

  it('a read-only folder: refused before anything is written, even for root', async () => {
    oldCluster();
    chmodSync(root, 0o555);
    const before = snapshot(root);
    const fault = await faultOf(checkWritable(root));
    expect(fault.message).toContain(`the data folder ${root} is read-only (mode 555`);
    expect(fault.fix).toBe(`make it writable (chmod -R u+w ${root}), or point DATA_DIR at a writable folder.`);
    expect(snapshot(root)).toEqual(before);
    chmodSync(root, 0o755);
    await expect(checkWritable(root)).resolves.toBeUndefined();
  });

  it('the real launcher stops on a read-only folder with exit code 1 and leaves it as it was', async () => {
    const folder = oldCluster();
    writeFileSync(join(folder, 'PG_VERSION'), '18\n');
    chmodSync(root, 0o555);
    const before = snapshot(root);
    const launcher = new LauncherProcess({ ...process.env, EMBEDDED: '1', DATA_DIR: root, PGPORT: String(await freePort()) });
    try {
      expect(await launcher.exited).toBe(1);
      expect(launcher.output).toContain(`the data folder ${root} is read-only`);
      expect(snapshot(root)).toEqual(before);
    } finally {
      await launcher.stopEverything();
    }
  });

  it('a port taken: names the port, the variable that chose it and the way out', async () => {
    const port = await freePort();
    const server = await listen(port);
    try {
      const fault = await faultOf(checkPortFree('127.0.0.1', port, 'PGPORT'));
      expect(fault.message).toContain(`port ${port} (PGPORT) on 127.0.0.1 is taken by another program`);
      expect(fault.fix).toContain('leave PGPORT unset');
      const gateway = await faultOf(checkPortFree('127.0.0.1', port, 'GATEWAY_PORT'));
      expect(gateway.fix).toContain('GATEWAY_PORT=<free port> npm start.');
    } finally {
      server.close();
    }
    await once(server, 'close');
    await expect(checkPortFree('127.0.0.1', port, 'PGPORT')).resolves.toBeUndefined();
  });

  it('the real launcher stops when PGPORT is taken, before the folder gets a cluster', async () => {
    const port = await freePort();
    const server = await listen(port);
    const launcher = new LauncherProcess({ ...process.env, EMBEDDED: '1', DATA_DIR: root, PGPORT: String(port) });
    try {
      expect(await launcher.exited).toBe(1);
      expect(launcher.output).toContain(`port ${port} (PGPORT) on 127.0.0.1 is taken by another program`);
      expect(readdirSync(root)).toEqual([]);
    } finally {
      server.close();
      await launcher.stopEverything();
    }
  });

  it("the real launcher stops when an app's port is taken, before the folder gets a cluster", async () => {
    const variables = ['PGPORT', 'ORG_PORT', 'VOLUNTEERS_PORT', 'ORDERS_PORT', 'POINTS_PORT', 'NOTIFICATIONS_PORT', 'ANALYTICS_PORT', 'DISPATCH_WORKER_PORT', 'NOTIFICATION_WORKER_PORT', 'ANALYTICS_WORKER_PORT', 'OPS_DASHBOARD_PORT', 'CONSOLE_PORT', 'GATEWAY_PORT'];
    const ports = await stablePorts(variables.length);
    const env: NodeJS.ProcessEnv = { ...process.env, EMBEDDED: '1', DATA_DIR: root, HOST: '127.0.0.1' };
    variables.forEach((variable, i) => (env[variable] = String(ports[i])));
    const port = ports[variables.length - 1]!;
    const server = await listen(port);
    const launcher = new LauncherProcess(env);
    try {
      expect(await launcher.exited).toBe(1);
      expect(launcher.output).toContain(`port ${port} (GATEWAY_PORT) on 127.0.0.1 is taken by another program`);
      expect(launcher.output).toContain('GATEWAY_PORT=<free port> npm start');
      expect(readdirSync(root)).toEqual([]);
    } finally {
      server.close();
      await launcher.stopEverything();
    }
  });

  it("reads the server's own words when it stops while starting", () => {
    const folder = dataFolder(root);
    expect(startFailure('LOG:  could not bind IPv4 address "127.0.0.1": Address already in use\nFATAL:  could not create any TCP/IP sockets', folder, 5555).message).toContain(
      'port 5555 (PGPORT) on 127.0.0.1 is taken by another program',
    );
    expect(startFailure('FATAL:  lock file "postmaster.pid" already exists', folder, 5555).message).toContain(`another PostgreSQL server runs on the data folder ${folder.cluster}`);
    expect(startFailure('FATAL:  could not open file "global/pg_control": Permission denied', folder, 5555).message).toContain(`cannot reach or write ${folder.cluster} (permission denied)`);
    expect(startFailure('FATAL:  something else\nLOG:  database system is shut down', folder, 5555).message).toContain('FATAL:  something else');
  });
});

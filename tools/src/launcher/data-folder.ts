import { constants } from 'node:fs';
import { access, mkdir, open, readFile, stat, unlink } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';

/**
 * Why `npm start` cannot go on, as the person at the terminal needs it: what is wrong, and what to do about it.
 * Raised before anything in the data folder is written, so a refused start leaves the folder as it was.
 */
export class LaunchFault extends Error {
  override name = 'LaunchFault';
  constructor(
    readonly reason: string,
    readonly fix: string,
  ) {
    super(`npm start cannot go on: ${reason}\nFix: ${fix}`);
  }
}

/** The embedded mode's folder: the PostgreSQL cluster in `postgres/`, the lock of the launcher using it. */
export interface DataFolder {
  root: string;
  cluster: string;
  lock: string;
}

export function dataFolder(root: string): DataFolder {
  return { root, cluster: join(root, 'postgres'), lock: join(root, 'launcher.pid') };
}

const isMissing = (error: unknown) => (error as NodeJS.ErrnoException).code === 'ENOENT';

/** True when a process with this id exists (EPERM: it exists but belongs to another user). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A cluster written by another major version cannot be opened by this server, and must not be touched by it. */
export async function checkClusterVersion(folder: DataFolder, major: number): Promise<void> {
  let written: string;
  try {
    written = (await readFile(join(folder.cluster, 'PG_VERSION'), 'utf8')).trim();
  } catch (error) {
    if (isMissing(error)) return;
    throw error;
  }
  if (written === String(major)) return;
  throw new LaunchFault(
    `the data folder ${folder.cluster} was written by PostgreSQL ${written} (its PG_VERSION), and the embedded server is PostgreSQL ${major}; ` +
      `a server never opens another major version's files, so nothing was started and nothing in the folder was changed.`,
    `keep that folder and start on another one (DATA_DIR=/some/new/folder npm start), or move it away; to keep its data, ` +
      `dump it with PostgreSQL ${written}'s pg_dumpall and load the dump into the new cluster, or upgrade it with pg_upgrade.`,
  );
}

/**
 * The folder must be writable by whoever writes it. Root may write anywhere, so for root a folder without any write
 * permission bit counts as read-only too: someone made it so on purpose, and the launcher honours that.
 */
export async function checkWritable(dir: string): Promise<void> {
  let mode: number;
  try {
    mode = (await stat(dir)).mode;
  } catch (error) {
    if (isMissing(error)) return;
    throw error;
  }
  let writable = (mode & 0o222) !== 0;
  try {
    await access(dir, constants.W_OK);
  } catch {
    writable = false;
  }
  if (writable) return;
  throw new LaunchFault(
    `the data folder ${dir} is read-only (mode ${(mode & 0o777).toString(8)}, or a read-only file system), and the embedded PostgreSQL must write there; nothing was started.`,
    `make it writable (chmod -R u+w ${dir}), or point DATA_DIR at a writable folder.`,
  );
}

/** Creates the data folder; a parent that cannot be written is the read-only fault, not a stack trace. */
export async function createFolder(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EACCES' && code !== 'EROFS' && code !== 'EPERM') throw error;
    throw new LaunchFault(
      `the data folder ${dir} cannot be created (${code}: its parent is read-only).`,
      `point DATA_DIR at a folder you can write, or create ${dir} and make it writable.`,
    );
  }
}

/**
 * One launcher per data folder: two PostgreSQL servers on one cluster would corrupt it (PostgreSQL refuses that
 * itself; this lock also covers the seconds before the server runs, and says which launcher holds the folder).
 * Returns the release, which removes the lock file.
 */
export async function lockFolder(folder: DataFolder): Promise<() => Promise<void>> {
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      const file = await open(folder.lock, 'wx');
      await file.writeFile(`${process.pid}\n`);
      await file.close();
      return async () => {
        const holder = Number((await readFile(folder.lock, 'utf8').catch(() => '')).trim());
        if (holder === process.pid) await unlink(folder.lock).catch(() => undefined);
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = await folderHolder(folder);
    if (holder !== undefined) {
      throw new LaunchFault(
        `another npm start (pid ${holder}) is running on the data folder ${folder.root}; two servers on one folder would damage it, so this one stops here.`,
        `use the platform that is already running (stop it with Ctrl-C in its terminal, or kill -TERM ${holder}), or start a second one on another folder: DATA_DIR=/some/other/folder npm start.`,
      );
    }
    // The launcher that wrote it is gone (killed, machine restarted): the lock is stale.
    await unlink(folder.lock).catch(() => undefined);
  }
  throw new Error(`could not take the lock ${folder.lock}`);
}

/** The pid of the live launcher that holds the folder, if one does. */
export async function folderHolder(folder: DataFolder): Promise<number | undefined> {
  const holder = Number((await readFile(folder.lock, 'utf8').catch(() => '')).trim());
  return Number.isInteger(holder) && holder > 0 && processAlive(holder) ? holder : undefined;
}

/** A PostgreSQL left running on the folder by a launcher that was killed (SIGKILL leaves no time to stop it). */
export async function checkNoServerRunning(folder: DataFolder): Promise<void> {
  let pid: number;
  try {
    pid = Number((await readFile(join(folder.cluster, 'postmaster.pid'), 'utf8')).split('\n')[0]);
  } catch (error) {
    if (isMissing(error)) return;
    throw error;
  }
  if (!Number.isInteger(pid) || pid <= 0 || !processAlive(pid)) return; // stale: PostgreSQL checks and removes it itself
  throw new LaunchFault(
    `a PostgreSQL server (pid ${pid}) still runs on the data folder ${folder.cluster}, left behind by an npm start that was killed before it could stop it.`,
    `stop it (kill -INT ${pid}: a fast, clean shutdown) and run npm start again.`,
  );
}

/** Resolves when the port can be bound on `host`; the fault names the variable that chose it. */
export async function checkPortFree(host: string, port: number, variable: string): Promise<void> {
  const server = createServer();
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host, port, exclusive: true }, resolve);
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EADDRINUSE' && code !== 'EACCES') throw error;
    throw new LaunchFault(
      `port ${port} (${variable}) on ${host} is ${code === 'EADDRINUSE' ? 'taken by another program' : 'not allowed for this user'}.`,
      `stop what listens there (ss -ltnp 'sport = :${port}' shows it), or choose another port: ${variable}=<free port> npm start` +
        (variable === 'PGPORT' ? ' (or leave PGPORT unset: the embedded PostgreSQL then takes a free port).' : '.'),
    );
  } finally {
    if (server.listening) await new Promise((resolve) => server.close(resolve));
  }
}

/** A port nothing listens on now, chosen by the system. */
export async function freeLocalPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

import { execFile } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '@kz/testing';
import { postgresAnswers } from '../shared/postgres-answers';

const run = promisify(execFile);

/** Where the Postgres server binaries are: `pg_config --bindir`, else the newest /usr/lib/postgresql/N/bin. */
async function binDir(): Promise<string> {
  if (process.env.PG_BIN_DIR) return process.env.PG_BIN_DIR;
  const candidates: string[] = [];
  try {
    candidates.push((await run('pg_config', ['--bindir'])).stdout.trim());
  } catch {
    // no pg_config on the PATH
  }
  if (existsSync('/usr/lib/postgresql')) {
    const versions = readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a));
    candidates.push(...versions.map((version) => join('/usr/lib/postgresql', version, 'bin')));
  }
  const found = candidates.find((dir) => existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl')));
  if (!found) throw new Error('no Postgres server binaries (initdb, pg_ctl) found: set PG_BIN_DIR');
  return found;
}

/**
 * A Postgres cluster of the drill's own, in a temporary directory on a free port, so that stopping and restarting
 * it never touches the machine's shared server. initdb refuses to run as root, so as root the cluster belongs to
 * (and every pg_ctl runs as) the `postgres` user, through `runuser`.
 */
export class PrivatePostgres {
  private constructor(
    private readonly bin: string,
    private readonly dir: string,
    readonly port: number,
    private readonly osUser: string | undefined,
  ) {}

  static async create(): Promise<PrivatePostgres> {
    const bin = await binDir();
    const dir = mkdtempSync('/tmp/kz-drill-pg-');
    const osUser = userInfo().uid === 0 ? 'postgres' : undefined;
    if (osUser) {
      const { stdout } = await run('id', ['-u', osUser]);
      const { stdout: gid } = await run('id', ['-g', osUser]);
      chownSync(dir, Number(stdout.trim()), Number(gid.trim()));
    }
    chmodSync(dir, 0o700);
    const pg = new PrivatePostgres(bin, dir, await freePort(), osUser);
    await pg.as('initdb', ['-D', pg.dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8', '--no-sync']);
    return pg;
  }

  private get dataDir(): string {
    return join(this.dir, 'data');
  }

  /** Runs a server binary as the cluster's owner. */
  private async as(program: string, args: string[]): Promise<string> {
    const binary = join(this.bin, program);
    const { stdout } = this.osUser ? await run('runuser', ['-u', this.osUser, '--', binary, ...args]) : await run(binary, args);
    return stdout;
  }

  async start(): Promise<void> {
    const options = [
      `-p ${this.port}`,
      `-k ${this.dir}`,
      '-c listen_addresses=127.0.0.1',
      '-c max_connections=300',
      '-c shared_buffers=64MB',
      '-c log_min_messages=warning',
    ].join(' ');
    await this.as('pg_ctl', ['-D', this.dataDir, '-l', join(this.dir, 'server.log'), '-w', '-t', '60', '-o', options, 'start']);
  }

  /** `fast` aborts open transactions and shuts down cleanly; `immediate` is a crash (recovery from WAL at the next start). */
  async stop(mode: 'fast' | 'immediate'): Promise<void> {
    await this.as('pg_ctl', ['-D', this.dataDir, '-w', '-t', '60', '-m', mode, 'stop']);
  }

  isRunning(): Promise<boolean> {
    return postgresAnswers(this.port, 1000);
  }

  /** Stops the server (if it runs) and deletes the cluster. */
  async destroy(): Promise<void> {
    if (existsSync(join(this.dataDir, 'postmaster.pid'))) await this.stop('immediate').catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

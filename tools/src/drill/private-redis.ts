import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import IORedis from 'ioredis';
import { freePort } from '@kz/testing';

/**
 * A redis-server of the drill's own, configured as production must be for BullMQ: the append-only file on (a
 * restarted Redis gets its queues back) and no eviction. `kill()` is a crash (SIGKILL); `start()` brings it back on
 * the same port and directory. (`PrivateRedis` of @kz/testing runs without persistence: a restart empties it.)
 */
export class DrillRedis {
  private child: ChildProcess | undefined;

  private constructor(
    readonly port: number,
    private readonly dir: string,
  ) {}

  static async launch(): Promise<DrillRedis> {
    const redis = new DrillRedis(await freePort(), mkdtempSync(join(tmpdir(), 'kz-drill-redis-')));
    await redis.start();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const child = spawn(
      process.env.REDIS_SERVER_BIN ?? 'redis-server',
      [
        '--port', String(this.port),
        '--bind', '127.0.0.1',
        '--dir', this.dir,
        '--save', '',
        '--appendonly', 'yes',
        '--appendfsync', 'everysec',
        '--maxmemory-policy', 'noeviction',
      ],
      { stdio: 'ignore' },
    );
    this.child = child;
    await Promise.race([once(child, 'spawn'), once(child, 'error').then(([error]) => Promise.reject(error))]);
    const deadline = Date.now() + 15_000;
    for (;;) {
      const client = new IORedis(this.url, { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
      client.on('error', () => undefined);
      try {
        await client.connect();
        // Loading the append-only file answers LOADING; ready means the data set is back.
        if ((await client.ping()) === 'PONG') return;
      } catch {
        if (Date.now() > deadline) throw new Error(`redis-server on port ${this.port} did not become ready`);
        await new Promise((resolve) => setTimeout(resolve, 20)); // poll interval while the server boots
      } finally {
        client.disconnect();
      }
    }
  }

  /** SIGKILL: what a crashed or stopped-dead Redis looks like to its clients. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
    this.child = undefined;
  }

  async destroy(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

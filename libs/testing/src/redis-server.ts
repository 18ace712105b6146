import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import IORedis, { Redis } from 'ioredis';

export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  server.close();
  await once(server, 'close');
  return port;
}

export interface PrivateRedisOptions {
  /**
   * Configured as production must be for BullMQ: the append-only file on (in a temporary directory, so a restarted
   * server gets its queues back) and no eviction. Without it the server keeps nothing: a restart empties it.
   */
  persistent?: boolean;
}

/**
 * A private redis-server on its own port, for tests and drills that take Redis away (the shared one must stay up for
 * the others). `stop()` kills it (SIGKILL, what a crash looks like to clients); `start()` brings it back on the same
 * port (and, when persistent, the same data); `destroy()` stops it for good and removes its directory.
 */
export class PrivateRedis {
  private process: ChildProcess | undefined;

  private constructor(
    readonly port: number,
    private readonly dir: string | undefined,
  ) {}

  static async launch(options: PrivateRedisOptions = {}): Promise<PrivateRedis> {
    const dir = options.persistent ? mkdtempSync(join(tmpdir(), 'kz-redis-')) : undefined;
    const redis = new PrivateRedis(await freePort(), dir);
    await redis.start();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Whether the server process is up (started, and neither stopped nor dead). */
  get running(): boolean {
    const child = this.process;
    return !!child && child.exitCode === null && child.signalCode === null;
  }

  async start(): Promise<void> {
    const child = spawn(
      process.env.REDIS_SERVER_BIN ?? 'redis-server',
      [
        ...['--port', String(this.port), '--bind', '127.0.0.1', '--save', ''],
        ...(this.dir
          ? ['--dir', this.dir, '--appendonly', 'yes', '--appendfsync', 'everysec', '--maxmemory-policy', 'noeviction']
          : ['--appendonly', 'no']),
      ],
      { stdio: 'ignore' },
    );
    this.process = child;
    const spawned = once(child, 'spawn');
    const failed = once(child, 'error').then(([error]) => {
      throw error;
    });
    await Promise.race([spawned, failed]);
    await this.waitUntilReady();
  }

  async stop(): Promise<void> {
    const child = this.process;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
    this.process = undefined;
  }

  /**
   * `redis-cli shutdown nosave`, and the server's files are deleted, as on a server without persistence (or a failover
   * to a replica that had not caught up): the next `start()` comes back empty.
   */
  async shutdownEmpty(): Promise<void> {
    const child = this.process;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    const client: Redis = new IORedis(this.url, { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.shutdown('NOSAVE').catch(() => undefined); // the connection closes with the server
    } finally {
      if (client.status !== 'end') client.disconnect();
    }
    await exited;
    this.process = undefined;
    if (this.dir) {
      rmSync(this.dir, { recursive: true, force: true });
      mkdirSync(this.dir);
    }
  }

  async destroy(): Promise<void> {
    await this.stop();
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
  }

  /** Polls PING until the server answers (readiness, not a timed sleep). */
  private async waitUntilReady(): Promise<void> {
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      const client: Redis = new IORedis(this.url, { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
      client.on('error', () => undefined);
      try {
        await client.connect();
        await client.ping(); // LOADING (an error) while a persistent server replays its file
        return;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 20)); // poll interval while the server boots
      } finally {
        if (client.status !== 'end') client.disconnect();
      }
    }
    throw new Error(`redis-server on port ${this.port} did not become ready`);
  }
}

/** Deletes every key under a queue prefix (tests clean up what they created). */
export async function deleteKeysWithPrefix(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
    cursor = next;
    if (keys.length > 0) await redis.del(...keys);
  } while (cursor !== '0');
}

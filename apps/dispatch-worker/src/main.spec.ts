import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createRedis } from '@kz/events';
import { deleteKeysWithPrefix, freePort, PrivateRedis, testConfig, uniqueQueuePrefix } from '@kz/testing';

const workspaceRoot = join(__dirname, '..', '..', '..');
const children: ChildProcess[] = [];
const prefixes: string[] = [];

interface Launched {
  child: ChildProcess;
  url: string;
  exited: Promise<number | null>;
  stderr(): string;
}

/** Runs the worker the way production does (`main.ts`, from source through tsx) on a free port. */
async function launch(env: Record<string, string> = {}): Promise<Launched> {
  const port = await freePort();
  const prefix = uniqueQueuePrefix();
  prefixes.push(prefix);
  const child = spawn(process.execPath, ['--import', 'tsx', 'apps/dispatch-worker/src/main.ts'], {
    cwd: workspaceRoot,
    env: { ...process.env, DISPATCH_WORKER_PORT: String(port), HOST: '127.0.0.1', QUEUE_PREFIX: prefix, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  children.push(child);
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  return { child, url: `http://127.0.0.1:${port}`, exited, stderr: () => stderr };
}

/** Polls /health until it answers 200; fails if the process exits first. */
async function untilHealthy(worker: Launched): Promise<void> {
  // Well inside the test's own limit: tsx compiling the worker on a machine loaded by the whole suite takes a while.
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (worker.child.exitCode !== null) throw new Error(`worker exited with ${worker.child.exitCode}: ${worker.stderr()}`);
    const status = await fetch(`${worker.url}/health`).then(
      (response) => response.status,
      () => 0,
    );
    if (status === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 100)); // poll interval while tsx compiles and the app boots
  }
  throw new Error(`worker did not become healthy: ${worker.stderr()}`);
}

afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  const redis = createRedis(testConfig().REDIS_URL, 'worker');
  for (const prefix of prefixes) await deleteKeysWithPrefix(redis, prefix);
  redis.disconnect();
});

describe('the dispatch worker process', () => {
  it('exits 0 on SIGTERM', async () => {
    const worker = await launch();
    await untilHealthy(worker);
    worker.child.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
  });

  it('exits 0 on SIGTERM while Redis is away', async () => {
    const privateRedis = await PrivateRedis.launch();
    try {
      const worker = await launch({ REDIS_URL: privateRedis.url });
      await untilHealthy(worker);
      await privateRedis.stop();
      worker.child.kill('SIGTERM');
      expect(await worker.exited).toBe(0);
    } finally {
      await privateRedis.stop();
    }
  });

  it('refuses to start without Redis, saying where it looked', async () => {
    const worker = await launch({ REDIS_URL: `redis://127.0.0.1:${await freePort()}` });
    expect(await worker.exited).toBe(1);
    expect(worker.stderr()).toMatch(/failed to start: Redis is not reachable at 127\.0\.0\.1/);
  });
});

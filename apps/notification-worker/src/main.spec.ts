import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { dropDatabase } from '@kz/db';
import { createRedis } from '@kz/events';
import { deleteKeysWithPrefix, freePort, testConfig, uniqueName, uniqueQueuePrefix } from '@kz/testing';

const workspaceRoot = join(__dirname, '..', '..', '..');
const config = testConfig();
const children: ChildProcess[] = [];
const prefixes: string[] = [];
const databases: string[] = [];

/** Runs the worker the way production does (`main.ts`, from source through tsx) on a free port. */
async function launch(env: Record<string, string> = {}) {
  const port = await freePort();
  const prefix = uniqueQueuePrefix();
  const database = uniqueName('notifications');
  prefixes.push(prefix);
  databases.push(database);
  const child = spawn(process.execPath, ['--import', 'tsx', 'apps/notification-worker/src/main.ts'], {
    cwd: workspaceRoot,
    env: { ...process.env, NOTIFICATION_WORKER_PORT: String(port), HOST: '127.0.0.1', QUEUE_PREFIX: prefix, NOTIFICATIONS_DATABASE: database, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  children.push(child);
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  return { child, url: `http://127.0.0.1:${port}`, exited, stderr: () => stderr };
}

afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  const redis = createRedis(config.REDIS_URL, 'worker');
  for (const prefix of prefixes) await deleteKeysWithPrefix(redis, prefix);
  redis.disconnect();
  for (const database of databases) await dropDatabase(config, database);
});

describe('the notification worker process', () => {
  it('creates and migrates its database, reports healthy, and exits 0 on SIGTERM', async () => {
    const worker = await launch();
    // Well inside the test's own limit: tsx compiling the worker on a machine loaded by the whole suite takes a while.
    const deadline = Date.now() + 90_000;
    let status = 0;
    while (status !== 200 && Date.now() < deadline && worker.child.exitCode === null) {
      status = await fetch(`${worker.url}/health`).then((response) => response.status, () => 0);
      if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 100)); // poll while tsx compiles and the app boots
    }
    expect(status).toBe(200);
    worker.child.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
  });

  it('refuses to start with the development webhook secret in production', async () => {
    const worker = await launch({
      NODE_ENV: 'production',
      JWT_SECRET: 'p'.repeat(40),
      CLAIMS_SIGNING_SECRET: 'q'.repeat(40),
      PII_ENCRYPTION_KEY: 'ab'.repeat(32),
      CERTIFICATE_SIGNING_KEY: 'cd'.repeat(32),
      NOTIFICATION_WEBHOOK_URL: 'https://sms.example/send',
    });
    expect(await worker.exited).toBe(78);
    expect(worker.stderr()).toMatch(/NOTIFICATION_WEBHOOK_SECRET: the development default is refused/);
  });
});

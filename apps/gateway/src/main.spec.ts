import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { loadConfig } from '@kz/config';
import { dropDatabase } from '@kz/db';
import { freePort, testConfig, uniqueName, uniqueQueuePrefix } from '@kz/testing';

const WORKSPACE = join(__dirname, '..', '..', '..');

/** Pids of the live gateway processes a process started (from /proc). */
function childrenOf(pid: number): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((entry) => {
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
        const command = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid && command.includes('gateway/src/main.ts');
      } catch {
        return false; // ended while we looked
      }
    })
    .map(Number);
}

/** Whether a process still exists. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('gateway main (GATEWAY_WORKERS)', () => {
  let child: ChildProcess | undefined;
  const gatewayDatabase = uniqueName('gateway'); // the trusted-documents registry both processes share
  const mediaDatabase = uniqueName('media');

  afterEach(async () => {
    if (child && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
  });
  afterAll(async () => {
    await dropDatabase(testConfig(), gatewayDatabase);
    await dropDatabase(testConfig(), mediaDatabase);
  });

  it('parses the setting: a count, or 0 / auto for one process per CPU', () => {
    expect(loadConfig({}).GATEWAY_WORKERS).toBe(1);
    expect(loadConfig({ GATEWAY_WORKERS: 'auto' }).GATEWAY_WORKERS).toBe(0);
    expect(loadConfig({ GATEWAY_WORKERS: '3' }).GATEWAY_WORKERS).toBe(3);
    expect(() => loadConfig({ GATEWAY_WORKERS: 'many' })).toThrow(/GATEWAY_WORKERS/);
    expect(loadConfig({ GATEWAY_QUERY_PLAN_CACHE_MIB: '64' }).GATEWAY_QUERY_PLAN_CACHE_MIB).toBe(64);
  });

  it('runs two gateway processes on one port, each serving, and stops them all on SIGTERM', async () => {
    const port = await freePort();
    child = spawn(process.execPath, ['--import', 'tsx', join('apps', 'gateway', 'src', 'main.ts')], {
      cwd: WORKSPACE,
      env: { ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'info', GATEWAY_PORT: String(port), GATEWAY_WORKERS: '2', QUEUE_PREFIX: uniqueQueuePrefix(), GATEWAY_DATABASE: gatewayDatabase, MEDIA_DATABASE: mediaDatabase },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = once(child, 'exit');
    let ready = 0;
    await new Promise<void>((resolve, reject) => {
      createInterface({ input: child!.stdout! }).on('line', (line) => {
        const entry = JSON.parse(line) as { msg?: string };
        if (entry.msg === 'gateway ready' && (ready += 1) === 2) resolve();
      });
      child!.once('exit', (code) => reject(new Error(`the gateway exited with ${code} before it was ready`)));
    });
    // The primary forked two workers, which serve; it does not serve itself.
    const pids = childrenOf(child.pid!);
    expect(pids).toHaveLength(2);
    const health = await fetch(`http://127.0.0.1:${port}/health`);
    expect(health.status).toBe(200);
    const answer = await fetch(`http://127.0.0.1:${port}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(await answer.json()).toEqual({ data: { __typename: 'Query' } });

    child.kill('SIGTERM');
    const [code] = await exited;
    expect(code).toBe(0);
    for (const pid of pids) expect(alive(pid)).toBe(false);
  });
});

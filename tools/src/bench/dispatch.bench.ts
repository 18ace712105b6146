import { ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import type { Queue } from 'bullmq';
import { signClaims, signToken } from '@kz/auth';
import type { Config } from '@kz/config';
import { catalog, createRedis, EventEnvelope, Queues } from '@kz/events';
import { deleteKeysWithPrefix, freePort } from '@kz/testing';
import { WORKSPACE } from '../compose/compose';
import { waitHealthy } from '../launcher/launcher';
import { withCpu } from './cpu';
import { alternate, Comparison, graphqlCheck, LoadResult, median, percentile } from './load';
import { memoryOfDescendants, ProcessMemory } from './processes';
import { BenchOptions, BenchTarget, statementsOfCall } from './unit-tree.bench';

const PLACE = `mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { id code status } }`;
/** Residents who place the orders, far from any seeded person id. */
const RESIDENTS = 500;
const FIRST_RESIDENT = 920_000_000;

/**
 * 点单 throughput: residents place orders (no location, so nothing is auto-dispatched) through the gateway, against
 * the same mutation straight to the orders subgraph (signed as the gateway signs). Each order is one transaction: its
 * code from a daily counter, the order row, its timeline entry and its `order.submitted` event in the outbox.
 */
export async function placeOrderBenchmark(
  target: BenchTarget & { orders: string; gateways?: { label: string; url: string }[] },
  options: BenchOptions,
): Promise<Comparison> {
  const { config } = target;
  const residents = Array.from({ length: RESIDENTS }, (_, i) => String(FIRST_RESIDENT + i));
  const tokens = await Promise.all(residents.map((sub) => signToken(config, { sub, roles: ['RESIDENT'] })));
  const variables = { input: { title: '健身器材损坏', description: 'bench: 腾龙广场小区的健身器材松动', category: 'SAFETY_FACILITIES', channel: 'APP' } };
  const body = JSON.stringify({ query: PLACE, variables });
  let next = 0;
  const viaGateway = (url: string) => graphqlCheck(() => {
    next += 1;
    return fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens[next % RESIDENTS]}` },
      body,
    });
  });
  const direct = graphqlCheck(() => {
    next += 1;
    const claims = { sub: residents[next % RESIDENTS]!, roles: ['RESIDENT' as const] };
    return fetch(`${target.orders}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...signClaims(config.CLAIMS_SIGNING_SECRET, claims, { query: PLACE, variables }) },
      body,
    });
  });
  const statements = await statementsPerCall(target.orders, direct);
  const gateways = target.gateways ?? [{ label: 'gateway', url: target.gateway }];
  const results = await alternate(
    [...[...gateways, ...(target.bare ? [target.bare] : [])].map((gateway) => ({ label: gateway.label, check: viaGateway(gateway.url) })), { label: 'orders subgraph direct', check: direct }],
    options,
  );
  return {
    title: 'placeOrder: orders placed per second',
    note:
      `Residents (${RESIDENTS} of them) place orders without a location through the gateway, against the same mutation straight ` +
      `to the orders subgraph (signed as the gateway signs).${statements === null ? '' : ` ${statements} SQL statements per order.`}`,
    ...(statements === null ? {} : { statements }),
    results,
    goal: 0.9, // issue 13
  };
}

async function statementsPerCall(base: string, call: () => Promise<boolean>): Promise<number | null> {
  try {
    return (await statementsOfCall([base], call))[0]!;
  } catch (error) {
    if ((error as Error).message.includes('fix it')) throw error;
    return null; // the subgraph does not count statements
  }
}

interface Replica {
  stop(): Promise<void>;
}

/** Runs a worker as a process of its own (as deployed), ready once it takes jobs. */
export async function launchReplica(kind: 'dispatch-worker' | 'no-op', env: NodeJS.ProcessEnv): Promise<Replica> {
  const port = await freePort();
  const entry = kind === 'dispatch-worker' ? join('apps', 'dispatch-worker', 'src', 'main.ts') : join('tools', 'src', 'bench', 'noop-worker.ts');
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', entry], {
    cwd: WORKSPACE,
    env: { ...env, DISPATCH_WORKER_PORT: String(port) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = once(child, 'exit');
  const alive = () => child.exitCode === null && child.signalCode === null;
  if (kind === 'dispatch-worker') {
    child.stdout!.resume();
    await waitHealthy(port, alive);
  } else {
    const lines = createInterface({ input: child.stdout! });
    await new Promise<void>((resolve, reject) => {
      lines.on('line', (line) => line === 'ready' && resolve());
      child.once('exit', (code) => reject(new Error(`the no-op worker exited with ${code} before it was ready`)));
    });
  }
  return {
    async stop() {
      if (alive()) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** A new order without a location: the dispatch worker validates it and leaves it to the dispatcher (no call). */
function submission(): EventEnvelope<'order.submitted'> {
  const orderId = String(Math.floor(Math.random() * 1e12));
  return {
    id: randomUUID(),
    type: 'order.submitted',
    version: catalog['order.submitted'].version,
    occurredAt: new Date().toISOString(),
    actor: { personId: String(FIRST_RESIDENT), roles: ['RESIDENT'] },
    unitPath: null,
    payload: { orderId, code: `KZ-BENCH-${orderId}`, source: 'RESIDENT', category: 'SAFETY_FACILITIES', specialGroup: 'NONE', location: null, urgency: 'NORMAL' },
  };
}


/**
 * Puts `count` events on the paused queue as the outbox relay does (job id = event id), releases them at once and
 * times until all are finished. Latencies are each job's processing time (BullMQ's processedOn → finishedOn).
 */
export async function drain(name: string, queue: Queue, count: number): Promise<LoadResult> {
  await queue.pause();
  const events = Array.from({ length: count }, submission);
  for (let i = 0; i < events.length; i += 1000) {
    await queue.addBulk(events.slice(i, i + 1000).map((event) => ({ name: event.type, data: event, opts: { jobId: event.id } })));
  }
  const started = performance.now();
  await queue.resume();
  let counts: Record<string, number>;
  for (;;) {
    counts = await queue.getJobCounts('completed', 'failed');
    if (counts.completed! + counts.failed! >= count) break;
    await new Promise((resolve) => setTimeout(resolve, 10)); // poll interval; 10 ms in runs of a second or more
  }
  const seconds = (performance.now() - started) / 1000;
  const jobs = await queue.getJobs(['completed'], 0, count - 1);
  const latencies = jobs.map((job) => (job.finishedOn ?? 0) - (job.processedOn ?? 0)).sort((a, b) => a - b);
  await queue.clean(0, count * 2, 'completed');
  await queue.clean(0, count * 2, 'failed');
  return {
    name,
    requests: count,
    rps: Math.round(count / seconds),
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    failures: counts.failed!,
  };
}

/**
 * Dispatch-worker throughput: batches of `order.submitted` events without a location (validated, routed to no one,
 * no call made) through 1 and then 2 dispatch-worker processes, against as many processes of a bare BullMQ worker
 * that does nothing, each on a queue of its own in the same Redis, in alternating rounds of the same run.
 */
export async function dispatchWorkerBenchmarks(config: Config, env: NodeJS.ProcessEnv, options: BenchOptions, memory?: ProcessMemory[]): Promise<Comparison[]> {
  const count = Math.min(9000, Math.max(1000, options.seconds * 1000)); // within the 10,000 completed jobs kept
  const prefixes = { dispatch: `{kz-bench-dispatch-${process.pid}}`, noop: `{kz-bench-noop-${process.pid}}` };
  const redis = createRedis(config.REDIS_URL, 'worker'); // waits for the connection rather than failing fast
  const dispatchQueues = new Queues(redis, prefixes.dispatch);
  const noopQueues = new Queues(redis, prefixes.noop);
  const comparisons: Comparison[] = [];
  const medians = new Map<number, number>();
  try {
    for (const replicas of [1, 2]) {
      const started: Replica[] = [];
      try {
        for (let i = 0; i < replicas; i += 1) {
          started.push(await launchReplica('dispatch-worker', { ...env, QUEUE_PREFIX: prefixes.dispatch, AUTO_DISPATCH: 'true' }));
          started.push(await launchReplica('no-op', { ...env, QUEUE_PREFIX: prefixes.noop }));
        }
        // Warm-up: connections, JIT, the zod schemas.
        await drain('warm-up', dispatchQueues.get('dispatch'), 500);
        await drain('warm-up', noopQueues.get('dispatch'), 500);
        const runs: Record<'dispatch' | 'noop', LoadResult[]> = { dispatch: [], noop: [] };
        for (let round = 0; round < options.rounds; round += 1) {
          runs.noop.push(await withCpu(() => drain('no-op', noopQueues.get('dispatch'), count)));
          runs.dispatch.push(await withCpu(() => drain('dispatch-worker', dispatchQueues.get('dispatch'), count)));
        }
        medians.set(replicas, median(runs.dispatch).rps);
        const scaling = replicas === 2 ? ` Two dispatch-worker replicas handle ${(medians.get(2)! / medians.get(1)!).toFixed(2)}× the jobs per second of one.` : '';
        comparisons.push({
          title: `dispatch worker: jobs per second, ${replicas} replica${replicas === 1 ? '' : 's'}`,
          note:
            `Batches of ${count} \`order.submitted\` events without a location (envelope and payload validated, no call made) ` +
            `released at once to ${replicas} dispatch-worker process${replicas === 1 ? '' : 'es'} (concurrency 10 each), against as many ` +
            `processes of a bare BullMQ worker doing nothing, same Redis, same run. req/s = jobs per second from release to the last ` +
            `finished; latencies = each job's processing time (ms).${scaling}`,
          results: [
            { label: `dispatch-worker ×${replicas}`, runs: runs.dispatch },
            { label: `no-op BullMQ worker ×${replicas}`, runs: runs.noop },
          ],
        });
      } finally {
        // Their memory at the end of their run (they stop before the bench ends).
        if (replicas === 2) memory?.push(...memoryOfDescendants().filter((entry) => entry.process === 'dispatch-worker' || entry.process === 'no-op worker'));
        for (const replica of started) await replica.stop();
      }
    }
    return comparisons;
  } finally {
    await dispatchQueues.close();
    await noopQueues.close();
    await deleteKeysWithPrefix(redis, prefixes.dispatch);
    await deleteKeysWithPrefix(redis, prefixes.noop);
    redis.disconnect();
  }
}

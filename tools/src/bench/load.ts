import { performance } from 'node:perf_hooks';

export interface LoadResult {
  name: string;
  requests: number;
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  failures: number;
}

export interface LoadOptions {
  connections: number;
  seconds: number;
  /** Requests sent and discarded first, so connection setup and JIT warm-up do not count. */
  warmup: number;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/**
 * A closed-loop load: `connections` clients each send the next request as soon as the previous one answered, for a
 * fixed time. Every latency is kept, so percentiles are exact. A reply that is not 200 or carries GraphQL errors
 * counts as a failure.
 */
export async function load(name: string, send: () => Promise<Response>, options: LoadOptions): Promise<LoadResult> {
  const check = async () => {
    const response = await send();
    const body = (await response.json()) as { errors?: unknown[] };
    return response.ok && !body.errors;
  };
  for (let i = 0; i < options.warmup; i += 1) {
    if (!(await check())) throw new Error(`${name}: the request fails; fix it before measuring`);
  }
  const latencies: number[] = [];
  let failures = 0;
  const started = performance.now();
  const deadline = started + options.seconds * 1000;
  await Promise.all(
    Array.from({ length: options.connections }, async () => {
      while (performance.now() < deadline) {
        const t0 = performance.now();
        const ok = await check().catch(() => false);
        latencies.push(performance.now() - t0);
        if (!ok) failures += 1;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const round = (ms: number) => Math.round(ms * 100) / 100;
  return {
    name,
    requests: latencies.length,
    rps: Math.round(latencies.length / elapsed),
    p50: round(percentile(latencies, 50)),
    p95: round(percentile(latencies, 95)),
    p99: round(percentile(latencies, 99)),
    failures,
  };
}

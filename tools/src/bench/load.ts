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
 * fixed time. Every latency is kept, so percentiles are exact. `check` sends one request and says whether it
 * succeeded; a failure is counted, not hidden.
 */
export async function load(name: string, check: () => Promise<boolean>, options: LoadOptions): Promise<LoadResult> {
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

/** Sends a GraphQL request and succeeds on a 200 without errors. */
export function graphqlCheck(send: () => Promise<Response>): () => Promise<boolean> {
  return async () => {
    const response = await send();
    const body = (await response.json()) as { errors?: unknown[] };
    return response.ok && !body.errors;
  };
}

export function median(results: LoadResult[]): LoadResult {
  return [...results].sort((a, b) => a.rps - b.rps)[Math.floor(results.length / 2)]!;
}

export interface Comparison {
  title: string;
  note: string;
  results: { label: string; runs: LoadResult[] }[];
}

/** Markdown table of a comparison: the median round of each target, and the first target against the last. */
export function comparisonTable(comparison: Comparison): string {
  const rows = comparison.results.map(({ label, runs }) => ({ label, ...median(runs) }));
  const [first, last] = [rows[0]!, rows[rows.length - 1]!];
  const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100;
  return [
    `| target | req/s | p50 ms | p95 ms | p99 ms | failures |`,
    `| --- | ---: | ---: | ---: | ---: | ---: |`,
    ...rows.map((r) => `| ${r.label} | ${r.rps} | ${r.p50} | ${r.p95} | ${r.p99} | ${r.failures} |`),
    // A comparison whose baseline could not run (a tool missing) has nothing to divide by.
    ...(rows.length > 1 ? [`| ${first.label} / ${last.label} | ${ratio(first.rps, last.rps)}× | | ${ratio(first.p95, last.p95)}× | | |`] : []),
  ].join('\n');
}

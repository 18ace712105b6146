import type { HealthReport } from './server';

/** One readiness check: resolves `ok`, or a short reason why not. */
export type ReadinessCheck = () => Promise<string>;

export interface RunChecksOptions {
  /** A check still pending after this long counts as `timed out after N ms`. */
  timeoutMs: number;
  /** Checks that are reported but do not make the app unready (e.g. a subgraph's Redis: events wait in the outbox). */
  advisory?: readonly string[];
}

/** Runs the checks side by side, each bounded by the timeout; `down` when any check that is not advisory fails. */
export async function runChecks(checks: Record<string, ReadinessCheck>, options: RunChecksOptions): Promise<HealthReport> {
  const entries = await Promise.all(
    Object.entries(checks).map(async ([name, check]): Promise<[string, string]> => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<string>((resolve) => {
        timer = setTimeout(() => resolve(`timed out after ${options.timeoutMs} ms`), options.timeoutMs);
      });
      try {
        return [name, await Promise.race([check().catch((error: Error) => error.message || String(error)), timeout])];
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  const result = Object.fromEntries(entries);
  const advisory = new Set(options.advisory ?? []);
  const down = entries.some(([name, value]) => value !== 'ok' && !advisory.has(name));
  return { status: down ? 'down' : 'ok', checks: result };
}

/**
 * A readiness report kept for `ttlMs`: probes arriving together share one round of checks (one in flight at a
 * time), and a probe storm (many kubelets, load balancers, a curl loop) costs the dependencies one check per TTL.
 */
export function cachedReport(produce: () => Promise<HealthReport>, ttlMs: number, now: () => number = Date.now): () => Promise<HealthReport> {
  let last: { at: number; report: HealthReport } | undefined;
  let running: Promise<HealthReport> | undefined;
  return () => {
    if (last && now() - last.at < ttlMs) return Promise.resolve(last.report);
    running ??= produce()
      .catch((error: Error): HealthReport => ({ status: 'down', checks: { ready: error.message } }))
      .then((report) => {
        last = { at: now(), report };
        return report;
      })
      .finally(() => {
        running = undefined;
      });
    return running;
  };
}

import { cachedReport, HealthReport, ReadinessCheck, runChecks } from '@kz/http';
import type { SupergraphSource } from './supergraph';

/** How long the gateway waits for a subgraph's `/ready`, and how long one round of checks is reused. */
export const SUBGRAPH_READY_TIMEOUT_MS = 1_000;
export const READY_CACHE_MS = 2_000;

/** A subgraph's readiness URL: `/ready` beside its `/graphql` (`http://points:4004/graphql` → `http://points:4004/ready`). */
export function readyUrlOf(graphqlUrl: string): string {
  return new URL('ready', graphqlUrl).toString();
}

/** Asks one subgraph's `/ready`: `ok`, or what it answered (its `notReady` list) or why it did not. */
export async function subgraphReady(graphqlUrl: string, timeoutMs: number): Promise<string> {
  const response = await fetch(readyUrlOf(graphqlUrl), { signal: AbortSignal.timeout(timeoutMs) }).catch((error: Error) => {
    throw new Error(error.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : `unreachable (${causeOf(error)})`);
  });
  if (response.ok) {
    await response.body?.cancel();
    return 'ok';
  }
  const body = (await response.json().catch(() => ({}))) as { notReady?: string[] };
  return `not ready (${response.status}${body.notReady?.length ? `: ${body.notReady.join(', ')}` : ''})`;
}

function causeOf(error: Error): string {
  const cause = (error as Error & { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? error.message;
}

export interface GatewayReadinessOptions {
  supergraph: SupergraphSource;
  /** Routing URL overrides by subgraph name (config and tests), as the gateway routes. */
  urls: Record<string, string>;
  /** Reported, never fatal: the trusted-documents registry's freshness (the documents held keep serving). */
  trustedDocuments: () => string;
  timeoutMs?: number;
  cacheMs?: number;
}

/**
 * The gateway's readiness: a supergraph is loaded and every subgraph it names answers its own `/ready` (within a
 * second), checked side by side and reused for two seconds, so a storm of probes costs each subgraph one request
 * per two seconds per gateway process. A 503 names the subgraphs that are not ready (`subgraph:points`).
 */
export function gatewayReadiness(options: GatewayReadinessOptions): () => Promise<HealthReport> {
  const timeoutMs = options.timeoutMs ?? SUBGRAPH_READY_TIMEOUT_MS;
  return cachedReport(() => {
    const checks: Record<string, ReadinessCheck> = {
      supergraph: async () => (options.supergraph.loaded() ? 'ok' : 'not loaded'),
      trustedDocuments: async () => options.trustedDocuments(),
    };
    for (const { name, url } of options.supergraph.services()) {
      checks[`subgraph:${name}`] = () => subgraphReady(options.urls[name] ?? url, timeoutMs);
    }
    // The fetch has its own timeout; the race's is a bound for anything else that hangs.
    return runChecks(checks, { timeoutMs: timeoutMs + 500, advisory: ['trustedDocuments'] });
  }, options.cacheMs ?? READY_CACHE_MS);
}

/** How a delivery retries transient failures: exponential from `baseMs`, capped, `maxAttempts` sends in all. */
export interface RetryPolicy {
  baseMs: number;
  capMs: number;
  maxAttempts: number;
}

/** 30 s, 1, 2, 4, 8, 16, 32 min, then an hour: eight sends over about two hours before the delivery is dead. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = { baseMs: 30_000, capMs: 3600_000, maxAttempts: 8 };

/** The wait after the `attempt`-th failed send (1-based); a gateway's Retry-After is honoured when longer. */
export function backoffMs(policy: RetryPolicy, attempt: number, retryAfterMs?: number): number {
  const exponential = Math.min(policy.capMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.max(exponential, Math.min(policy.capMs, retryAfterMs ?? 0));
}

import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

/** What one request carries through every async hop: its id (for logs and jobs) and its SQL statement count. */
export interface RequestScope {
  requestId: string;
  sqlStatements: number;
  /** The caller's address as the app found it (the gateway: behind trusted proxies, from `X-Forwarded-For`). */
  clientAddress?: string;
}

const storage = new AsyncLocalStorage<RequestScope>();

export function runInRequestScope<T>(requestId: string | undefined, fn: () => T): T {
  return storage.run({ requestId: requestId || randomUUID(), sqlStatements: 0 }, fn);
}

export function currentRequestScope(): RequestScope | undefined {
  return storage.getStore();
}

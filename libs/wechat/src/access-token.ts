import type { Redis } from 'ioredis';
import { RedisSharedStore, SharedStore } from '@kz/events';

/** What the cache keeps in Redis for every process: the token, when to refresh it, when it dies. */
interface StoredToken {
  token: string;
  refreshAt: number;
  expiresAt: number;
}

export interface AccessTokenCacheOptions {
  /** Redis, or the shared store of the queue backend (`QUEUE_BACKEND`) the token is kept in. */
  redis: Redis | SharedStore;
  /** The hash-tagged key prefix (QUEUE_PREFIX) so the keys land on one Redis Cluster slot. */
  prefix: string;
  appId: string;
  /** Fetches a fresh token from WeChat (`force` after WeChat refused the current one). */
  fetchToken(force: boolean): Promise<{ accessToken: string; expiresIn: number }>;
  /** Fraction of `expires_in` after which the token is refreshed (default 0.8). */
  refreshRatio?: number;
  /** How long a refresher holds the lock (longer than a fetch can take). */
  lockMs?: number;
  /** How long a caller waits for another process's refresh before giving up. */
  waitMs?: number;
  now?: () => number;
}

/**
 * The server's own WeChat access token, shared by every process: kept in Redis, fetched by one process at a time
 * (a `SET NX PX` lock), refreshed once 80 % of its life has passed (others keep using it meanwhile) and at once when
 * WeChat refuses it (40001/42001, see `invalidate`). Concurrent callers in one process share one promise, so a burst
 * costs one read of Redis and at most one fetch across the fleet.
 */
export class AccessTokenCache {
  private readonly key: string;
  private readonly lockKey: string;
  private readonly now: () => number;
  private pending: Promise<string> | null = null;
  private readonly store: SharedStore;

  constructor(private readonly options: AccessTokenCacheOptions) {
    this.store = 'hit' in options.redis ? options.redis : new RedisSharedStore(options.redis, options.prefix);
    this.key = `${options.prefix}:wechat:access-token:${options.appId}`;
    this.lockKey = `${this.key}:lock`;
    this.now = options.now ?? Date.now;
  }

  /** A token good for now. */
  get(): Promise<string> {
    this.pending ??= this.resolve(false).finally(() => {
      this.pending = null;
    });
    return this.pending;
  }

  /** WeChat refused `token`: drop it (unless another process already replaced it) and get a fresh one. */
  async invalidate(token: string): Promise<string> {
    const raw = await this.store.get(this.key);
    if (raw && (JSON.parse(raw) as StoredToken).token === token) await this.store.deleteIfEquals(this.key, raw);
    if (this.pending) await this.pending.catch(() => undefined);
    this.pending = this.resolve(true).finally(() => {
      this.pending = null;
    });
    return this.pending;
  }

  private async read(): Promise<StoredToken | null> {
    const raw = await this.store.get(this.key);
    return raw ? (JSON.parse(raw) as StoredToken) : null;
  }

  private async resolve(force: boolean): Promise<string> {
    const deadline = this.now() + (this.options.waitMs ?? 10_000);
    for (;;) {
      const stored = await this.read();
      const now = this.now();
      if (stored && now < stored.refreshAt) return stored.token;
      if (await this.lock()) {
        try {
          // Another process may have refreshed between our read and our lock.
          const again = await this.read();
          if (again && this.now() < again.refreshAt) return again.token;
          return await this.refresh(force);
        } finally {
          await this.unlock();
        }
      }
      // Someone else is refreshing: a token that has not expired yet is still good meanwhile.
      if (stored && now < stored.expiresAt) return stored.token;
      if (this.now() > deadline) throw new Error('timed out waiting for another process to refresh the WeChat access token');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  private readonly lockValue = `${process.pid}-${Math.random().toString(36).slice(2)}`;

  private async lock(): Promise<boolean> {
    return this.store.set(this.lockKey, this.lockValue, this.options.lockMs ?? 15_000, { onlyIfAbsent: true });
  }

  private async unlock(): Promise<void> {
    await this.store.deleteIfEquals(this.lockKey, this.lockValue);
  }

  private async refresh(force: boolean): Promise<string> {
    const { accessToken, expiresIn } = await this.options.fetchToken(force);
    const now = this.now();
    const lifeMs = Math.max(1, expiresIn) * 1000;
    const stored: StoredToken = {
      token: accessToken,
      refreshAt: now + Math.floor(lifeMs * (this.options.refreshRatio ?? 0.8)),
      expiresAt: now + lifeMs,
    };
    await this.store.set(this.key, JSON.stringify(stored), lifeMs);
    return accessToken;
  }
}

import type { Redis } from 'ioredis';
import type { Logger, ReconcileMetrics } from '@kz/telemetry';
import { RedisLossWatch } from './redis-loss';

/**
 * What started a reconciliation. `start` and `redis-loss` rebuild everything still pending (Redis may have lost any of
 * it); `interval` and `reconnect` look at a window only (a failover or a reload loses the last second or so, and the
 * periodic run catches that before it comes due).
 */
export type ReconcileTrigger = 'start' | 'interval' | 'reconnect' | 'redis-loss';

export const isFullReconcile = (trigger: ReconcileTrigger): boolean => trigger === 'start' || trigger === 'redis-loss';

/** One kind of thing Redis may lose and Postgres can rebuild; `run` answers how many jobs it created again. */
export interface ReconcileTask {
  kind: string;
  run(trigger: ReconcileTrigger): Promise<number>;
}

export interface ReconcileLoopOptions {
  tasks: ReconcileTask[];
  /**
   * A producer connection (fails fast while Redis is away): reconnects and the marker are watched on it. Null on a
   * backend without Redis (QUEUE_BACKEND=postgres): then only the start and the periodic runs happen.
   */
  connection: Redis | null;
  prefix: string;
  intervalMs: number;
  /** How often the Redis marker is read (see `RedisLossWatch`); 0 turns the watch off (a backend without Redis). */
  lossCheckMs: number;
  metrics?: ReconcileMetrics;
  log?: Logger;
}

const STRENGTH: Record<ReconcileTrigger, number> = { interval: 0, reconnect: 1, start: 2, 'redis-loss': 3 };

/**
 * Runs the reconciliation tasks at start, periodically, after each reconnect to Redis and as soon as Redis is found
 * to have lost its data. One run at a time: a trigger during a run queues one more run (the strongest trigger asked
 * for). A failed task is logged and tried again at the next trigger; the jobs it creates have stable ids, so runs of
 * several replicas at once create each job once.
 */
export class ReconcileLoop {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private pending: ReconcileTrigger | undefined;
  private started: Promise<void> | undefined;
  private stopped = false;
  private disconnected = false;
  private readonly watch: RedisLossWatch | undefined;
  private readonly onClose = () => {
    this.disconnected = true;
  };
  private readonly onReady = () => {
    if (!this.disconnected) return;
    this.disconnected = false;
    void this.trigger('reconnect');
  };

  constructor(private readonly options: ReconcileLoopOptions) {
    if (options.connection && options.lossCheckMs > 0) {
      this.watch = new RedisLossWatch({
        connection: options.connection,
        prefix: options.prefix,
        checkMs: options.lossCheckMs,
        log: options.log,
        onLoss: () => {
          options.metrics?.redisLosses.inc();
          void this.trigger('redis-loss');
        },
      });
    }
  }

  /**
   * Starts watching and runs the start reconciliation in the background (`idle()` waits for it), as soon as the
   * connection is ready (a process boots while its Redis connection is still being made).
   */
  async start(): Promise<void> {
    const { connection } = this.options;
    await this.watch?.start();
    connection?.on('close', this.onClose);
    connection?.on('ready', this.onReady);
    this.timer = setInterval(() => void this.trigger('interval'), this.options.intervalMs);
    this.timer.unref();
    this.started =
      !connection || connection.status === 'ready'
        ? this.trigger('start')
        : new Promise<void>((resolve) => connection.once('ready', () => void this.trigger('start').then(resolve)));
  }

  /** Runs the tasks now, or once more after the run in progress. Resolves when that run is over. */
  trigger(trigger: ReconcileTrigger): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.running) {
      if (this.pending === undefined || STRENGTH[trigger] > STRENGTH[this.pending]) this.pending = trigger;
      return this.running.then(() => this.running ?? undefined);
    }
    this.running = this.runAll(trigger).finally(() => {
      this.running = undefined;
      const next = this.pending;
      this.pending = undefined;
      if (next !== undefined && !this.stopped) void this.trigger(next);
    });
    return this.running;
  }

  /** Resolves once the start run is over and no run is in progress or queued (tests). */
  async idle(): Promise<void> {
    await this.started;
    while (this.running) await this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    this.watch?.stop();
    this.options.connection?.off('close', this.onClose);
    this.options.connection?.off('ready', this.onReady);
    await this.running;
  }

  private async runAll(trigger: ReconcileTrigger): Promise<void> {
    const { tasks, metrics, log } = this.options;
    for (const task of tasks) {
      if (this.stopped) return;
      const started = Date.now();
      try {
        const recreated = await task.run(trigger);
        metrics?.runs.inc({ kind: task.kind, trigger });
        if (recreated > 0) metrics?.recreated.inc({ kind: task.kind }, recreated);
        const line = { kind: task.kind, trigger, recreated, ms: Date.now() - started };
        if (recreated > 0 || trigger !== 'interval') log?.info(line, 'reconciled');
        else log?.debug(line, 'reconciled');
      } catch (error) {
        log?.warn({ kind: task.kind, trigger, err: (error as Error).message }, 'reconciliation failed; tried again at the next trigger');
      }
    }
  }
}

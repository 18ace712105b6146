import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { EventEnvelope } from '@kz/events';
import type { Logger } from '@kz/telemetry';
import { EventStream } from '../stream/event-stream';
import { applyEvent, ApplyOutcome, FIGURES_SUBSCRIPTION } from './figures-apply';

export interface FiguresJobOptions {
  /** How long to wait before reading again when the subscription was empty (or a read failed). */
  pollMs?: number;
  /** Entries taken per transaction. */
  batchSize?: number;
  /** How long the entries taken stay leased to this consumer (a crash frees them after this). */
  leaseSeconds?: number;
  /** This replica's name in the leases; unique per process by default. */
  consumerId?: string;
  log?: Logger;
}

export type BatchCounts = Record<ApplyOutcome, number>;

/** Postgres aborted the transaction because of another one (deadlock, serialization): take the batch again. */
function isContention(error: unknown): boolean {
  const code = (error as { code?: unknown }).code ?? (error as { driverError?: { code?: unknown } }).driverError?.code;
  return code === '40P01' || code === '40001';
}

/**
 * The first analytics job: a consumer of the subscription `figures` that keeps the daily figures of every unit
 * (docs/analytics.md). Each batch is one transaction of the analytics database: lease entries, apply each event
 * (at most once per event id, `figures_applied`), acknowledge them, commit. A crash before the commit leaves
 * nothing applied and the entries are leased again after `leaseSeconds`; replicas share the subscription, the
 * lease (`FOR UPDATE SKIP LOCKED`) keeping them apart.
 */
export class FiguresJob {
  readonly consumerId: string;
  private readonly stream: EventStream;
  private readonly pollMs: number;
  private readonly batchSize: number;
  private readonly leaseSeconds: number;
  private loop: Promise<void> | undefined;
  private stopping = false;
  private wake: (() => void) | undefined;

  constructor(
    private readonly db: DataSource,
    private readonly options: FiguresJobOptions = {},
  ) {
    this.stream = new EventStream(db);
    this.consumerId = options.consumerId ?? `figures-${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
    this.pollMs = options.pollMs ?? 500;
    this.batchSize = options.batchSize ?? 200;
    this.leaseSeconds = options.leaseSeconds ?? 60;
  }

  /** Creates the subscription `figures` if it is missing, or brings its types up to this code's. */
  async register(): Promise<void> {
    await this.stream.subscribe(FIGURES_SUBSCRIPTION);
  }

  /** Registers the subscription and consumes it until `stop()`. */
  async start(): Promise<void> {
    if (this.loop) return;
    await this.register();
    this.stopping = false;
    this.loop = this.run();
  }

  /** Finishes the batch under way (its transaction commits or rolls back) and ends the loop. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.loop;
    this.loop = undefined;
  }

  /** Takes batches until the subscription has nothing left to hand out; answers what happened to the events. */
  async drain(): Promise<BatchCounts> {
    const total: BatchCounts = { applied: 0, duplicate: 0, skipped: 0 };
    for (;;) {
      const counts = await this.batchRetryingContention();
      if (counts === undefined) return total;
      for (const key of Object.keys(total) as ApplyOutcome[]) total[key] += counts[key];
    }
  }

  /** One transaction: lease, apply, acknowledge. Undefined when there was nothing to take. */
  async batch(): Promise<BatchCounts | undefined> {
    return this.db.transaction(async (manager) => {
      const entries = (await manager.query('SELECT pos::text AS pos, envelope FROM event_stream_read($1, $2, $3, $4)', [
        FIGURES_SUBSCRIPTION.name,
        this.consumerId,
        this.batchSize,
        this.leaseSeconds,
      ])) as { pos: string; envelope: EventEnvelope }[];
      if (entries.length === 0) return undefined;
      const counts: BatchCounts = { applied: 0, duplicate: 0, skipped: 0 };
      for (const entry of entries) {
        const outcome = await applyEvent(manager, entry.envelope);
        counts[outcome] += 1;
        if (outcome === 'skipped') {
          this.options.log?.warn({ eventId: entry.envelope.id, type: entry.envelope.type, version: entry.envelope.version }, 'figures: event skipped (see figures_skipped)');
        }
      }
      await manager.query('SELECT event_stream_ack($1, $2::bigint[])', [FIGURES_SUBSCRIPTION.name, entries.map((entry) => entry.pos)]);
      return counts;
    });
  }

  private async batchRetryingContention(): Promise<BatchCounts | undefined> {
    for (;;) {
      try {
        return await this.batch();
      } catch (error) {
        // The rollback undid the leases too, so the same entries are free to take again at once.
        if (!isContention(error)) throw error;
        this.options.log?.debug({ err: (error as Error).message }, 'figures: batch aborted by a concurrent one, taking it again');
      }
    }
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      let taken = false;
      try {
        taken = (await this.batchRetryingContention()) !== undefined;
      } catch (error) {
        this.options.log?.warn({ err: (error as Error).message }, 'figures: batch failed, retrying after the poll interval');
      }
      if (!taken && !this.stopping) await this.sleep();
    }
  }

  private sleep(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, this.pollMs);
      this.wake = done;
    });
  }
}

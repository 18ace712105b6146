import type { JobsOptions } from 'bullmq';
import { catalog, derivedEventId, EventEnvelope, EventPayload, EventType, Queues } from '@kz/events';

/**
 * Timers outlive an outage of the service they call: 15 attempts with exponential backoff from 1 s keep trying for
 * about nine hours before the job rests in the failed set.
 */
const TIMER_JOB_OPTIONS: JobsOptions = { attempts: 15, backoff: { type: 'exponential', delay: 1000 } };

/** How long a subject's index outlives its last timer (by then the timers' records are gone too). */
const INDEX_GRACE_MS = 8 * 24 * 3600 * 1000;

/** States in which a timer has not fired yet and may be dropped. */
const PENDING = new Set(['delayed', 'waiting', 'prioritized', 'paused']);

export interface Timer<T extends EventType> {
  /** The BullMQ job id, derived from the subject and the due time: the same timer is only ever added once. */
  jobId: string;
  /** What the timer is about (`order:42`, `carePlan:7`): its timers are indexed together. */
  subject: string;
  /**
   * The timers of one run of something (an order's accept stage, a plan's next visit) share a series, a job id
   * prefix such as `esc-42-ACCEPT-`. Within a series the newest `since` wins.
   */
  series: string;
  /** When the state that set the timer arose (the event's `occurredAt`, epoch ms). */
  since: number;
  /** When it fires (epoch ms); a time already past fires at once. */
  at: number;
  type: T;
  payload: EventPayload<T>;
  unitPath: string | null;
}

/**
 * Timers of the dispatch worker: delayed jobs on the `dispatch` queue whose data is an event envelope (handled by the
 * same worker like any event when they come due), with deterministic job ids and envelope ids. BullMQ adds a job id
 * once while the job exists, so scheduling the same timer again (a redelivered event, two replicas) adds nothing.
 *
 * Events may be handled out of order (several replicas, a backlog after an outage), so each subject keeps an index
 * (a hash in the shared store beside the queue: `queues.backend.store`): job id → the time of the state that set it,
 * plus an end marker per series when the subject moved on. Whatever order the events come in, a series converges on
 * its newest entry: older pending timers are dropped, and a timer set by a state older than the series' end is never
 * left behind. Dropping is an optimisation: the service a timer calls still decides whether it applies.
 */
export class Timers {
  constructor(
    private readonly queues: Queues,
    private readonly now: () => number = Date.now,
  ) {}

  private indexKey(subject: string): string {
    return `${this.queues.prefix}:dispatch-timers:${subject}`;
  }

  envelope<T extends EventType>(timer: Timer<T>): EventEnvelope<T> {
    return {
      id: derivedEventId(`timer:${timer.jobId}`),
      type: timer.type,
      version: catalog[timer.type].version,
      occurredAt: new Date(timer.at).toISOString(),
      actor: { system: 'dispatch-worker' },
      unitPath: timer.unitPath,
      payload: timer.payload,
    };
  }

  /** Adds the timer (once), then drops whatever in its series is older, itself included if a newer entry exists. */
  async schedule<T extends EventType>(timer: Timer<T>): Promise<void> {
    const queue = this.queues.get('dispatch');
    const delay = Math.max(0, timer.at - this.now());
    await this.index(timer.subject, timer.jobId, timer.since, delay);
    await queue.add(timer.type, this.envelope(timer), { ...TIMER_JOB_OPTIONS, jobId: timer.jobId, delay });
    await this.sweep(timer.subject, timer.series, timer.jobId);
  }

  /** The subject left the state of this series at `since`: its timers set before then are dropped. */
  async end(subject: string, series: string, since: number): Promise<void> {
    await this.index(subject, `${series}ended`, since, 0);
    await this.sweep(subject, series);
  }

  /**
   * The job ids of a subject's timers that are set: pending, running or fired, not dropped (for tests and inspection;
   * unlike `pending`, the answer does not change when a timer comes due while one looks).
   */
  async scheduled(subject: string): Promise<string[]> {
    const queue = this.queues.get('dispatch');
    const ids: string[] = [];
    for (const jobId of Object.keys(await this.queues.backend.store.hashGetAll(this.indexKey(subject)))) {
      if (!jobId.endsWith('ended') && (await queue.getJobState(jobId)) !== 'unknown') ids.push(jobId);
    }
    return ids.sort();
  }

  /** The job ids of a subject's pending timers (for tests and inspection). */
  async pending(subject: string): Promise<string[]> {
    const queue = this.queues.get('dispatch');
    const ids: string[] = [];
    for (const jobId of Object.keys(await this.queues.backend.store.hashGetAll(this.indexKey(subject)))) {
      if (PENDING.has(await queue.getJobState(jobId))) ids.push(jobId);
    }
    return ids.sort();
  }

  private async index(subject: string, member: string, since: number, delay: number): Promise<void> {
    // member → since unless it has a later since already (the same timer set again, by a redelivery or by the
    // reconciler, whose since may be a few ms off the event's: a pair of timers must not look older than each other),
    // and the index kept at least that much longer (never shortened)
    await this.queues.backend.store.hashSetMax(this.indexKey(subject), member, since, delay + INDEX_GRACE_MS);
  }

  /**
   * Drops the entries of the series older than its newest one, removing their jobs if they have not fired (a timer
   * running now is left alone; one that fired stays on record so a late redelivery cannot add it again). `added` is
   * the timer this call just added: dropped too if a concurrent sweep already took it out of the index as older.
   */
  private async sweep(subject: string, series: string, added?: string): Promise<void> {
    const queue = this.queues.get('dispatch');
    const store = this.queues.backend.store;
    const key = this.indexKey(subject);
    const entries = Object.entries(await store.hashGetAll(key))
      .filter(([member]) => member.startsWith(series))
      .map(([member, since]) => ({ member, since: Number(since) }));
    const newest = Math.max(...entries.map((entry) => entry.since));
    const stale = entries.filter((entry) => entry.since < newest).map((entry) => entry.member);
    if (added && !entries.some((entry) => entry.member === added)) stale.push(added);
    for (const member of stale) {
      if (PENDING.has(await queue.getJobState(member))) await queue.remove(member);
      await store.hashDelete(key, member);
    }
  }
}

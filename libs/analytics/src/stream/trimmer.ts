import type { Logger } from '@kz/telemetry';
import type { EventStream } from './event-stream';

/**
 * Applies every subscription's retention every `intervalMs` (one run at a time), so a subscription nobody drains
 * holds at most its retention plus one interval's arrivals, and nothing else waits on it.
 */
export class Trimmer {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<Map<string, number>> | undefined;

  constructor(
    private readonly stream: EventStream,
    private readonly intervalMs: number,
    private readonly log?: Logger,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.run().catch((error: Error) => this.log?.warn({ err: error.message }, 'cannot trim the subscriptions')), this.intervalMs);
    this.timer.unref();
  }

  /** Trims now (or waits for the run under way and trims again); answers what each subscription dropped. */
  async run(): Promise<Map<string, number>> {
    while (this.running) await this.running.catch(() => undefined);
    this.running = this.stream.trim();
    try {
      const dropped = await this.running;
      for (const [subscription, count] of dropped) {
        if (count > 0) this.log?.info({ subscription, dropped: count }, 'subscription over its retention: oldest entries dropped unread');
      }
      return dropped;
    } finally {
      this.running = undefined;
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }
}

import type { Actor } from '@kz/auth';
import type { Locale } from '@kz/errors';
import type { Logger } from '@kz/telemetry';

/** What every resolver of every subgraph receives; apps extend it with their services and DataLoaders. */
export interface SubgraphContext {
  actor: Actor;
  locale: Locale;
  requestId: string;
  log: Logger;
  /** Wakes the outbox relay after a commit that wrote events, so they leave within milliseconds. */
  eventsWritten(): void;
}

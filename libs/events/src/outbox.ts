import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { currentRequestScope, currentTraceparent } from '@kz/telemetry';
import { catalog, EventPayload, EventType } from './catalog';
import type { EventActor, EventEnvelope } from './envelope';

export interface EventDraft<T extends EventType> {
  type: T;
  actor: EventActor;
  unitPath: string | null;
  payload: EventPayload<T>;
  /**
   * When the change happened, when the writer already took that time for its own columns (a stage's start, from which
   * its deadline runs): the envelope then carries exactly the time the database holds. Default: now.
   */
  occurredAt?: Date;
}

/**
 * Writes a domain event to the outbox with the caller's transaction, so the event exists if and only if the change
 * committed. The payload is validated against the catalogue here, at the producing boundary.
 */
export async function recordEvent<T extends EventType>(
  manager: EntityManager,
  draft: EventDraft<T>,
): Promise<EventEnvelope<T>> {
  const spec = catalog[draft.type];
  const payload = spec.payload.parse(draft.payload) as EventPayload<T>;
  const envelope: EventEnvelope<T> = {
    id: randomUUID(),
    type: draft.type,
    version: spec.version,
    occurredAt: (draft.occurredAt ?? new Date()).toISOString(),
    actor: draft.actor,
    unitPath: draft.unitPath,
    payload,
  };
  const requestId = currentRequestScope()?.requestId;
  if (requestId) envelope.requestId = requestId;
  // With tracing on, the span that wrote the event (a resolver's request, a job): the relay continues its trace.
  const traceparent = currentTraceparent();
  await manager.query(
    `INSERT INTO outbox (id, type, version, occurred_at, actor, unit_path, payload, request_id, traceparent)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [
      envelope.id,
      envelope.type,
      envelope.version,
      envelope.occurredAt,
      JSON.stringify(envelope.actor),
      envelope.unitPath,
      JSON.stringify(envelope.payload),
      requestId ?? null,
      traceparent ?? null,
    ],
  );
  return envelope;
}

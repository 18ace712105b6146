import { createHash } from 'node:crypto';
import { z } from 'zod';
import { catalog, EventPayload, EventType, isEventType } from './catalog';

export type EventActor = { personId: string; roles: string[] } | { system: string };

/** What travels on every queue. `id` is also the BullMQ job id. */
export interface EventEnvelope<T extends EventType = EventType> {
  id: string;
  type: T;
  version: number;
  occurredAt: string;
  actor: EventActor;
  unitPath: string | null;
  requestId?: string;
  /** W3C trace context of the span that caused the job (with tracing on): its consumer's span is a child of it. */
  traceparent?: string;
  payload: EventPayload<T>;
}

const envelopeShape = z.object({
  id: z.uuid(),
  type: z.string(),
  version: z.number().int().positive(),
  occurredAt: z.iso.datetime({ offset: true }),
  actor: z.union([
    z.object({ personId: z.string(), roles: z.array(z.string()) }),
    z.object({ system: z.string() }),
  ]),
  unitPath: z.string().nullable(),
  requestId: z.string().optional(),
  traceparent: z.string().optional(),
  payload: z.record(z.string(), z.unknown()),
});

/** Thrown for an event that can never be handled, however often it is retried. */
export class InvalidEvent extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidEvent';
  }
}

/** Validates an envelope and its payload at a boundary (consumer side). */
export function parseEnvelope(data: unknown): EventEnvelope {
  const parsed = envelopeShape.safeParse(data);
  if (!parsed.success) throw new InvalidEvent(`malformed envelope: ${parsed.error.issues[0]?.message}`);
  const { type } = parsed.data;
  if (!isEventType(type)) throw new InvalidEvent(`unknown event type ${type}`);
  const spec = catalog[type];
  if (parsed.data.version > spec.version) {
    throw new InvalidEvent(`${type} v${parsed.data.version} is newer than this consumer understands (v${spec.version})`);
  }
  const payload = spec.payload.safeParse(parsed.data.payload);
  if (!payload.success) {
    const issue = payload.error.issues[0];
    throw new InvalidEvent(`${type}: payload.${issue?.path.join('.')}: ${issue?.message}`);
  }
  return { ...parsed.data, type, payload: payload.data } as EventEnvelope;
}

/**
 * A uuid (version 5 layout) derived from a name, for events a worker makes itself (timers, delivery jobs): every copy
 * of a derived event has the same id, so adding it twice is one job and consuming it twice is one effect.
 */
export function derivedEventId(name: string): string {
  const hex = createHash('sha1').update(`kz:${name}`).digest('hex');
  const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

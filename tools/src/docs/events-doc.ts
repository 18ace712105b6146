import { join } from 'node:path';
import { z } from 'zod';
import { variables } from '@kz/config';
import { catalog, derivedEventId, DEFAULT_JOB_OPTIONS, EventEnvelope, EventType, parseEnvelope, routesFor } from '@kz/events';
import { WORKSPACE } from '../compose/compose';

export const EVENTS_DOC = join(WORKSPACE, 'docs', 'events.md');

/** The part of JSON Schema (as `z.toJSONSchema` writes it) that the catalogue's payloads use. */
interface JsonSchema {
  type?: string | string[];
  format?: string;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: JsonSchema | boolean;
  items?: JsonSchema;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  minLength?: number;
  maxLength?: number;
}

/**
 * Events that workers make themselves as delayed jobs on their own queue (their timers), not through an outbox:
 * `apps/dispatch-worker/src/timers.ts` and `libs/notifications/src/deliveries/delivery-jobs.ts`. The dispatch
 * worker's reach `analytics` when they fire (`STREAMED_TIMER_TYPES` in its app.ts; `points.redemption.expiryDue` is
 * forwarded to all its routes by `redemption-timer.ts`); `notification.delivery.due` travels through the
 * notifications outbox only when staff retry a dead letter.
 */
export const WORKER_TIMER_EVENTS: Partial<Record<EventType, string>> = {
  'order.deadline.due': 'dispatch-worker',
  'order.evaluation.due': 'dispatch-worker',
  'carePlan.visit.timerDue': 'dispatch-worker',
  'carePlan.visit.checkDue': 'dispatch-worker',
  'points.redemption.expiryDue': 'dispatch-worker',
  'notification.delivery.due': 'notification-worker',
};

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/** The retention of a subscription that names none: the defaults of an entry of EVENT_SUBSCRIPTIONS. */
const SUBSCRIPTION_DEFAULTS = variables.EVENT_SUBSCRIPTIONS.schema.parse(JSON.stringify([{ name: 'defaults', types: ['*'] }]))[0]!;

function jsonSchemaOf(schema: z.ZodType): JsonSchema {
  return z.toJSONSchema(schema, { io: 'output', unrepresentable: 'any' }) as JsonSchema;
}

/** Splits `T | null` into `T` and whether null is allowed. */
function withoutNull(schema: JsonSchema): { schema: JsonSchema; nullable: boolean } {
  if (Array.isArray(schema.type) && schema.type.includes('null')) {
    const rest = schema.type.filter((type) => type !== 'null');
    return { schema: { ...schema, type: rest.length === 1 ? rest[0] : rest }, nullable: true };
  }
  if (schema.anyOf?.some((option) => option.type === 'null')) {
    const rest = schema.anyOf.filter((option) => option.type !== 'null');
    if (rest.length === 1) return { schema: rest[0]!, nullable: true };
    return { schema: { anyOf: rest }, nullable: true };
  }
  return { schema, nullable: false };
}

function range(schema: JsonSchema, integer: boolean): string {
  const min =
    schema.exclusiveMinimum !== undefined ? (integer ? schema.exclusiveMinimum + 1 : undefined) : schema.minimum;
  const max = schema.maximum !== undefined && schema.maximum < MAX_SAFE ? schema.maximum : undefined;
  if (schema.exclusiveMinimum !== undefined && !integer) return ` > ${schema.exclusiveMinimum}`;
  if (min !== undefined && max !== undefined) return ` ${min} to ${max}`;
  if (min !== undefined) return ` ≥ ${min}`;
  if (max !== undefined) return ` ≤ ${max}`;
  return '';
}

/** A short, readable type for a field (nested objects and arrays of objects get rows of their own). */
function typeName(raw: JsonSchema): string {
  const { schema, nullable } = withoutNull(raw);
  let name: string;
  if (schema.enum) name = `enum: ${schema.enum.map((value) => `\`${String(value)}\``).join(', ')}`;
  else if (schema.const !== undefined) name = `\`${String(schema.const)}\``;
  else if (schema.anyOf) name = schema.anyOf.map(typeName).join(' or ');
  else {
    switch (schema.type) {
      case 'string':
        if (schema.format === 'date-time') name = 'date-time (ISO-8601 with offset)';
        else if (schema.format) name = `string (${schema.format})`;
        else if (schema.minLength === 1) name = 'string, non-empty';
        else name = 'string';
        break;
      case 'integer':
        name = `integer${range(schema, true)}`;
        break;
      case 'number':
        name = `number${range(schema, false)}`;
        break;
      case 'boolean':
        name = 'boolean';
        break;
      case 'array':
        name = schema.items?.type === 'object' && schema.items.properties ? 'array of objects' : `array of ${typeName(schema.items ?? {})}`;
        break;
      case 'object':
        if (schema.properties) name = 'object';
        else if (schema.additionalProperties && typeof schema.additionalProperties === 'object') {
          name = `map: string → ${typeName(schema.additionalProperties)}`;
        } else name = 'object';
        break;
      default:
        name = 'any';
    }
  }
  return nullable ? `${name}, or null` : name;
}

interface FieldRow {
  path: string;
  type: string;
  required: boolean;
}

/** One row per field, nested objects (and objects in arrays) flattened as `a.b` and `a[].b`. */
function fieldRows(schema: JsonSchema, prefix = ''): FieldRow[] {
  const rows: FieldRow[] = [];
  const required = new Set(schema.required ?? []);
  for (const [name, raw] of Object.entries(schema.properties ?? {})) {
    const path = `${prefix}${name}`;
    rows.push({ path, type: typeName(raw), required: required.has(name) });
    const { schema: inner } = withoutNull(raw);
    if (inner.type === 'object' && inner.properties) rows.push(...fieldRows(inner, `${path}.`));
    if (inner.type === 'array' && inner.items?.type === 'object' && inner.items.properties) {
      rows.push(...fieldRows(inner.items, `${path}[].`));
    }
  }
  return rows;
}

/**
 * Example values, chosen by field name from the demo data set (迎宾社区 station, id 5, path 1/2/5) so examples read
 * like real events; any field without an entry gets a value made from its schema. Every example envelope is checked
 * against the catalogue (`parseEnvelope`) when the document is generated.
 */
const EXAMPLE_VALUES: Record<string, unknown> = {
  unitId: '5',
  code: 'KZ-HANFENG-YINGBIN',
  name: '迎宾社区新时代文明实践站',
  path: '1/2/5',
  parentId: '2',
  oldPath: '1/2/15',
  newPath: '1/2/5/15',
  oldParentId: '2',
  newParentId: '5',
  teamId: '12',
  level: 'STATION',
  kind: 'SQUAD',
  homeUnitId: '5',
  homeUnitPath: '1/2/5',
  parentTeamId: '3',
  volunteerId: '7',
  personId: '8',
  stationId: '5',
  homeStationId: '5',
  homeStationPath: '1/2/5',
  activityId: '31',
  serviceRecordId: '104',
  verifiedBy: '5',
  accountId: '21',
  fromAccountId: '21',
  toAccountId: '22',
  rewardId: '3',
  redemptionId: '17',
  orderId: '42',
  carePlanId: '6',
  deliveryId: '88',
  volunteerIds: ['7', '9'],
  minutesByVolunteer: { '7': 90, '9': 60 },
  category: 'ELDERLY_CARE',
  specialGroup: 'EMPTY_NEST_ELDERLY',
  urgency: 'NORMAL',
  stage: 'ACCEPT',
  title: '帮独居老人更换厨房水龙头',
  description: '上门理发服务一次',
  note: '老人说水龙头又开始滴水了',
  beneficiary: '王秀英',
  reason: '服务地址不在本站辖区',
  location: { lat: 31.1608, lng: 108.3931 },
  items: [
    { item: 'VENUE', met: true },
    { item: 'FUNDING', met: false },
  ],
  score: 6,
  minutes: 90,
  oldMinutes: 90,
  newMinutes: 120,
  amount: 15,
  quantity: 1,
  points: 50,
  rating: 5,
  revision: 0,
  // Events never carry a pickup code (it is as good as the goods); the field stays out of the example.
  pickupCode: undefined,
};
/** Where a field name means something else in one event. */
const EXAMPLE_OVERRIDES: Partial<Record<EventType, Record<string, unknown>>> = {
  'order.submitted': { code: 'KZ-20260305-0007' },
  'org.team.created': { code: 'T-SQUAD-12', name: '迎宾社区助老服务队' },
  'org.team.updated': { code: 'T-SQUAD-12', name: '迎宾社区助老服务队' },
  'org.unit.moved': { unitId: '15' },
  'volunteer.star.awarded': {
    awardId: '41',
    level: 3,
    name: '3星志愿者',
    awardedOn: '2026-03-05',
    grantingUnitId: '5',
    grantingUnitName: '迎宾社区新时代文明实践站',
  },
  'volunteer.star.eligible': { level: 2, name: '2星志愿者', neededHours: 300, verifiedHours: 301.5 },
  'volunteer.record.correction.decided': {
    correctionRequestId: '12',
    title: '腾龙广场环境整治',
    oldMinutes: 90,
    proposedMinutes: 120,
    minutes: 120,
    reason: '核对签到表，签退时间为 11:30，属实',
  },
};
const EXAMPLE_TIME = '2026-03-05T09:30:00.000+08:00';
const EXAMPLE_LATER = '2026-03-08T09:30:00.000+08:00';
const LATER_FIELDS = new Set(['dueAt', 'expiresAt', 'nextVisitAt']);

function exampleValue(name: string, raw: JsonSchema): unknown {
  const { schema } = withoutNull(raw);
  if (name in EXAMPLE_VALUES && (!schema.enum || schema.enum.includes(EXAMPLE_VALUES[name]))) return EXAMPLE_VALUES[name];
  if (schema.enum) return schema.enum[0];
  if (schema.anyOf) return exampleValue(name, schema.anyOf[0]!);
  switch (schema.type) {
    case 'string':
      if (schema.format === 'date-time') return LATER_FIELDS.has(name) ? EXAMPLE_LATER : EXAMPLE_TIME;
      return name;
    case 'integer':
    case 'number':
      return schema.minimum ?? (schema.exclusiveMinimum !== undefined ? schema.exclusiveMinimum + 1 : 1);
    case 'boolean':
      return true;
    case 'array':
      return [exampleValue(name, schema.items ?? {})];
    case 'object':
      return examplePayload(schema);
    default:
      return null;
  }
}

/** Every field of the payload, optional ones included (unless the platform never sends them), so the example shows them. */
function examplePayload(schema: JsonSchema, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(schema.properties ?? {})
      .map(([name, raw]) => [name, name in overrides ? overrides[name] : exampleValue(name, raw)] as const)
      .filter(([, value]) => value !== undefined),
  );
}

function exampleActor(type: EventType): EventEnvelope['actor'] {
  const worker = WORKER_TIMER_EVENTS[type];
  if (worker) return { system: worker };
  if (type === 'order.escalated') return { system: 'dispatch-worker' };
  if (type === 'points.credited') return { system: 'points.earning' };
  if (type === 'points.redemption.expired') return { system: 'redemption-expiry' };
  if (type === 'points.merchant.redeemed') return { personId: '9', roles: ['MERCHANT'] };
  if (type.startsWith('org.')) return { personId: '1', roles: ['CENTER_ADMIN'] };
  if (type.startsWith('points.') || ['order.submitted', 'order.evaluated', 'order.cancelled', 'order.followUp.added'].includes(type)) {
    return { personId: '8', roles: ['RESIDENT'] };
  }
  return { personId: '5', roles: ['STATION_ADMIN'] };
}

/** A complete envelope for the event, valid against the catalogue (throws if the catalogue and examples disagree). */
export function exampleEnvelope(type: EventType): EventEnvelope {
  const spec = catalog[type];
  const worker = WORKER_TIMER_EVENTS[type];
  const envelope: EventEnvelope = {
    id: derivedEventId(`docs-example:${type}`),
    type,
    version: spec.version,
    occurredAt: EXAMPLE_TIME,
    actor: exampleActor(type),
    unitPath: type === 'notification.delivery.due' ? null : '1/2/5',
    ...(worker ? {} : { requestId: 'c0a8d7e2-5b1f-4f7a-9d3e-2a6b8c4e1f90' }),
    payload: examplePayload(jsonSchemaOf(spec.payload), EXAMPLE_OVERRIDES[type]) as EventEnvelope['payload'],
  };
  parseEnvelope(envelope);
  return envelope;
}

function eventSection(type: EventType): string {
  const spec = catalog[type];
  const rows = fieldRows(jsonSchemaOf(spec.payload)).map(
    (row) => `| \`${row.path}\` | ${row.type} | ${row.required ? 'yes' : 'optional'} |`,
  );
  const worker = WORKER_TIMER_EVENTS[type];
  const origin = worker
    ? `\n\nMade by the ${worker} as a delayed job on its own queue (its timer), not through an outbox; see "Consuming from analytics".`
    : '';
  return `### \`${type}\` (v${spec.version})

${spec.description}.${origin}

Queues: ${routesFor(type)
    .map((queue) => `\`${queue}\``)
    .join(', ')}

| payload field | type | required |
| --- | --- | --- |
${rows.join('\n')}

\`\`\`json
${envelopeJson(exampleEnvelope(type))}
\`\`\`
`;
}

function duration(seconds: number): string {
  if (seconds % 86400 === 0 && seconds > 86400) return `${seconds / 86400} days`;
  return `${seconds / 3600} hours`;
}

/** JSON with the envelope's and the payload's fields one per line and anything deeper on the same line. */
function envelopeJson(envelope: EventEnvelope): string {
  const lines = (value: Record<string, unknown>, indent: string, nested: string[]): string =>
    Object.entries(value)
      .map(([key, inner]) =>
        nested.includes(key) && inner && typeof inner === 'object'
          ? `${indent}${JSON.stringify(key)}: {\n${lines(inner as Record<string, unknown>, `${indent}  `, [])}\n${indent}}`
          : `${indent}${JSON.stringify(key)}: ${JSON.stringify(inner)}`,
      )
      .join(',\n');
  return `{\n${lines(envelope as unknown as Record<string, unknown>, '  ', ['payload'])}\n}`;
}

/** docs/events.md, generated from the catalogue and routing table in `libs/events`, so it cannot drift. */
export function eventsDoc(): string {
  const types = Object.keys(catalog) as EventType[];
  const rows = types.map((type) => {
    const spec = catalog[type];
    const shape = (spec.payload as z.ZodObject).shape as Record<string, z.ZodType>;
    const fields = Object.entries(shape)
      .map(([name, schema]) => (schema.safeParse(undefined).success ? `${name}?` : name))
      .join(', ');
    return `| [\`${type}\`](#${anchor(type)}) | ${spec.version} | ${routesFor(type).join(', ')} | ${fields} | ${spec.description} |`;
  });
  const retention = DEFAULT_JOB_OPTIONS.removeOnComplete as { age: number; count: number };
  const failedRetention = DEFAULT_JOB_OPTIONS.removeOnFail as { age: number };
  const timers = Object.keys(WORKER_TIMER_EVENTS)
    .map((type) => `\`${type}\``)
    .join(', ');
  return `# Event catalogue

Generated from \`libs/events/src/catalog.ts\` and \`routing.ts\` by \`npm run docs\`; a test fails when this file is stale.

Services write events to their outbox table in the same transaction as the change; a relay in each service moves
them to BullMQ queues with the event id as job id. Consumers validate the envelope and payload, and record the
event id (or a natural key) in the same transaction as their effect, so a redelivery changes nothing.

## Envelope

| field | meaning |
| --- | --- |
| \`id\` | uuid; also the BullMQ job id |
| \`type\` | one of the types below |
| \`version\` | payload version (integer); fields may be added within a version, never renamed or dropped |
| \`occurredAt\` | ISO-8601 with zone |
| \`actor\` | \`{ personId, roles }\` or \`{ system }\` |
| \`unitPath\` | materialized path of the unit the event belongs to, or null |
| \`requestId\` | id of the API request that caused it, when there was one |
| \`traceparent\` | with tracing on (\`OTEL_EXPORTER_OTLP_ENDPOINT\`), the W3C trace context of the span that put the job on its queue (the outbox relay's, or a worker's); the consumer's span is its child (docs/operations.md, "Traces"). Absent with tracing off |
| \`payload\` | the fields below (\`?\` = optional) |

Ids in payloads (\`unitId\`, \`orderId\`, \`personId\`…) are strings, the same as the \`ID\`s of the graph; the
envelope \`id\` and \`requestId\` are uuids. Paths are materialized unit paths (\`1/2/5\`: the center,
汉丰街道, 迎宾社区), so "everything in a subtree" is a prefix match on \`unitPath\`.

## Events and their queues

Every event goes to \`analytics\` (the dispatch worker's timers when they fire, the notification worker's delivery timers never; see "Consuming from analytics"); the queues column
lists all queues that receive it.

| type | version | queues | payload | meaning |
| --- | ---: | --- | --- | --- |
${rows.join('\n')}

## Consuming from analytics

Analytics jobs read the **event stream**: named subscriptions in the analytics worker's own Postgres database
(\`ANALYTICS_DATABASE\`, default \`analytics\`), read and acknowledged through SQL functions, so a job written in any
language needs only a Postgres driver. Do not consume the \`analytics\` queue yourself: it is the stream's intake, and
a BullMQ queue hands each job to one consumer, so a second reader would take events away from every subscription.

### How events reach the stream

- **Intake.** \`analytics\`, a BullMQ queue on the platform's queue backend (\`QUEUE_BACKEND\`: Redis under
  \`QUEUE_PREFIX\`, or Postgres in \`QUEUE_DATABASE\`; see docs/queue-backends.md). Every event a service writes to its
  outbox is added to it by the outbox relay: job name = the event \`type\`, data = the envelope above, **job id = the
  event \`id\`**. Adding a job whose id already exists is a no-op in BullMQ, so a relay that re-sends after a crash
  adds nothing while the first job is kept (completed jobs are kept ${duration(retention.age)} or the last ${retention.count.toLocaleString('en')}, failed
  ones ${duration(failedRetention.age)}; up to ${DEFAULT_JOB_OPTIONS.attempts} attempts with exponential backoff from ${(DEFAULT_JOB_OPTIONS.backoff as { delay: number }).delay} ms).
- **The analytics worker** (\`apps/analytics-worker\`) drains the queue, one job at a time per process: it writes each
  event once to the archive and, in the same transaction, copies it into every subscription whose patterns match its
  type (\`event_archive_add\`). An event the queue delivers again (a relay crash between adding and marking, the relays'
  sweep after Redis came back empty; see docs/reliability/README.md) is recognised by its \`id\` and copied nowhere.
  While the worker runs the \`analytics\` queue stays near empty; while it is down the queue holds the backlog (its
  waiting count is on the ops dashboard), so keep it running.
- **Timers.** The workers make their timers themselves, as delayed jobs on their own queues with deterministic ids,
  not through an outbox: ${timers}.
  The dispatch worker's timer events (\`order.deadline.due\`, \`order.evaluation.due\`,
  \`carePlan.visit.timerDue\`, \`carePlan.visit.checkDue\`) reach the stream when they fire, as does
  \`points.redemption.expiryDue\` (the dispatch worker forwards it to its routes); \`notification.delivery.due\` reaches
  it only when staff retry a dead letter (\`retryNotification\` writes it to the notifications outbox). Their effects
  arrive as ordinary events too: \`order.escalated\`, \`order.closed\`, \`carePlan.visit.due\`, \`carePlan.visit.missed\`,
  \`points.redemption.expired\`. Each timer's due time is stored in the owning service's tables; the job is a cache of
  it that the worker rebuilds, with the same id, when the queue lost it.

### Subscriptions

A subscription has a name (lower-case letters, digits, \`-\` and \`_\`), the event types it wants (\`*\`, an exact type
such as \`order.closed\`, or a prefix such as \`order.*\` or \`points.redemption.*\`) and a retention. It receives every
matching event archived after it was created, once, independently of the other subscriptions. Create or change one
from the command line:

\`\`\`sh
npm run events -- subscribe --name warehouse --types 'order.*,points.*' [--max-entries N] [--max-age-days D]
npm run events -- list                            # name, types, waiting, oldest age, acked, dropped, retention
npm run events -- unsubscribe --name warehouse    # removes it and its waiting entries
\`\`\`

or list it in \`EVENT_SUBSCRIPTIONS\` (JSON: \`[{"name": "warehouse", "types": ["order.*", "points.*"], "maxEntries":
${SUBSCRIPTION_DEFAULTS.maxEntries}, "maxAgeSeconds": ${SUBSCRIPTION_DEFAULTS.maxAgeSeconds}}]\`), which the analytics worker applies at each start (setting back
what the command changed; the command says so). A pattern that matches no event type of the catalogue is refused. A
new subscription starts empty: replay (below) fills it with the past.

### Reading and acknowledging

\`\`\`sql
-- subscription, consumer name, at most this many entries, lease in seconds
SELECT pos, event_id, type, occurred_at, deliveries, envelope FROM event_stream_read('warehouse', 'consumer-1', 100, 60);
-- handle each envelope, then acknowledge the positions handled
SELECT event_stream_ack('warehouse', ARRAY[101, 102, 103]::bigint[]);
\`\`\`

- \`event_stream_read\` leases up to that many of the oldest entries nobody holds to the consumer, for the lease, and
  answers them in arrival order (\`pos\`); \`envelope\` is the envelope above, as jsonb. \`event_stream_ack\` removes the
  handled entries and answers how many were still there. Both raise SQLSTATE \`P0002\` for an unknown subscription.
  When a read answers nothing, wait a moment (a second) and read again.
- **Leases and redelivery: at least once.** An entry not acknowledged before its lease ends is handed out again, to
  any consumer, with \`deliveries\` above 1 (its consumer crashed, or took longer than the lease). Replays bring back
  events a consumer has handled before. So a consumer must be idempotent by the envelope \`id\`: write the id with the
  effect, in one transaction, under a unique key (the platform's own consumers use \`handleOnce\` in
  \`libs/events/src/consumer.ts\`), or load into a table keyed by \`id\` with an upsert.
- **Order.** The events of one aggregate (an order, an account, a care plan) come from one service, whose relay adds
  them to the intake in commit order; the analytics worker archives them in the order the queue hands them out, and a
  subscription keeps that order. A consumer sees it when it is the **only consumer of its subscription** and handles
  each batch in order before reading the next (on a failure it stops and retries rather than acknowledge what follows).
  Several consumers of one subscription share its entries (each entry goes to one of them at a time) and lose the
  order between them; so do several analytics worker processes, and an intake job retried after a failure. Replayed
  events come after what is already waiting. Across aggregates, sort by \`occurredAt\` where order matters.

### Retention

A subscription keeps at most its \`maxEntries\` unacknowledged entries, none older than \`maxAgeSeconds\` since it
entered the subscription (a replayed entry: since the replay); the defaults are ${SUBSCRIPTION_DEFAULTS.maxEntries.toLocaleString('en')} entries and
${duration(SUBSCRIPTION_DEFAULTS.maxAgeSeconds)}. Every \`EVENT_STREAM_TRIM_SECONDS\` the analytics worker drops what is beyond (\`event_stream_trim()\`), oldest
first, so an idle subscription holds its retention plus one interval's arrivals, on disk, and the rest of the platform
never waits on it. What retention drops is counted (\`dropped\` in \`npm run events -- list\`) and stays in the archive,
so a consumer that comes back replays what it missed. The analytics worker's \`/metrics\` (\`ANALYTICS_WORKER_PORT\`)
shows, with a \`subscription\` label:

| metric | meaning |
| --- | --- |
| \`event_stream_waiting_entries\` | entries not acknowledged yet: the consumer's lag |
| \`event_stream_oldest_age_seconds\` | how long the oldest waiting entry has waited (0 when none waits) |
| \`event_stream_dropped_entries\` | entries retention dropped unread since the subscription was created (only grows) |
| \`event_stream_acked_entries\` | entries acknowledged since the subscription was created (only grows) |

and \`event_archive_events_total\`, the events taken from the intake, labelled \`added="new"\` (new to the archive) or
\`added="duplicate"\` (a redelivery it already had).

### Replay

\`\`\`sh
npm run events:replay -- --subscription warehouse --since 2026-03-01 [--until 2026-03-02T00:00:00+08:00] [--types 'order.*,points.credited']
\`\`\`

copies the archived events that occurred in [since, until) (until defaults to now) and that the subscription wants,
narrowed by \`--types\`, into that one subscription, in the order they occurred, and prints how many it re-delivered.
The other subscriptions are untouched. **Replayed events keep their ids**, so an idempotent consumer ignores the ones
it already has; an event still waiting in the subscription is not copied twice. A date means midnight UTC; a
date-time carries its zone. An unknown subscription, a bad date, since not before until, or a pattern that matches no
event type the subscription wants is refused with exit code 2, and nothing changes. In SQL:
\`SELECT event_stream_replay('warehouse', '2026-03-01T00:00Z', '2026-03-02T00:00Z', ARRAY['order.*'])\` (patterns
\`NULL\`: everything the subscription wants).

### The archive

\`event_archive\` holds every event the analytics worker took from the intake, once: \`id\`, \`type\`, \`version\`,
\`occurred_at\`, \`archived_at\`, \`unit_path\` and the whole \`envelope\` (jsonb). It is partitioned by the month of
\`occurred_at\` in UTC (\`event_archive_2026_03\`…, each created when its first event arrives) and indexed on \`(type,
occurred_at)\`, so a query by type and time reads only its months, however many years it holds:

\`\`\`sql
SELECT envelope FROM event_archive
WHERE type = 'order.closed' AND occurred_at >= '2026-03-01T00:00+08:00' AND occurred_at < '2026-04-01T00:00+08:00'
  AND (unit_path = '1/2/5' OR unit_path LIKE '1/2/5/%');
\`\`\`

Nothing trims the archive; an old month leaves as one partition (\`ALTER TABLE event_archive DETACH PARTITION
event_archive_2025_01\`) when policy says so.

### Schema versions

\`version\` is the payload version of the type. Within a version fields may be added (ignore the ones you do not know)
but never renamed, retyped or dropped; such a change is a new version, announced in this catalogue. Optional fields
may be absent in older events of the same version. A consumer that meets a version it does not know (or a type new
to one of its patterns) must **never guess**: it records the entry aside, in a table of its own keyed by the event
\`id\`, acknowledges it, and alerts; once it has learnt the version it handles what it recorded (or replays the range
with \`--types\`). That is the recommendation: skip and record. Stopping the consumer instead is safe only while the
backlog fits its retention; leaving the entry unacknowledged gets it handed out again at every lease. The platform's
own consumers do not guess either: \`parseEnvelope\` (\`libs/events/src/envelope.ts\`) refuses a version newer than they know.

### A consumer in Python

With psycopg 3, loading into the job's own database; redeliveries and replays add nothing, unknown versions are
recorded aside:

\`\`\`python
import time

import psycopg
from psycopg.types.json import Jsonb

SUBSCRIPTION, CONSUMER = "warehouse", "consumer-1"
KNOWN = {"order.closed": 1, "points.credited": 1}  # the types and versions this job was written for

stream = psycopg.connect("host=127.0.0.1 dbname=analytics user=postgres", autocommit=True)
store = psycopg.connect("host=127.0.0.1 dbname=warehouse user=postgres", autocommit=True)

while True:
    entries = stream.execute(
        "SELECT pos, deliveries, envelope FROM event_stream_read(%s, %s, 100, 60)", (SUBSCRIPTION, CONSUMER)
    ).fetchall()
    if not entries:
        time.sleep(1)
        continue
    with store.transaction():  # the whole batch or none of it
        for pos, deliveries, event in entries:
            if event["version"] > KNOWN.get(event["type"], 0):
                store.execute(  # never guess: record it aside, handle it once this job knows the version
                    "INSERT INTO parked_event (id, envelope) VALUES (%s, %s) ON CONFLICT (id) DO NOTHING",
                    (event["id"], Jsonb(event)),
                )
                continue
            store.execute(  # idempotent by event id
                "INSERT INTO fact_event (id, type, occurred_at, unit_path, payload) VALUES (%s, %s, %s, %s, %s)"
                " ON CONFLICT (id) DO NOTHING",
                (event["id"], event["type"], event["occurredAt"], event["unitPath"], Jsonb(event["payload"])),
            )
    stream.execute("SELECT event_stream_ack(%s, %s::bigint[])", (SUBSCRIPTION, [entry[0] for entry in entries]))
\`\`\`

In this repository, \`EventStream\` from \`@kz/analytics\` (libs/analytics, shared by the analytics worker and subgraph)
wraps the same functions for TypeScript.

### Why Postgres, not Redis Streams or a BullMQ queue per subscription

- **Both queue backends.** The stream works the same with \`QUEUE_BACKEND=redis\` and \`QUEUE_BACKEND=postgres\`
  (docs/queue-backends.md); a Redis Stream does not exist when the queues live in Postgres, so the stream would need
  a second implementation for that backend.
- **Any language.** A Postgres driver and two SQL functions (read, acknowledge) are all a consumer needs. BullMQ's
  protocol is Lua scripts over Redis keys, with clients for a few languages only; Redis Streams need each client to keep consumer
  groups, pending lists and claims (\`XREADGROUP\`, \`XACK\`, \`XAUTOCLAIM\`) right.
- **An idle subscriber costs disk, not the platform's memory.** Redis runs \`noeviction\`: a backlog that fills it stops
  every queue of the platform. In Postgres a subscription nobody drains holds its retention on disk, in a database of
  its own.
- **Replay needs the archive anyway.** Every event, kept for years and queried by type and time, is a Postgres table;
  with the subscriptions beside it, archiving an event and copying it into the subscriptions is one transaction, and
  replaying a range is one \`INSERT … SELECT\`.

## Payloads

Each event with its current version, the queues that receive it, its payload fields (\`a.b\` is a field of an
object, \`a[].b\` of the objects in an array) and an example envelope (values from the demo data set; every example
is checked against the catalogue when this file is generated).

${types.map(eventSection).join('\n')}`;
}

/** The GitHub-style heading anchor of an event's section. */
function anchor(type: EventType): string {
  return `${type}-v${catalog[type].version}`.toLowerCase().replace(/[^a-z0-9 -]/g, '');
}

import { join } from 'node:path';
import { z } from 'zod';
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
 * `apps/dispatch-worker/src/timers.ts` and `libs/notifications/src/deliveries/delivery-jobs.ts`. Only
 * `points.redemption.expiryDue` is forwarded to its routes when it fires (`redemption-timer.ts`), and
 * `notification.delivery.due` also travels through the notifications outbox when staff retry a dead letter.
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
| \`payload\` | the fields below (\`?\` = optional) |

Ids in payloads (\`unitId\`, \`orderId\`, \`personId\`…) are strings, the same as the \`ID\`s of the graph; the
envelope \`id\` and \`requestId\` are uuids. Paths are materialized unit paths (\`1/2/5\`: the center,
汉丰街道, 迎宾社区), so "everything in a subtree" is a prefix match on \`unitPath\`.

## Events and their queues

Every event goes to \`analytics\` (the workers' own timers aside, see "Consuming from analytics"); the queues column
lists all queues that receive it.

| type | version | queues | payload | meaning |
| --- | ---: | --- | --- | --- |
${rows.join('\n')}

## Consuming from analytics

- **Queue.** \`analytics\`, a BullMQ queue on the platform's Redis (\`REDIS_URL\`) under the key prefix
  \`QUEUE_PREFIX\` (default \`{kz}\`, a Redis Cluster hash tag), so its keys are \`{kz}:analytics:*\`. Every event a
  service writes to its outbox is added to it by the outbox relay. The platform's analytics worker
  (\`apps/analytics-worker\`, one replica) drains it into the event archive and the event subscriptions of its own
  database (\`ANALYTICS_DATABASE\`): an analytics job reads its subscription there rather than competing with the
  worker for this queue's jobs.
- **Job.** Name = the event \`type\`, data = the envelope above, **job id = the event \`id\`**. Adding a job whose id
  already exists is a no-op in BullMQ, so a relay that re-sends after a crash adds nothing while the first job is
  still kept (completed jobs are kept ${duration(retention.age)} or the last ${retention.count.toLocaleString('en')},
  failed ones ${duration(failedRetention.age)}; up to ${DEFAULT_JOB_OPTIONS.attempts} attempts with exponential
  backoff from ${(DEFAULT_JOB_OPTIONS.backoff as { delay: number }).delay} ms).
- **At least once.** An event can reach the queue again after its first copy was removed (a relay crash between
  adding and marking, a job retried after the consumer's effect committed, or the relays' sweep sending again an
  event whose job it no longer finds: after Redis came back empty, or once a completed job was removed; see
  docs/reliability/README.md). Dedupe on the envelope \`id\`: write it
  with the effect, in one transaction, under a unique key (the platform's own consumers use \`handleOnce\` in
  \`libs/events/src/consumer.ts\` for this), or load into a table keyed by \`id\` with an upsert.
- **Order.** Not guaranteed. Each relay adds its service's events in commit order, but services interleave, and
  retries and concurrent workers reorder; sort by \`occurredAt\` (and compare with what you stored) where order
  matters.
- **Versioning.** \`version\` is the payload version of the type. Within a version fields may be added (ignore
  fields you do not know) but never renamed, retyped or dropped; such a change is a new version, announced in this
  catalogue. A consumer should refuse (and keep, to replay later) an event whose \`version\` is newer than it knows,
  as the platform's consumers do (\`parseEnvelope\` in \`libs/events/src/envelope.ts\`); optional fields may be absent
  in older events of the same version.
- **Workers' timers.** These are delayed jobs a worker adds to its own queue, with deterministic ids, and are not
  published through an outbox, whatever the routing table says: ${timers}.
  Of these only \`points.redemption.expiryDue\` reaches \`analytics\` (the dispatch worker forwards it to its routes
  when it fires), and
  \`notification.delivery.due\` reaches it when staff retry a dead letter (\`retryNotification\` writes it to the
  notifications outbox). Their effects reach analytics as ordinary events: \`order.escalated\`, \`order.closed\`,
  \`carePlan.visit.due\`, \`carePlan.visit.missed\`, \`points.redemption.expired\`. Each timer's due time is
  stored in the owning service's tables; the job is a cache of it that the worker rebuilds, with the same id, when
  Redis lost it.
- **Personal data.** Events carry ids, not names, mobiles or ID numbers (a care visit's \`beneficiary\` name aside),
  and never a redemption's pickup code.

A minimal consumer with BullMQ (Node):

\`\`\`ts
import { Worker } from 'bullmq';

const worker = new Worker(
  'analytics',
  async (job) => {
    const event = job.data; // the envelope; job.id === event.id
    // INSERT INTO analytics_event (id, type, version, occurred_at, unit_path, payload) VALUES (…)
    //   ON CONFLICT (id) DO NOTHING
  },
  { connection: { host: '127.0.0.1', port: 6379 }, prefix: '{kz}', concurrency: 20 },
);
\`\`\`

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

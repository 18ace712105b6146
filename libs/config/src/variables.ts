import { z } from 'zod';

/** One environment variable: how to parse it, what it is for, and whether its value may be printed. */
export interface Variable<S extends z.ZodType = z.ZodType> {
  schema: S;
  description: string;
  secret?: boolean;
}

const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);
const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);
const optionalUrl = z.url().optional();

/** Clearly marked development defaults. Production refuses to start with them (see `loadConfig`). */
export const DEV_JWT_SECRET = 'dev-only-jwt-secret-change-me-0123456789';
export const DEV_CLAIMS_SECRET = 'dev-only-claims-signing-secret-change-me';
export const DEV_PII_KEY = 'de0de0de0de0de0de0de0de0de0de0de0de0de0de0de0de0de0de0de0de0de0d';
export const DEV_WEBHOOK_SECRET = 'dev-only-notification-webhook-secret-change-me';

/** `HH:MM-HH:MM` (a window that may wrap past midnight), or `off`. */
const QUIET_HOURS_PATTERN = /^(off|([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d)$/;

function defineVariables<T extends Record<string, Variable>>(vars: T): T {
  return vars;
}

/**
 * Every environment variable the platform reads, in one place. The README's configuration table is generated
 * from this list (`npm run docs`) and a test keeps the two equal.
 */
export const variables = defineVariables({
  NODE_ENV: {
    schema: z.enum(['development', 'test', 'production']).default('development'),
    description: '`production` turns off introspection, the landing page and the dev token tool, and refuses dev secrets',
  },
  LOG_LEVEL: {
    schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    description: 'pino log level of every app',
  },
  HOST: { schema: z.string().min(1).default('0.0.0.0'), description: 'interface the HTTP servers bind to' },
  PGHOST: { schema: z.string().min(1).default('127.0.0.1'), description: 'Postgres host' },
  PGPORT: { schema: port(5432), description: 'Postgres port' },
  PGUSER: { schema: z.string().min(1).default('postgres'), description: 'Postgres user' },
  PGPASSWORD: { schema: z.string().default(''), description: 'Postgres password (empty: trust auth)', secret: true },
  PG_POOL_MAX: { schema: positiveInt(10), description: 'connections per service pool' },
  ORG_DATABASE: { schema: z.string().min(1).default('org'), description: 'database of the org subgraph' },
  VOLUNTEERS_DATABASE: {
    schema: z.string().min(1).default('volunteers'),
    description: 'database of the volunteers subgraph',
  },
  ORDERS_DATABASE: { schema: z.string().min(1).default('orders'), description: 'database of the orders subgraph' },
  POINTS_DATABASE: { schema: z.string().min(1).default('points'), description: 'database of the points subgraph' },
  NOTIFICATIONS_DATABASE: {
    schema: z.string().min(1).default('notifications'),
    description: 'database of the notifications service (its subgraph and its worker share it)',
  },
  REDIS_URL: { schema: z.url().default('redis://127.0.0.1:6379'), description: 'Redis for BullMQ queues' },
  QUEUE_PREFIX: {
    schema: z
      .string()
      .regex(/^\{[A-Za-z0-9:_-]+\}$/, 'must be a Redis Cluster hash tag such as {kz}')
      .default('{kz}'),
    description: 'BullMQ key prefix; a hash tag so that every queue key lands on one Redis Cluster slot',
  },
  WORKER_LOCK_SECONDS: {
    schema: z.coerce.number().int().min(5).max(600).default(30),
    description:
      "workers' job lock, renewed while a job runs, and their stalled-job check interval: a job whose worker died is taken over within about twice this",
  },
  GATEWAY_PORT: { schema: port(4000), description: 'gateway HTTP port (`/graphql`, `/health`, `/metrics`)' },
  GATEWAY_WORKERS: {
    schema: z
      .string()
      .regex(/^(auto|\d+)$/, 'a whole number or `auto`')
      .default('1')
      .transform((value) => (value === 'auto' ? 0 : Number(value))),
    description: 'gateway processes sharing its port (node:cluster): `1` a single process, `0` or `auto` one per CPU',
  },
  GATEWAY_QUERY_PLAN_CACHE_MIB: {
    schema: positiveInt(30),
    description: "approximate size in MiB of the gateway's query-plan cache (an LRU keyed by operation; Apollo's own default is 30)",
  },
  ORG_PORT: { schema: port(4001), description: 'org subgraph HTTP port' },
  VOLUNTEERS_PORT: { schema: port(4002), description: 'volunteers subgraph HTTP port' },
  ORDERS_PORT: { schema: port(4003), description: 'orders subgraph HTTP port' },
  POINTS_PORT: { schema: port(4004), description: 'points subgraph HTTP port' },
  NOTIFICATIONS_PORT: { schema: port(4005), description: 'notifications subgraph HTTP port' },
  DISPATCH_WORKER_PORT: { schema: port(4010), description: 'dispatch worker `/health` and `/metrics` port' },
  NOTIFICATION_WORKER_PORT: {
    schema: port(4011),
    description: 'notification worker `/health` and `/metrics` port',
  },
  OPS_DASHBOARD_PORT: {
    schema: port(4020),
    description: 'ops dashboard port (Bull Board over every queue, CENTER_ADMIN only; `/health`, `/metrics`)',
  },
  ORG_SUBGRAPH_URL: { schema: optionalUrl, description: 'overrides the org routing URL of the supergraph' },
  VOLUNTEERS_SUBGRAPH_URL: {
    schema: optionalUrl,
    description: 'overrides the volunteers routing URL of the supergraph',
  },
  ORDERS_SUBGRAPH_URL: { schema: optionalUrl, description: 'overrides the orders routing URL of the supergraph' },
  POINTS_SUBGRAPH_URL: { schema: optionalUrl, description: 'overrides the points routing URL of the supergraph' },
  NOTIFICATIONS_SUBGRAPH_URL: {
    schema: optionalUrl,
    description: 'overrides the notifications routing URL of the supergraph',
  },
  JWT_SECRET: {
    schema: z.string().min(32, 'must be at least 32 characters').default(DEV_JWT_SECRET),
    description: 'HS256 key for bearer tokens (development default; production needs its own or `JWT_PUBLIC_KEY`)',
    secret: true,
  },
  JWT_PUBLIC_KEY: {
    schema: z
      .string()
      .regex(/-----BEGIN PUBLIC KEY-----/, 'must be a PEM public key (SPKI)')
      .optional(),
    description: 'PEM public key (RS256 or ES256); when set, only tokens signed by its private key are accepted',
  },
  JWT_ISSUER: { schema: z.string().min(1).default('kz-practice'), description: 'required `iss` of bearer tokens' },
  JWT_AUDIENCE: {
    schema: z.string().min(1).default('kz-practice-graph'),
    description: 'required `aud` of bearer tokens',
  },
  JWT_PRIVATE_KEY: {
    schema: z
      .string()
      .regex(/-----BEGIN (EC |RSA )?PRIVATE KEY-----/, 'must be a PEM private key')
      .optional(),
    description: 'PEM private key the volunteers subgraph signs login tokens with (pairs with `JWT_PUBLIC_KEY`)',
    secret: true,
  },
  JWT_TTL_SECONDS: { schema: positiveInt(8 * 3600), description: 'lifetime of a login token' },
  PII_ENCRYPTION_KEY: {
    schema: z
      .string()
      .regex(/^[0-9a-fA-F]{64}$/, 'must be 32 bytes as 64 hex characters')
      .default(DEV_PII_KEY),
    description: 'key that encrypts ID numbers at rest and keys their lookup hash (development default)',
    secret: true,
  },
  LOGIN_MAX_FAILURES: { schema: positiveInt(5), description: 'failed logins in a row that lock an account' },
  LOGIN_LOCK_SECONDS: { schema: positiveInt(900), description: 'how long a locked account stays locked' },
  CLAIMS_SIGNING_SECRET: {
    schema: z.string().min(32, 'must be at least 32 characters').default(DEV_CLAIMS_SECRET),
    description: 'HMAC key shared by the gateway and subgraphs for the signed claims header',
    secret: true,
  },
  CLAIMS_MAX_AGE_SECONDS: {
    schema: positiveInt(30),
    description: 'how old a signed claims header may be before a subgraph refuses it (replay window)',
  },
  MAX_QUERY_DEPTH: { schema: positiveInt(12), description: 'deepest selection the gateway accepts' },
  MAX_QUERY_COST: {
    schema: positiveInt(25000),
    description: 'highest estimated cost the gateway accepts (each field 1, list fields multiply)',
  },
  DEFAULT_LIST_SIZE: {
    schema: positiveInt(20),
    description: 'the size the cost estimate assumes for a list field without `first`',
  },
  MAX_ALIASES: { schema: positiveInt(50), description: 'most aliased fields in one operation' },
  MAX_BODY_BYTES: { schema: positiveInt(100_000), description: 'largest request body accepted by any app' },
  GATEWAY_RATE_LIMIT_PER_MINUTE: {
    schema: z.coerce.number().int().min(0).default(600),
    description:
      'GraphQL requests the gateway accepts per caller (token subject, or IP when anonymous) per minute, counted in Redis; `0` turns the limit off. Fails open if Redis is down',
  },
  AUTO_DISPATCH: {
    schema: z.enum(['true', 'false']).default('true').transform((value) => value === 'true'),
    description: 'the dispatch worker routes new orders to the nearest station itself (`false`: the dispatcher does)',
  },
  ORDER_ACCEPT_MINUTES: { schema: positiveInt(240), description: 'time a station has to accept a dispatched order (NORMAL urgency)' },
  ORDER_DELIVER_MINUTES: { schema: positiveInt(4320), description: 'time to deliver an accepted order (NORMAL urgency)' },
  ORDER_EVALUATE_MINUTES: {
    schema: positiveInt(10080),
    description: 'time the requester has to evaluate a delivered order before it closes by itself',
  },
  ORDER_TIMER_SCALE: {
    schema: z.coerce.number().positive().max(1).default(1),
    description:
      'multiplies every order deadline and timer (accept, deliver, evaluate, care-visit check) in the orders subgraph and the dispatch worker; tests set 0.001 so a minute lasts 60 ms',
  },
  OUTBOX_POLL_MS: { schema: positiveInt(200), description: 'how often the outbox relay looks for new events' },
  OUTBOX_BATCH_SIZE: { schema: positiveInt(200), description: 'events the outbox relay moves per round' },
  REDEMPTION_HOLD_SECONDS: {
    schema: positiveInt(3 * 24 * 3600),
    description: 'how long a redemption holds its points and stock for pickup before it expires (default 3 days)',
  },
  NOTIFICATION_WEBHOOK_URL: {
    schema: optionalUrl,
    description:
      'the SMS / WeChat template-message gateway the notification worker POSTs outbound messages to (unset: outbound messages are only logged, by the console channel)',
  },
  NOTIFICATION_WEBHOOK_SECRET: {
    schema: z.string().min(32, 'must be at least 32 characters').default(DEV_WEBHOOK_SECRET),
    description: 'HMAC key that signs each webhook body (`x-kz-signature: sha256=…`) (development default)',
    secret: true,
  },
  NOTIFICATION_WEBHOOK_TIMEOUT_MS: {
    schema: positiveInt(5000),
    description: 'how long the webhook may take to answer before the send counts as a transient failure',
  },
  NOTIFICATION_RATE_PER_HOUR: {
    schema: positiveInt(20),
    description: 'outbound messages per recipient and channel per hour; more wait for the next hour, none is dropped',
  },
  QUIET_HOURS: {
    schema: z.string().regex(QUIET_HOURS_PATTERN, 'must be HH:MM-HH:MM (24 h, Asia/Shanghai) or off').default('22:00-07:00'),
    description: 'Asia/Shanghai time in which non-urgent outbound messages wait for the end (`off`: none); the inbox is written at once',
  },
});

export type Variables = typeof variables;
export type Config = { [K in keyof Variables]: z.output<Variables[K]['schema']> };

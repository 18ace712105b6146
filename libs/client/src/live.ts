import { Client as WsClient, createClient as createWsClient } from 'graphql-ws/client';
import { documentIdOf, GraphQLErrorEntry, operationNameOf, TypedDocument } from './client';

/**
 * Live updates (docs/api.md, "Live updates"): a graphql-ws client of the gateway's `ws://…/graphql` that signs in with
 * the token in `connection_init`, sends the generated subscription documents (by id when `persisted`), and resumes
 * after a reconnect from the last change received (it keeps `after` at the last `cursor`).
 *
 * WeChat mini-programs have no `WebSocket` class: give `webSocketImpl` a small class over `wx.connectSocket` (its
 * `SocketTask` has `send`, `close`, `onOpen`, `onMessage`, `onClose`, `onError`; request the `graphql-transport-ws`
 * protocol with `protocols`) — docs/api.md shows one. Add the gateway's `wss://` domain to the mini-program's
 * "socket 合法域名" list.
 */
export interface LiveClientOptions {
  /** The gateway's live endpoint, e.g. `ws://localhost:4000/graphql` (`wss://` in production). */
  url: string;
  /** Bearer token, or a function returning the current one (called on every (re)connect). */
  token: string | (() => string | Promise<string>);
  /** `zh-CN` for Chinese texts and messages. */
  locale?: string;
  /** Send documents by their persisted id (required when the gateway runs `TRUSTED_DOCUMENTS=enforce`). */
  persisted?: boolean;
  /** A WebSocket class where there is no global one (Node < 22: `ws`; mini-programs: over `wx.connectSocket`). */
  webSocketImpl?: unknown;
  /** Reconnect attempts after a dropped connection (graphql-ws's `retryAttempts`; default 5). */
  retryAttempts?: number;
  /** Called when the gateway closes the socket (code 4401: sign in again; 4429: too many connections). */
  onClosed?: (code: number, reason: string) => void;
}

export interface LiveSink<TResult> {
  next(data: TResult): void;
  /** A refusal (`extensions.code`: FORBIDDEN, RATE_LIMITED…) or a closed connection. */
  error?(errors: GraphQLErrorEntry[] | Error | CloseEventLike): void;
  complete?(): void;
}

export interface CloseEventLike {
  code: number;
  reason: string;
}

export interface LiveClient {
  /** Starts a subscription; returns the function that stops it. */
  subscribe<TResult, TVariables extends Record<string, unknown>>(
    document: TypedDocument<TResult, TVariables>,
    variables: TVariables,
    sink: LiveSink<TResult>,
  ): () => void;
  /** Closes the connection (every subscription ends). */
  dispose(): Promise<void>;
  readonly ws: WsClient;
}

/** Codes the gateway closes a live socket with (besides graphql-ws's own 44xx). */
export const LIVE_CLOSE_CODES = { UNAUTHENTICATED: 4401, TOO_MANY_SOCKETS: 4429, GOING_AWAY: 1001 } as const;

function cursorOf(data: unknown): string | undefined {
  if (!data || typeof data !== 'object') return undefined;
  const [change] = Object.values(data as Record<string, unknown>);
  const cursor = change && typeof change === 'object' ? (change as { cursor?: unknown }).cursor : undefined;
  return typeof cursor === 'string' ? cursor : undefined;
}

export function createLiveClient(options: LiveClientOptions): LiveClient {
  const ws = createWsClient({
    url: options.url,
    webSocketImpl: options.webSocketImpl,
    retryAttempts: options.retryAttempts ?? 5,
    lazy: true,
    connectionParams: async () => {
      const token = typeof options.token === 'function' ? await options.token() : options.token;
      return { authorization: `Bearer ${token}`, ...(options.locale ? { locale: options.locale } : {}) };
    },
    // A token the gateway refused will not get better by retrying.
    shouldRetry: (event) => !(event && typeof event === 'object' && 'code' in event && (event.code === 4401 || event.code === 4429)),
    on: {
      closed: (event) => {
        const close = event as CloseEventLike | undefined;
        if (close && typeof close.code === 'number') options.onClosed?.(close.code, String(close.reason ?? ''));
      },
    },
  });
  return {
    ws,
    subscribe<TResult, TVariables extends Record<string, unknown>>(document: TypedDocument<TResult, TVariables>, variables: TVariables, sink: LiveSink<TResult>) {
      const text = document.toString();
      const documentId = options.persisted ? documentIdOf(document) : undefined;
      // graphql-ws sends this same payload again after a reconnect: keeping `after` at the last cursor resumes there.
      const payload: { query: string; operationName?: string; variables: Record<string, unknown>; documentId?: string } = {
        query: documentId ? '' : text,
        variables: { ...variables },
      };
      const operationName = operationNameOf(text);
      if (operationName) payload.operationName = operationName;
      if (documentId) payload.documentId = documentId;
      return ws.subscribe(payload, {
        next: (result) => {
          if (result.errors?.length) return sink.error?.(result.errors as GraphQLErrorEntry[]);
          const cursor = cursorOf(result.data);
          if (cursor) payload.variables.after = cursor;
          if (result.data) sink.next(result.data as TResult);
        },
        error: (error) => sink.error?.(error as GraphQLErrorEntry[] | Error | CloseEventLike),
        complete: () => sink.complete?.(),
      });
    },
    dispose: async () => {
      await ws.dispose();
    },
  };
}

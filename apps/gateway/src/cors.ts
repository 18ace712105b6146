import type { IncomingMessage, ServerResponse } from 'node:http';
import { Config, DEVELOPMENT_ORIGINS, originAllowed, OriginPattern, parseOriginList } from '@kz/config';
import { DomainError, pickLocale } from '@kz/errors';
import { sendError } from '@kz/http';

/** The methods a page may use on `/graphql`: queries by GET (documents by id), everything by POST. */
export const CORS_METHODS = ['GET', 'POST'] as const;

/**
 * The request headers a page may send: what `@kz/client` sends (`libs/client/src/client.ts`), what the gateway reads
 * (`authorization`, `accept-language`, `x-request-id`, the client identity) and Apollo Server's CSRF headers, which a
 * GET by `documentId` needs. A header outside this list makes the browser refuse the request before it is sent.
 */
export const CORS_REQUEST_HEADERS = [
  'authorization',
  'content-type',
  'accept',
  'accept-language',
  'x-request-id',
  'apollographql-client-name',
  'apollographql-client-version',
  'apollo-require-preflight',
  'x-apollo-operation-name',
] as const;

/** Response headers a page may read besides the safelisted ones: the request id to quote, when to retry after 429. */
export const CORS_EXPOSED_HEADERS = ['x-request-id', 'retry-after'] as const;

/** How long a browser may reuse a preflight's answer: 2 hours, Chromium's own ceiling. */
export const CORS_MAX_AGE_SECONDS = 7200;

/** `CORS_ORIGINS`, or its default: none in production (every origin is listed there), pages on this machine otherwise. */
export function corsOrigins(config: Pick<Config, 'CORS_ORIGINS' | 'NODE_ENV'>): OriginPattern[] {
  return config.CORS_ORIGINS ?? (config.NODE_ENV === 'production' ? [] : parseOriginList(DEVELOPMENT_ORIGINS));
}

/**
 * CORS for `/graphql`, as the HTTP server's interceptor: it runs before anything else, so the headers it sets are on
 * every answer, refusals before GraphQL (401, 413, 429) included, where a page needs them to read the code.
 *
 * - A page whose origin is listed gets `Access-Control-Allow-Origin: <its origin>` (never `*`), and may read
 *   `x-request-id` and `retry-after`. Its preflight is answered 204 with the methods, headers and max age.
 * - Any other origin gets no CORS header, so its browser keeps the answer from the page. Its preflight is answered
 *   403 with a coded error (`FORBIDDEN`, `reason: "originNotAllowed"`): the browser only needs the missing header,
 *   the body tells a developer looking at the network panel, or at curl, why.
 * - Never `Access-Control-Allow-Credentials`: the graph takes bearer tokens, not cookies, so a page must hold a token
 *   to act for anyone, whatever its origin.
 * - Requests without `Origin` (servers, mini-programs, curl) are not CORS and pass untouched.
 */
export function corsInterceptor(patterns: readonly OriginPattern[], path = '/graphql') {
  return (req: IncomingMessage, res: ServerResponse): string | undefined => {
    if (new URL(req.url ?? '/', 'http://localhost').pathname !== path) return undefined;
    // The answer depends on the origin (its CORS headers), so no cache may hand it to another origin.
    res.setHeader('vary', 'Origin');
    const origin = req.headers.origin;
    const preflight = req.method === 'OPTIONS' && origin !== undefined && req.headers['access-control-request-method'] !== undefined;
    if (origin === undefined || !originAllowed(patterns, origin)) {
      if (!preflight) return undefined;
      const refusal = new DomainError('FORBIDDEN', 'cors.originNotAllowed', { reason: 'originNotAllowed', origin: origin.slice(0, 200) });
      sendError(res, 403, refusal, pickLocale(req.headers['accept-language']));
      return 'preflight';
    }
    res.setHeader('access-control-allow-origin', origin);
    if (preflight) {
      res.writeHead(204, {
        'access-control-allow-methods': CORS_METHODS.join(', '),
        'access-control-allow-headers': CORS_REQUEST_HEADERS.join(', '),
        'access-control-max-age': String(CORS_MAX_AGE_SECONDS),
      });
      res.end();
      return 'preflight';
    }
    res.setHeader('access-control-expose-headers', CORS_EXPOSED_HEADERS.join(', '));
    return undefined;
  };
}

import type { ServerResponse } from 'node:http';
import { DomainError, Locale } from '@kz/errors';

/** Writes a GraphQL-shaped error body for failures that happen before GraphQL runs (size, signature, JSON). */
export function sendError(res: ServerResponse, status: number, error: DomainError, locale: Locale): void {
  const body = JSON.stringify({
    errors: [{ message: error.localizedMessage(locale), extensions: { code: error.code, ...error.extensions } }],
  });
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

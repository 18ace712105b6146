import type { ErrorCode as DomainErrorCode } from '@kz/errors';

/**
 * The platform's domain codes (`ErrorCode` of `libs/errors`). Only the type comes from there (erased at build time,
 * so no server code reaches a browser bundle); `satisfies` makes the compiler fail here when a code is added to or
 * removed from `libs/errors` and not from this list.
 */
const DOMAIN_CODES = {
  UNAUTHENTICATED: true,
  FORBIDDEN: true,
  BAD_USER_INPUT: true,
  NOT_FOUND: true,
  CONFLICT: true,
  INVALID_TRANSITION: true,
  INSUFFICIENT_POINTS: true,
  OUT_OF_STOCK: true,
  QUERY_TOO_COMPLEX: true,
  PAYLOAD_TOO_LARGE: true,
  RATE_LIMITED: true,
  SERVICE_UNAVAILABLE: true,
  INTERNAL_SERVER_ERROR: true,
  PERSISTED_DOCUMENT_NOT_FOUND: true,
  PERSISTED_DOCUMENT_REQUIRED: true,
} as const satisfies Record<DomainErrorCode, true>;

/** Codes Apollo Server itself sends before the platform's code runs (a malformed or unknown document). */
const SERVER_CODES = {
  GRAPHQL_PARSE_FAILED: true,
  GRAPHQL_VALIDATION_FAILED: true,
  BAD_REQUEST: true,
  PERSISTED_QUERY_NOT_FOUND: true,
  PERSISTED_QUERY_NOT_SUPPORTED: true,
  OPERATION_RESOLUTION_FAILURE: true,
} as const;

/** Every `extensions.code` the gateway answers with (docs/api.md, "Errors"). */
export type ErrorCode = DomainErrorCode | keyof typeof SERVER_CODES;

export const ERROR_CODES: readonly ErrorCode[] = [...Object.keys(DOMAIN_CODES), ...Object.keys(SERVER_CODES)] as ErrorCode[];

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (Object.hasOwn(DOMAIN_CODES, value) || Object.hasOwn(SERVER_CODES, value));
}

/** The code of an answer without a GraphQL error in it (a proxy's error page, a dropped connection), by HTTP status. */
export function codeOfStatus(status: number): ErrorCode {
  if (status === 400) return 'BAD_REQUEST';
  if (status === 401) return 'UNAUTHENTICATED';
  if (status === 403) return 'FORBIDDEN';
  if (status === 413) return 'PAYLOAD_TOO_LARGE';
  if (status === 429) return 'RATE_LIMITED';
  if (status === 0 || status === 502 || status === 503 || status === 504) return 'SERVICE_UNAVAILABLE';
  return 'INTERNAL_SERVER_ERROR';
}

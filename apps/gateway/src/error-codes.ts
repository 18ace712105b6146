import type { GraphQLFormattedError } from 'graphql';
import { ApolloServerErrorCode } from '@apollo/server/errors';
import { ErrorCode, translate } from '@kz/errors';
import { currentRequestScope, Logger } from '@kz/telemetry';

/**
 * The platform's own codes (`ErrorCode` in libs/errors), which the gateway and every subgraph send. Keyed by the
 * union, so a new code there does not compile until it is added here, and then docs/api.md must list it.
 */
const PLATFORM_CODES: Record<ErrorCode, true> = {
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
};

/**
 * Apollo Server's own codes that reach clients: requests it cannot read, documents that do not parse, validate or name
 * their operation, variables that do not fit their types, and an `extensions.persistedQuery` hash the trusted-documents
 * registry does not hold (automatic persisted queries are off, so Apollo answers PERSISTED_QUERY_NOT_SUPPORTED and never
 * PERSISTED_QUERY_NOT_FOUND).
 */
const APOLLO_CODES = [
  ApolloServerErrorCode.BAD_REQUEST,
  ApolloServerErrorCode.GRAPHQL_PARSE_FAILED,
  ApolloServerErrorCode.GRAPHQL_VALIDATION_FAILED,
  ApolloServerErrorCode.OPERATION_RESOLUTION_FAILURE,
  ApolloServerErrorCode.BAD_USER_INPUT,
  ApolloServerErrorCode.PERSISTED_QUERY_NOT_SUPPORTED,
  ApolloServerErrorCode.INTERNAL_SERVER_ERROR,
];

/** Every `extensions.code` a client can receive from the platform; the error table of docs/api.md lists exactly these. */
export const CLIENT_ERROR_CODES: readonly string[] = [...new Set<string>([...Object.keys(PLATFORM_CODES), ...APOLLO_CODES])].sort();

const known = new Set(CLIENT_ERROR_CODES);

/**
 * Apollo's `formatError` for the gateway: an error whose code is outside the contract (the query planner's
 * INVALID_GRAPHQL, a subgraph's surprise) is logged and reaches the client as INTERNAL_SERVER_ERROR with the
 * request id, so clients only ever see the codes the API guide documents.
 */
export function contractErrorFormatter(log: Logger): (formatted: GraphQLFormattedError) => GraphQLFormattedError {
  return (formatted) => {
    const code = formatted.extensions?.code;
    if (typeof code === 'string' && known.has(code)) return formatted;
    log.error({ error: formatted }, 'an error with a code outside the contract; sent as INTERNAL_SERVER_ERROR');
    const requestId = currentRequestScope()?.requestId;
    return {
      message: translate('internal', {}, 'en'),
      ...(formatted.path ? { path: formatted.path } : {}),
      extensions: { code: 'INTERNAL_SERVER_ERROR', ...(requestId ? { requestId } : {}) },
    };
  };
}

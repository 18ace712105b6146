import { GraphQLError, GraphQLFieldResolver, GraphQLScalarType } from 'graphql';
import type { GraphQLResolverMap } from '@apollo/subgraph';
import { DomainError, Locale, translate } from '@kz/errors';
import type { SubgraphContext } from './context';

/**
 * The single place where failures become GraphQL errors: a domain error keeps its code and params and gets its
 * message in the caller's language; a database out of reach is SERVICE_UNAVAILABLE (try again); anything unexpected
 * is logged with the request id and shown as a generic INTERNAL_SERVER_ERROR, so stack traces, SQL and personal data
 * never reach a client.
 */
export function toGraphQLError(error: unknown, context: Pick<SubgraphContext, 'locale' | 'log' | 'requestId'>): GraphQLError {
  if (error instanceof GraphQLError) return error;
  if (error instanceof DomainError) {
    return new GraphQLError(error.localizedMessage(context.locale), {
      extensions: { code: error.code, ...error.extensions },
      originalError: error,
    });
  }
  if (isDatabaseUnavailable(error)) {
    // Postgres restarting or out of reach: the caller may retry; the pool reconnects by itself.
    context.log.warn({ err: loggable(error), requestId: context.requestId }, 'database unavailable');
    return new GraphQLError(translate('service.databaseUnavailable', {}, context.locale), {
      extensions: { code: 'SERVICE_UNAVAILABLE', ...(context.requestId ? { requestId: context.requestId } : {}) },
    });
  }
  context.log.error({ err: loggable(error), requestId: context.requestId }, 'unexpected error in resolver');
  return internalError(context.locale, context.requestId);
}

/** SQLSTATEs of a lost or refused connection: class 08, and 57P01–57P03 (shut down, crashed, still starting). */
const UNAVAILABLE_CODES = new Set(['57P01', '57P02', '57P03', 'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT']);
const UNAVAILABLE_MESSAGES = /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Connection is not established/i;

/** True when a failure means the database cannot be reached right now (as opposed to a bug or a broken rule). */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const driver = ((error as { driverError?: unknown }).driverError ?? error) as { code?: unknown; message?: unknown };
  const code = typeof driver.code === 'string' ? driver.code : '';
  if (code.startsWith('08') || UNAVAILABLE_CODES.has(code)) return true;
  return UNAVAILABLE_MESSAGES.test(typeof driver.message === 'string' ? driver.message : error.message);
}

/**
 * What of an unexpected error goes to the log: its name, message, code and stack, never the SQL parameters or the
 * driver's detail line, which can hold personal data ("Key (mobile)=(139…) already exists").
 */
export function loggable(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { message: String(error) };
  const { code, constraint } = ((error as { driverError?: object }).driverError ?? error) as { code?: string; constraint?: string };
  return { name: error.name, message: error.message, code, constraint, stack: error.stack };
}

export function internalError(locale: Locale, requestId?: string): GraphQLError {
  return new GraphQLError(translate('internal', {}, locale), {
    extensions: { code: 'INTERNAL_SERVER_ERROR', ...(requestId ? { requestId } : {}) },
  });
}

type AnyResolver = GraphQLFieldResolver<unknown, SubgraphContext>;
type ReferenceResolver = (reference: unknown, context: SubgraphContext, info: unknown) => unknown;

function wrap(resolve: AnyResolver): AnyResolver {
  return async (source, args, context, info) => {
    try {
      return await resolve(source, args, context, info);
    } catch (error) {
      throw toGraphQLError(error, context);
    }
  };
}

/** @apollo/subgraph calls `__resolveReference` as `(reference, context, info)`, not like a field resolver. */
function wrapReference(resolve: ReferenceResolver): ReferenceResolver {
  return async (reference, context, info) => {
    try {
      return await resolve(reference, context, info);
    } catch (error) {
      throw toGraphQLError(error, context);
    }
  };
}

/** Applies `toGraphQLError` to every resolver of a map, `__resolveReference` included. */
export function withErrorMapping<T extends GraphQLResolverMap<never>>(resolvers: T): T {
  const wrapped: Record<string, unknown> = {};
  for (const [typeName, fields] of Object.entries(resolvers)) {
    if (fields instanceof GraphQLScalarType) {
      wrapped[typeName] = fields;
      continue;
    }
    const out: Record<string, unknown> = {};
    for (const [fieldName, field] of Object.entries(fields as Record<string, unknown>)) {
      if (fieldName === '__resolveReference' && typeof field === 'function') out[fieldName] = wrapReference(field as ReferenceResolver);
      else if (typeof field === 'function') out[fieldName] = wrap(field as AnyResolver);
      else if (field && typeof field === 'object' && 'resolve' in field && typeof field.resolve === 'function') {
        out[fieldName] = { ...field, resolve: wrap(field.resolve as AnyResolver) };
      } else out[fieldName] = field;
    }
    wrapped[typeName] = out;
  }
  return wrapped as T;
}

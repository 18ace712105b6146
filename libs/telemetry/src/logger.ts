import pino, { DestinationStream, Logger } from 'pino';
import { currentRequestScope } from './request-scope';
import { currentTraceIds } from './tracing';

export type { Logger } from 'pino';

/** Field paths that must never reach a log line, whatever object is logged. */
const REDACTED = [
  'password',
  '*.password',
  'newPassword',
  '*.newPassword',
  'token',
  '*.token',
  'idNumber',
  '*.idNumber',
  'authorization',
  'headers.authorization',
  'req.headers.authorization',
  'headers["x-kz-claims"]',
  'headers["x-kz-signature"]',
  'secret',
  '*.secret',
];

/**
 * Adds the request id of the request (or job) being served to every line logged inside its scope, unless the logger
 * is already a child bound to one: a resolver, a relay round or a job handler logging through the app's logger still
 * says which request it belongs to. The client address in scope (the gateway sets it) goes on every line as `client`.
 */
function requestIdMixin(_merge: object, _level: number, logger: Logger): object {
  const scope = currentRequestScope();
  // With tracing on, the active span's ids too (`trace_id`, `span_id`): a log line leads to its trace.
  const ids = currentTraceIds();
  if (!scope) return ids;
  const client = scope.clientAddress === undefined ? {} : { client: scope.clientAddress };
  if ('requestId' in logger.bindings()) return { ...client, ...ids };
  return { requestId: scope.requestId, ...client, ...ids };
}

/** Structured JSON logs, one logger per app, tagged with the app's name and the request id in scope. */
export function createLogger(service: string, level = 'info', destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { service },
    redact: { paths: REDACTED, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
    mixin: requestIdMixin,
  };
  return destination ? pino(options, destination) : pino(options);
}

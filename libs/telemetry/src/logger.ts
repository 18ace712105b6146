import pino, { DestinationStream, Logger } from 'pino';

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

/** Structured JSON logs, one logger per app, tagged with the app's name. */
export function createLogger(service: string, level = 'info', destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { service },
    redact: { paths: REDACTED, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return destination ? pino(options, destination) : pino(options);
}

export { pickLocale } from './locale';
export type { Locale } from './locale';
export { messages, translate } from './messages';
export type { MessageKey } from './messages';
export {
  DomainError,
  Unauthenticated,
  Forbidden,
  NotFound,
  BadUserInput,
  Conflict,
  InvalidTransition,
  QueryTooComplex,
  PayloadTooLarge,
  RateLimited,
  PersistedDocumentNotFound,
  PersistedDocumentRequired,
  ServiceUnavailable,
  assertUnreachable,
} from './domain-error';
export type { ErrorCode, InputProblem } from './domain-error';

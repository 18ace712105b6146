import type { Locale } from './locale';
import { MessageKey, translate } from './messages';

/** The codes clients see in `extensions.code`. */
export type ErrorCode =
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'BAD_USER_INPUT'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'INVALID_TRANSITION'
  | 'INSUFFICIENT_POINTS'
  | 'OUT_OF_STOCK'
  | 'QUERY_TOO_COMPLEX'
  | 'PAYLOAD_TOO_LARGE'
  | 'RATE_LIMITED'
  | 'PERSISTED_DOCUMENT_NOT_FOUND'
  | 'PERSISTED_DOCUMENT_REQUIRED'
  | 'SERVICE_UNAVAILABLE'
  | 'INTERNAL_SERVER_ERROR';

type Params = Record<string, string | number | undefined>;

/**
 * A failure the caller can act on. Services throw these; one function at the API edge turns them into GraphQL
 * errors with a code, a translated message and the params as extensions.
 */
export class DomainError<C extends ErrorCode = ErrorCode> extends Error {
  constructor(
    readonly code: C,
    readonly messageKey: MessageKey,
    readonly params: Params = {},
  ) {
    super(translate(messageKey, params, 'en'));
    this.name = new.target.name;
  }

  localizedMessage(locale: Locale): string {
    return translate(this.messageKey, this.params, locale);
  }

  /** Params that clients may read. Chinese-only helper params (suffix `Zh`) stay out. */
  get extensions(): Record<string, string | number> {
    const out: Record<string, string | number> = {};
    for (const [key, value] of Object.entries(this.params)) {
      if (value !== undefined && !key.endsWith('Zh')) out[key] = value;
    }
    return out;
  }
}

export class Unauthenticated extends DomainError<'UNAUTHENTICATED'> {
  constructor(
    reason: 'required' | 'invalidToken' | 'expiredToken' | 'gatewayOnly' | 'invalidCredentials' | 'accountLocked' | 'accountClosed' = 'required',
    params: Record<string, number> = {},
  ) {
    super('UNAUTHENTICATED', `auth.${reason}`, { reason, ...params });
  }
}

/** Deliberately says nothing about whether the record exists outside the caller's scope. */
export class Forbidden extends DomainError<'FORBIDDEN'> {
  constructor() {
    super('FORBIDDEN', 'forbidden');
  }
}

export class NotFound extends DomainError<'NOT_FOUND'> {
  constructor(entity: string, id: string, entityZh?: string) {
    super('NOT_FOUND', 'notFound', { entity, id, entityZh });
  }
}

export type InputProblem =
  | { key: 'input.required' }
  | { key: 'input.tooLong'; max: number }
  | { key: 'input.outOfRange'; min: number; max: number }
  | { key: 'input.invalidFormat' }
  | { key: 'input.controlCharacter'; character: string }
  | { key: 'input.invisibleCharacter'; character: string }
  | { key: 'input.lineBreak'; character: string }
  | { key: 'input.invalid'; detail?: string }
  | { key: 'input.unknownReference'; entity: string; entityZh?: string; id: string }
  | { key: 'input.cursor' }
  | { key: 'media.unsupportedType' }
  | { key: 'media.oneFile' }
  | { key: 'media.uploadId' }
  | { key: 'input.weakPassword' }
  | { key: 'input.inFuture' }
  | { key: 'points.amount'; min: number; max: number }
  | { key: 'points.adjustment'; max: number }
  | { key: 'points.dailyLimit'; limit: number; remaining: number }
  | { key: 'points.selfTransfer' }
  | { key: 'points.oneReceiver' }
  | { key: 'points.cardNumber' }
  | { key: 'points.idempotencyKey'; min: number; max: number }
  | { key: 'input.inPast' }
  | { key: 'certificate.invalidUscc' }
  | { key: 'certificate.notTheVolunteersRecord'; id: string }
  | { key: 'certificate.notOrganizedByUnit'; id: string }
  | { key: 'certificate.notVerified'; id: string }
  | { key: 'certificate.otherVolunteer' }
  | { key: 'certificate.legalMissing' }
  | { key: 'figures.rangeInverted'; from: string; to: string }
  | { key: 'figures.rangeTooLong'; from: string; to: string; days: number; max: number }
  | { key: 'org.cycle' }
  | { key: 'org.levelParent'; level: string; parentLevel: string; actual: string; levelZh: string; parentLevelZh: string; actualZh: string }
  | { key: 'org.levelRoot' }
  | { key: 'org.hasChildren' }
  | { key: 'org.demonstrationLevel'; level: string; levelZh: string }
  | { key: 'org.teamParent'; kind: string; parentKind: string; kindZh: string; parentKindZh: string }
  | { key: 'activity.endsBeforeStart' }
  | { key: 'activity.capacityBelowTaken'; taken: number }
  | { key: 'activity.notSignedUp' }
  | { key: 'activity.tooFar'; distance: number; radius: number; action: string; actionZh: string }
  | { key: 'order.notStation'; id: string; level: string }
  | { key: 'order.notAssignee'; id: string }
  | { key: 'order.listedTwice'; id: string }
  | { key: 'order.notVisitOfPlan'; id: string }
  | { key: 'notifications.idsOrAll'; max: number }
  | { key: 'notifications.unknownKind'; kind: string }
  | { key: 'wechat.invalidTicket' }
  | { key: 'person.documentNumber'; documentType: string; documentTypeZh: string; rule: string; ruleZh: string }
  | { key: 'person.documentMismatch'; what: string; whatZh: string; fromNumber: string }
  | { key: 'volunteer.consentRequired'; age: number; needed: string; neededZh: string }
  | { key: 'consent.paperReference' }
  | { key: 'record.sameMinutes'; minutes: number }
  | { key: 'account.confirm' }
  | { key: 'exchange.rangeOrder' }
  | { key: 'recognition.proofRequired' }
  | { key: 'recognition.notEligible'; level: number; neededHours: number; verifiedHours: number; eligibleLevel: number }
  | { key: 'recognition.thresholdsRising' }
  | { key: 'recognition.recordRejected' }

/** Bad input, always naming the field (as a path into the mutation's arguments, e.g. `input.name`). */
export class BadUserInput extends DomainError<'BAD_USER_INPUT'> {
  constructor(
    readonly field: string,
    problem: InputProblem,
  ) {
    const { key, ...params } = problem;
    super('BAD_USER_INPUT', key, { field, ...params });
  }
}

export class Conflict extends DomainError<'CONFLICT'> {
  constructor(field: string, value: string, key: MessageKey = 'conflict') {
    super('CONFLICT', key, { field, value });
  }
}

export class InvalidTransition extends DomainError<'INVALID_TRANSITION'> {
  /** `to` names the state the event would have led to, when there is one. */
  constructor(params: {
    entity: string;
    from: string;
    event: string;
    to?: string;
    entityZh?: string;
    fromZh?: string;
    eventZh?: string;
    toZh?: string;
  }) {
    super('INVALID_TRANSITION', 'invalidTransition', params);
  }
}

export class QueryTooComplex extends DomainError<'QUERY_TOO_COMPLEX'> {
  constructor(limit: 'depth' | 'cost' | 'aliases', actual: number, max: number) {
    super('QUERY_TOO_COMPLEX', `limit.${limit}`, { limit, actual, max });
  }
}

export class PayloadTooLarge extends DomainError<'PAYLOAD_TOO_LARGE'> {
  constructor(max: number) {
    super('PAYLOAD_TOO_LARGE', 'limit.body', { max });
  }
}

/** Too many requests from one caller in the current window; `retryAfterSeconds` is also sent as `Retry-After`. */
export class RateLimited extends DomainError<'RATE_LIMITED'> {
  constructor(limit: number, retryAfterSeconds: number) {
    super('RATE_LIMITED', 'limit.rate', { limit, retryAfterSeconds });
  }
}

/** A document id (`documentId`, or Apollo's `extensions.persistedQuery.sha256Hash`) the gateway has no document for. */
export class PersistedDocumentNotFound extends DomainError<'PERSISTED_DOCUMENT_NOT_FOUND'> {
  constructor(documentId: string) {
    super('PERSISTED_DOCUMENT_NOT_FOUND', 'documents.notFound', { documentId });
  }
}

/** Free text that is not a registered document, sent to a gateway with `TRUSTED_DOCUMENTS=enforce`. */
export class PersistedDocumentRequired extends DomainError<'PERSISTED_DOCUMENT_REQUIRED'> {
  constructor() {
    super('PERSISTED_DOCUMENT_REQUIRED', 'documents.required');
  }
}

/** A service the platform depends on (WeChat, say) cannot answer now; the caller may try again shortly. */
export class ServiceUnavailable extends DomainError<'SERVICE_UNAVAILABLE'> {
  constructor(key: MessageKey = 'service.unavailable', params: Params = {}) {
    super('SERVICE_UNAVAILABLE', key, params);
  }
}

/** For exhaustive switches over unions: the compiler proves this line unreachable. */
export function assertUnreachable(value: never): never {
  throw new Error(`unreachable: ${JSON.stringify(value)}`);
}

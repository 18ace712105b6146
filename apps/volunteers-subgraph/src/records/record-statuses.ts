import type { Role } from '@kz/auth';

export const RECORD_STATUSES = ['PENDING', 'VERIFIED', 'REJECTED'] as const;
export type RecordStatus = (typeof RECORD_STATUSES)[number];

export type RecordSource = 'CHECK_OUT' | 'OFFLINE' | 'ORDER';
export type RecordAction = 'CREATED' | 'VERIFIED' | 'REJECTED' | 'CORRECTED' | 'CORRECTION_REQUESTED' | 'CORRECTION_DECLINED';
export type RecordEvent = 'verify' | 'reject' | 'correct' | 'requestCorrection';

/** Who verifies, rejects and corrects hours, and records offline service: admins, each in their subtree. */
export const RECORD_ADMINS: Role[] = ['STATION_ADMIN', 'INSTITUTE_ADMIN', 'CENTER_ADMIN'];

/** Staff who read the records of their subtree. */
export const RECORD_READERS: Role[] = ['STATION_ADMIN', 'INSTITUTE_ADMIN', 'CENTER_ADMIN', 'ANALYST', 'GRID_WORKER'];

/**
 * The life of a service record, as data: from → event → to, with the roles allowed. A correction keeps the status
 * (a verified record stays verified with other minutes); a rejected record is final.
 */
export const RECORD_TRANSITIONS: readonly { from: RecordStatus; event: RecordEvent; to: RecordStatus; roles: Role[] }[] = [
  { from: 'PENDING', event: 'verify', to: 'VERIFIED', roles: RECORD_ADMINS },
  { from: 'PENDING', event: 'reject', to: 'REJECTED', roles: RECORD_ADMINS },
  { from: 'PENDING', event: 'correct', to: 'PENDING', roles: RECORD_ADMINS },
  { from: 'VERIFIED', event: 'correct', to: 'VERIFIED', roles: RECORD_ADMINS },
  // 办法 Art. 13: the volunteer disputes their own verified record; its status stays until staff decide.
  { from: 'VERIFIED', event: 'requestCorrection', to: 'VERIFIED', roles: ['VOLUNTEER'] },
];

/** The status `event` leads to from `from`, or null when the move is not allowed. */
export function nextStatus(from: RecordStatus, event: RecordEvent): RecordStatus | null {
  return RECORD_TRANSITIONS.find((transition) => transition.from === from && transition.event === event)?.to ?? null;
}

/** The one status an event always leads to (verify → VERIFIED), or null when it depends on the source (correct). */
export function targetOf(event: RecordEvent): RecordStatus | null {
  const targets = new Set(RECORD_TRANSITIONS.filter((transition) => transition.event === event).map((transition) => transition.to));
  return targets.size === 1 ? [...targets][0]! : null;
}

export const STATUS_ZH: Record<RecordStatus, string> = { PENDING: '待审核', VERIFIED: '已审核', REJECTED: '已驳回' };
export const EVENT_ZH: Record<RecordEvent, string> = { verify: '审核通过', reject: '驳回', correct: '更正时长', requestCorrection: '申请更正' };

/** A correction request (办法 Art. 13): open until staff in scope of the record accept or decline it, once. */
export const CORRECTION_STATUSES = ['OPEN', 'ACCEPTED', 'DECLINED'] as const;
export type CorrectionStatus = (typeof CORRECTION_STATUSES)[number];
export type CorrectionDecision = 'accept' | 'decline';
export const CORRECTION_STATUS_ZH: Record<CorrectionStatus, string> = { OPEN: '待处理', ACCEPTED: '已通过', DECLINED: '未通过' };
export const DECISION_ZH: Record<CorrectionDecision, string> = { accept: '同意更正', decline: '不同意更正' };

import type { Role } from '@kz/auth';
import { InvalidTransition } from '@kz/errors';
import type { VolunteerDecision, VolunteerStatus } from './volunteer-statuses';

/** Staff who register someone on their behalf (assisted mode), inside the subtree of their unit. */
export const REGISTRARS: Role[] = ['CENTER_ADMIN', 'INSTITUTE_ADMIN', 'STATION_ADMIN', 'GRID_WORKER'];
/** Staff who approve, reject, suspend and reinstate volunteers of their subtree. */
export const REVIEWERS: Role[] = ['CENTER_ADMIN', 'INSTITUTE_ADMIN', 'STATION_ADMIN'];

export type VolunteerAction = 'register' | 'approve' | 'reject' | 'suspend' | 'reinstate' | 'close';

export interface VolunteerTransition {
  from: VolunteerStatus;
  action: VolunteerAction;
  to: VolunteerStatus;
  /** Roles allowed, in scope of the volunteer's home station; `self` is the person themself. */
  by: readonly (Role | 'self')[];
  /** The line written to the review history. */
  decision: VolunteerDecision;
  /** Whether the move needs a reason (kept in `status_reason` and the review). */
  reasonRequired: boolean;
  /** What happens to the person's VOLUNTEER role. */
  volunteerRole: 'grant' | 'revoke' | 'keep';
  /** The event of the move (`volunteer.registered` is recorded by registration itself). */
  event: 'volunteer.registered' | 'volunteer.approved' | 'volunteer.rejected' | 'volunteer.suspended' | 'volunteer.reinstated' | 'person.account.closed';
}

/**
 * A volunteer's life as data: `from → action → to`, with who may make the move. A first registration creates the
 * row in PENDING; a rejected person may register again, which reuses the row. Anything not listed here fails with
 * INVALID_TRANSITION naming both states.
 */
export const VOLUNTEER_TRANSITIONS: readonly VolunteerTransition[] = [
  { from: 'REJECTED', action: 'register', to: 'PENDING', by: ['self', ...REGISTRARS], decision: 'REGISTERED', reasonRequired: false, volunteerRole: 'keep', event: 'volunteer.registered' },
  { from: 'PENDING', action: 'approve', to: 'ACTIVE', by: REVIEWERS, decision: 'APPROVED', reasonRequired: false, volunteerRole: 'grant', event: 'volunteer.approved' },
  { from: 'PENDING', action: 'reject', to: 'REJECTED', by: REVIEWERS, decision: 'REJECTED', reasonRequired: true, volunteerRole: 'keep', event: 'volunteer.rejected' },
  { from: 'ACTIVE', action: 'suspend', to: 'SUSPENDED', by: REVIEWERS, decision: 'SUSPENDED', reasonRequired: true, volunteerRole: 'revoke', event: 'volunteer.suspended' },
  { from: 'SUSPENDED', action: 'reinstate', to: 'ACTIVE', by: REVIEWERS, decision: 'REINSTATED', reasonRequired: false, volunteerRole: 'grant', event: 'volunteer.reinstated' },
  // The person closes their account (accounts/account-closure.service.ts): from any state, for good. CLOSED has no
  // way out: a closed volunteer is never assignable again; the person may open a new account as someone new.
  ...(['PENDING', 'ACTIVE', 'SUSPENDED', 'REJECTED'] as const).map(
    (from): VolunteerTransition => ({ from, action: 'close', to: 'CLOSED', by: ['self'], decision: 'CLOSED', reasonRequired: false, volunteerRole: 'revoke', event: 'person.account.closed' }),
  ),
];

export const STATUS_ZH: Record<VolunteerStatus, string> = { PENDING: '待审核', ACTIVE: '已通过', SUSPENDED: '已暂停', REJECTED: '未通过', CLOSED: '已注销' };
export const ACTION_ZH: Record<VolunteerAction, string> = { register: '注册', approve: '审核通过', reject: '驳回', suspend: '暂停', reinstate: '恢复', close: '注销' };

/** The roles that may make `action` from any state (for the role check before the row is read). */
export function rolesFor(action: VolunteerAction): Role[] {
  return [...new Set(VOLUNTEER_TRANSITIONS.filter((t) => t.action === action).flatMap((t) => t.by))].filter((r): r is Role => r !== 'self');
}

/** Whether `action` needs a reason, whatever the state (checked before anything is read). */
export function needsReason(action: VolunteerAction): boolean {
  return VOLUNTEER_TRANSITIONS.some((t) => t.action === action && t.reasonRequired);
}

/** The transition of `action` from `from`, or INVALID_TRANSITION naming the current state and where the action leads. */
export function transitionFor(from: VolunteerStatus, action: VolunteerAction): VolunteerTransition {
  const found = VOLUNTEER_TRANSITIONS.find((t) => t.from === from && t.action === action);
  if (found) return found;
  const to = VOLUNTEER_TRANSITIONS.find((t) => t.action === action)!.to;
  throw new InvalidTransition({
    entity: 'volunteer',
    from,
    event: action,
    to,
    entityZh: '志愿者',
    fromZh: STATUS_ZH[from],
    eventZh: ACTION_ZH[action],
    toZh: STATUS_ZH[to],
  });
}

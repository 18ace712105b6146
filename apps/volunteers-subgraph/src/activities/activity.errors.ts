import { BadUserInput, Conflict, DomainError } from '@kz/errors';
import type { SignUpStatus } from './activity-state-machine';
import { beijingTime, TimeWindow } from './attendance';

/** The refusals of activities and sign-ups that are more than a wrong state: each says what would have to change. */

const ACTIONS = {
  checkIn: { action: 'check in', actionZh: '签到', to: 'CHECKED_IN' },
  checkOut: { action: 'check out', actionZh: '签退', to: 'CHECKED_OUT' },
} as const;

/** Check-in or check-out at the wrong time: the sign-up cannot move now, and the window says when it can. */
export class OutsideAttendanceWindow extends DomainError<'INVALID_TRANSITION'> {
  constructor(event: keyof typeof ACTIONS, from: SignUpStatus, window: TimeWindow) {
    const { action, actionZh, to } = ACTIONS[event];
    super('INVALID_TRANSITION', 'activity.outsideWindow', {
      entity: 'sign-up',
      event,
      from,
      to,
      action,
      actionZh,
      opensAt: window.opensAt.toISOString(),
      closesAt: window.closesAt.toISOString(),
      opensAtZh: beijingTime(window.opensAt),
      closesAtZh: beijingTime(window.closesAt),
    });
  }
}

/** Check-in or check-out too far from the place; the distance and the radius are in the message and the params. */
export function tooFar(event: keyof typeof ACTIONS, distance: number, radius: number): BadUserInput {
  const { action, actionZh } = ACTIONS[event];
  return new BadUserInput('input.location', { key: 'activity.tooFar', distance, radius, action: action.replace(' ', '-'), actionZh });
}

export class SignUpClosed extends DomainError<'INVALID_TRANSITION'> {
  constructor(endsAt: Date) {
    super('INVALID_TRANSITION', 'activity.signUpClosed', {
      entity: 'activity',
      event: 'signUp',
      from: 'PUBLISHED',
      endsAt: endsAt.toISOString(),
      endsAtZh: beijingTime(endsAt),
    });
  }
}

export class ActivityNotEnded extends DomainError<'INVALID_TRANSITION'> {
  constructor(endsAt: Date) {
    super('INVALID_TRANSITION', 'activity.notEnded', {
      entity: 'activity',
      event: 'complete',
      from: 'PUBLISHED',
      to: 'DONE',
      endsAt: endsAt.toISOString(),
      endsAtZh: beijingTime(endsAt),
    });
  }
}

/** The volunteer lacks required skills: a denial, naming what is missing (codes in `missing`). */
export class SkillsMissing extends DomainError<'FORBIDDEN'> {
  constructor(missing: { code: string; name: string }[]) {
    super('FORBIDDEN', 'activity.skillsMissing', {
      missing: missing.map((skill) => skill.code).join(', '),
      missingZh: missing.map((skill) => skill.name).join('、'),
    });
  }
}

const VOLUNTEER_STATUS_ZH: Record<string, string> = { PENDING: '待审核', SUSPENDED: '已暂停', REJECTED: '未通过' };

/** Only ACTIVE volunteers sign up; `NONE` when the person has no volunteer profile. */
export class ActiveVolunteersOnly extends DomainError<'FORBIDDEN'> {
  constructor(status: string) {
    super('FORBIDDEN', 'activity.activeVolunteersOnly', { status, statusZh: VOLUNTEER_STATUS_ZH[status] ?? status });
  }
}

export function alreadySignedUp(activityId: string): Conflict {
  return new Conflict('input.activityId', activityId, 'activity.alreadySignedUp');
}

import type { Role } from '@kz/auth';
import { InvalidTransition } from '@kz/errors';

/**
 * The life of an activity and of a sign-up, as data: one row per `from → event → to`, with who may make the move.
 * The services look moves up here; an illegal one fails with INVALID_TRANSITION naming both states.
 */

export const ACTIVITY_STATUSES = ['DRAFT', 'PUBLISHED', 'CANCELLED', 'DONE'] as const;
export type ActivityStatus = (typeof ACTIVITY_STATUSES)[number];

export const SIGN_UP_STATUSES = ['SIGNED_UP', 'WAITLISTED', 'CANCELLED', 'CHECKED_IN', 'CHECKED_OUT', 'NO_SHOW'] as const;
export type SignUpStatus = (typeof SIGN_UP_STATUSES)[number];

/** Staff who run activities, each inside the subtree of their unit (CENTER_ADMIN everywhere). */
export const ACTIVITY_ADMINS: Role[] = ['CENTER_ADMIN', 'INSTITUTE_ADMIN', 'STATION_ADMIN'];

/** Who makes a move: staff roles in scope of the organizing unit, the volunteer on their own sign-up, or the system. */
type Mover = readonly Role[] | 'self' | 'system';

export interface Transition<S extends string, E extends string> {
  from: S;
  event: E;
  to: S;
  by: Mover;
  /** A condition besides the state, checked by the service. */
  guard?: string;
}

interface Machine<S extends string, E extends string> {
  entity: string;
  entityZh: string;
  statusZh: Record<S, string>;
  eventZh: Record<E, string>;
  transitions: readonly Transition<S, E>[];
}

export type ActivityEvent = 'update' | 'publish' | 'cancel' | 'complete' | 'signUp' | 'cancelSignUp' | 'checkIn' | 'checkOut';

export const ACTIVITY_MACHINE: Machine<ActivityStatus, ActivityEvent> = {
  entity: 'activity',
  entityZh: '活动',
  statusZh: { DRAFT: '草稿', PUBLISHED: '已发布', CANCELLED: '已取消', DONE: '已结束' },
  eventZh: { update: '修改', publish: '发布', cancel: '取消', complete: '办结', signUp: '报名', cancelSignUp: '取消报名', checkIn: '签到', checkOut: '签退' },
  transitions: [
    { from: 'DRAFT', event: 'update', to: 'DRAFT', by: ACTIVITY_ADMINS },
    { from: 'PUBLISHED', event: 'update', to: 'PUBLISHED', by: ACTIVITY_ADMINS },
    { from: 'DRAFT', event: 'publish', to: 'PUBLISHED', by: ACTIVITY_ADMINS },
    { from: 'DRAFT', event: 'cancel', to: 'CANCELLED', by: ACTIVITY_ADMINS },
    { from: 'PUBLISHED', event: 'cancel', to: 'CANCELLED', by: ACTIVITY_ADMINS },
    { from: 'PUBLISHED', event: 'complete', to: 'DONE', by: ACTIVITY_ADMINS, guard: 'the activity has ended' },
    // What volunteers may do to an activity's sign-ups depends on the activity's state too.
    { from: 'PUBLISHED', event: 'signUp', to: 'PUBLISHED', by: 'self', guard: 'the activity has not ended' },
    { from: 'PUBLISHED', event: 'cancelSignUp', to: 'PUBLISHED', by: 'self' },
    { from: 'PUBLISHED', event: 'checkIn', to: 'PUBLISHED', by: 'self' },
    { from: 'PUBLISHED', event: 'checkOut', to: 'PUBLISHED', by: 'self' },
    { from: 'DONE', event: 'checkOut', to: 'DONE', by: 'self' },
  ],
};

export type SignUpEvent = 'signUp' | 'cancel' | 'promote' | 'checkIn' | 'checkOut' | 'markNoShow';

export const SIGN_UP_MACHINE: Machine<SignUpStatus, SignUpEvent> = {
  entity: 'sign-up',
  entityZh: '报名',
  statusZh: { SIGNED_UP: '已报名', WAITLISTED: '候补中', CANCELLED: '已取消', CHECKED_IN: '已签到', CHECKED_OUT: '已签退', NO_SHOW: '缺席' },
  eventZh: { signUp: '报名', cancel: '取消报名', promote: '递补', checkIn: '签到', checkOut: '签退', markNoShow: '标记缺席' },
  transitions: [
    // A first sign-up creates the row in one of the first two states; signing up again reuses a cancelled row.
    { from: 'CANCELLED', event: 'signUp', to: 'SIGNED_UP', by: 'self', guard: 'a place is free' },
    { from: 'CANCELLED', event: 'signUp', to: 'WAITLISTED', by: 'self', guard: 'the activity is full' },
    { from: 'SIGNED_UP', event: 'cancel', to: 'CANCELLED', by: 'self' },
    { from: 'WAITLISTED', event: 'cancel', to: 'CANCELLED', by: 'self' },
    { from: 'WAITLISTED', event: 'promote', to: 'SIGNED_UP', by: 'system', guard: 'a place was freed or added; earliest first' },
    { from: 'SIGNED_UP', event: 'checkIn', to: 'CHECKED_IN', by: 'self', guard: 'inside the time window and the radius' },
    { from: 'CHECKED_IN', event: 'checkOut', to: 'CHECKED_OUT', by: 'self', guard: 'inside the time window and the radius' },
    { from: 'SIGNED_UP', event: 'markNoShow', to: 'NO_SHOW', by: 'system', guard: 'the activity was completed' },
  ],
};

/** The move `event` from `from`, or INVALID_TRANSITION naming the state and where the event leads. */
export function transition<S extends string, E extends string>(machine: Machine<S, E>, from: S, event: E): Transition<S, E> {
  const found = machine.transitions.find((move) => move.from === from && move.event === event);
  if (found) return found;
  throw invalidTransition(machine, from, event);
}

export function invalidTransition<S extends string, E extends string>(machine: Machine<S, E>, from: S, event: E): InvalidTransition {
  const to = machine.transitions.find((move) => move.event === event && move.to !== move.from)?.to;
  return new InvalidTransition({
    entity: machine.entity,
    entityZh: machine.entityZh,
    from,
    fromZh: machine.statusZh[from],
    event,
    eventZh: machine.eventZh[event],
    ...(to ? { to, toZh: machine.statusZh[to] } : {}),
  });
}

/** The roles a staff move needs (for the scope check), from the table. */
export function staffRolesFor(move: Transition<string, string>): Role[] {
  return Array.isArray(move.by) ? [...move.by] : [];
}

import type { Actor, Role } from '@kz/auth';
import type { Reward } from './reward.entity';

/** Who creates, changes and restocks rewards: admins, each in their subtree; district-wide ones only the center. */
export const REWARD_ADMINS: Role[] = ['STATION_ADMIN', 'INSTITUTE_ADMIN', 'CENTER_ADMIN'];

/** Staff who read a reward's audit in their subtree. */
export const REWARD_AUDITORS: Role[] = [...REWARD_ADMINS, 'GRID_WORKER', 'ANALYST'];

/** Whether the caller may act on `reward` with one of `roles`: a district-wide reward belongs to the center alone. */
export function rewardInScope(actor: Actor, reward: Pick<Reward, 'unitPath'>, roles: Role[]): boolean {
  return reward.unitPath === null ? roles.includes('CENTER_ADMIN') && actor.hasRole('CENTER_ADMIN') : actor.inScope(reward.unitPath, roles);
}

/** Offered now: inside its active window and, for goods, with stock left. */
export function isAvailable(reward: Pick<Reward, 'activeFrom' | 'activeUntil' | 'stock'>, now = new Date()): boolean {
  if (reward.activeFrom && reward.activeFrom > now) return false;
  if (reward.activeUntil && reward.activeUntil <= now) return false;
  return reward.stock === null || reward.stock > 0;
}

/** The same rule in SQL, over the alias `r`. */
export const AVAILABLE_SQL = `((r.active_from IS NULL OR r.active_from <= now()) AND (r.active_until IS NULL OR r.active_until > now())
  AND (r.stock IS NULL OR r.stock > 0))`;

/** The active-window part alone, over the alias `r`. */
export const ACTIVE_SQL = '((r.active_from IS NULL OR r.active_from <= now()) AND (r.active_until IS NULL OR r.active_until > now()))';

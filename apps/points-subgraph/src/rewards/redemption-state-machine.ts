import type { Role } from '@kz/auth';

export const REDEMPTION_STATUSES = ['RESERVED', 'FULFILLED', 'CANCELLED', 'EXPIRED'] as const;
export type RedemptionStatus = (typeof REDEMPTION_STATUSES)[number];
export type RedemptionEvent = 'fulfil' | 'cancel' | 'expire';

/** Who may redeem: people holding points. */
export const REDEEMERS: Role[] = ['RESIDENT', 'VOLUNTEER'];

/** Station staff who hand rewards over (and may cancel), each in their subtree. */
export const PICKUP_STAFF: Role[] = ['STATION_ADMIN', 'INSTITUTE_ADMIN', 'CENTER_ADMIN', 'GRID_WORKER'];

/** Staff who read the redemptions of their subtree (analysts without the pickup codes). */
export const REDEMPTION_READERS: Role[] = [...PICKUP_STAFF, 'ANALYST'];

/**
 * The life of a redemption, as data: from → event → to, with who may do it (`HOLDER` is the person who redeemed,
 * `SYSTEM` the expiry timer). Only a reservation moves; every end state is final.
 */
export const REDEMPTION_TRANSITIONS: readonly { from: RedemptionStatus; event: RedemptionEvent; to: RedemptionStatus; by: (Role | 'HOLDER' | 'SYSTEM')[] }[] = [
  { from: 'RESERVED', event: 'fulfil', to: 'FULFILLED', by: PICKUP_STAFF },
  { from: 'RESERVED', event: 'cancel', to: 'CANCELLED', by: ['HOLDER', ...PICKUP_STAFF] },
  { from: 'RESERVED', event: 'expire', to: 'EXPIRED', by: ['SYSTEM'] },
];

/** The status `event` leads to from `from`, or null when the move is not allowed. */
export function nextStatus(from: RedemptionStatus, event: RedemptionEvent): RedemptionStatus | null {
  return REDEMPTION_TRANSITIONS.find((t) => t.from === from && t.event === event)?.to ?? null;
}

export function targetOf(event: RedemptionEvent): RedemptionStatus {
  return REDEMPTION_TRANSITIONS.find((t) => t.event === event)!.to;
}

export const STATUS_ZH: Record<RedemptionStatus, string> = { RESERVED: '待领取', FULFILLED: '已领取', CANCELLED: '已取消', EXPIRED: '已过期' };
export const EVENT_ZH: Record<RedemptionEvent, string> = { fulfil: '领取', cancel: '取消', expire: '过期' };

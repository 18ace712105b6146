/** The enums of service orders, as the schema has them, with the Chinese words users see. */

export const ORDER_STATUSES = [
  'SUBMITTED',
  'DISPATCHED',
  'ACCEPTED',
  'IN_PROGRESS',
  'DELIVERED',
  'EVALUATED',
  'CLOSED',
  'CANCELLED',
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export const ORDER_SOURCES = ['PATROL', 'RESIDENT'] as const;
export type OrderSource = (typeof ORDER_SOURCES)[number];

export const ORDER_CHANNELS = ['APP', 'WECHAT', 'MINI_PROGRAM', 'PHONE', 'OFFLINE'] as const;
export type OrderChannel = (typeof ORDER_CHANNELS)[number];

export { ORDER_CATEGORIES } from '@kz/events';
export type { OrderCategory } from '@kz/events';

export const SPECIAL_GROUPS = ['EMPTY_NEST_ELDERLY', 'LEFT_BEHIND_CHILD', 'DISABLED', 'NONE'] as const;
export type SpecialGroup = (typeof SPECIAL_GROUPS)[number];

export const URGENCIES = ['LOW', 'NORMAL', 'HIGH', 'URGENT'] as const;
export type Urgency = (typeof URGENCIES)[number];

export const OUTCOMES = ['FULL', 'PARTIAL'] as const;
export type OrderOutcome = (typeof OUTCOMES)[number];

export const RESOLUTIONS = ['YES', 'PARTLY', 'NO'] as const;
export type Resolution = (typeof RESOLUTIONS)[number];

export const ORDER_STAGES = ['ACCEPT', 'DELIVER', 'EVALUATE'] as const;
export type OrderStage = (typeof ORDER_STAGES)[number];

export const ESCALATION_LEVELS = ['INSTITUTE', 'CENTER'] as const;
export type EscalationLevel = (typeof ESCALATION_LEVELS)[number];

/** What a timeline entry says happened (`OrderAction` in the schema). */
export const ORDER_ACTIONS = [
  'SUBMITTED',
  'DISPATCHED',
  'ACCEPTED',
  'RETURNED',
  'ASSIGNED',
  'STARTED',
  'DELIVERED',
  'EVALUATED',
  'REOPENED',
  'CLOSED',
  'CANCELLED',
  'FOLLOWED_UP',
  'ESCALATED',
  'LEDGER_UPDATED',
] as const;
export type OrderAction = (typeof ORDER_ACTIONS)[number];

export const STATUS_ZH: Record<OrderStatus, string> = {
  SUBMITTED: '待派单',
  DISPATCHED: '已派单',
  ACCEPTED: '已接单',
  IN_PROGRESS: '服务中',
  DELIVERED: '已送单',
  EVALUATED: '已评单',
  CLOSED: '已办结',
  CANCELLED: '已取消',
};

export { ORDER_CATEGORY_ZH as CATEGORY_ZH } from '@kz/events';

export const OUTCOME_ZH: Record<OrderOutcome, string> = { FULL: '全部完成', PARTIAL: '部分完成' };

import type { Role } from '@kz/auth';
import { InvalidTransition } from '@kz/errors';
import type { EventType } from '@kz/events';
import { ORDER_STATUSES, OrderAction, OrderStage, OrderStatus, STATUS_ZH } from './order-statuses';

/**
 * The six-order method (六单工作法) as data: one row per `from → move → to`, with who may make the move, the line it
 * writes to the order's timeline and the event it emits. The services look every move up here; the tests and the
 * docs read the same table. A move missing from the table fails with INVALID_TRANSITION naming both states.
 *
 * Placing an order (`reportPatrolOrder`, `placeOrder`) creates it in SUBMITTED and is not a move of an existing
 * order, so it is not in the table.
 */

/** Moves of an existing order, one per mutation (and `reopen`, which an evaluation of NO makes by itself). */
export const ORDER_MOVES = [
  'dispatch',
  'accept',
  'return',
  'assign',
  'start',
  'deliver',
  'evaluate',
  'reopen',
  'cancel',
  'followUp',
  'updateLedger',
  'escalate',
  'close',
] as const;
export type OrderMove = (typeof ORDER_MOVES)[number];

/**
 * Who makes a move. A staff role acts in scope of the order (its station; before dispatch, the requester's home
 * station); DISPATCHER, CENTER_ADMIN and SERVICE act everywhere. `REQUESTER` is the person the order was placed by
 * or for; `ASSIGNEE` a volunteer assigned to it; `SYSTEM` the service itself (never a caller).
 */
export type Mover = Role | 'REQUESTER' | 'ASSIGNEE' | 'SYSTEM';

/** Roles whose scope is the whole district. */
export const EVERYWHERE_ROLES: readonly Role[] = ['CENTER_ADMIN', 'DISPATCHER', 'SERVICE'];

/** The station side: its admin, the admin of its institute, the center. */
export const STATION_STAFF: readonly Role[] = ['STATION_ADMIN', 'INSTITUTE_ADMIN', 'CENTER_ADMIN'];
/** Who routes orders to stations: the center's dispatcher and admin, and the dispatch worker (auto-dispatch). */
export const DISPATCHERS: readonly Role[] = ['DISPATCHER', 'CENTER_ADMIN', 'SERVICE'];
/** Who closes a delivered order: the dispatch worker after the evaluation window, or the center admin. */
export const CLOSERS: readonly Role[] = ['SERVICE', 'CENTER_ADMIN'];
/** Who reports needs found on patrol (巡单). */
export const PATROLLERS: readonly Role[] = ['GRID_WORKER', 'STATION_ADMIN', 'INSTITUTE_ADMIN', 'CENTER_ADMIN'];
/** Staff who place an order on a resident's behalf (assisted mode). */
export const ASSISTING_STAFF: readonly Role[] = ['GRID_WORKER', 'STATION_ADMIN', 'INSTITUTE_ADMIN', 'CENTER_ADMIN'];
/** People who place orders for themselves (点单). */
export const RESIDENTS: readonly Role[] = ['RESIDENT', 'VOLUNTEER'];

export interface OrderTransition {
  from: OrderStatus;
  move: OrderMove;
  to: OrderStatus;
  by: readonly Mover[];
  /** What the timeline says happened. */
  action: OrderAction;
  /** The event emitted with the move, in the same transaction (null: the move changes no state others follow). */
  event: EventType | null;
  /** A condition besides the state, checked by the service. */
  guard?: string;
}

const NOT_FINAL: OrderStatus[] = ['SUBMITTED', 'DISPATCHED', 'ACCEPTED', 'IN_PROGRESS', 'DELIVERED', 'EVALUATED'];
const LEDGER_OPEN: OrderStatus[] = ['ACCEPTED', 'IN_PROGRESS', 'DELIVERED', 'EVALUATED'];

export const ORDER_TRANSITIONS: readonly OrderTransition[] = [
  // 派单, also the re-dispatch of an order a station returned.
  { from: 'SUBMITTED', move: 'dispatch', to: 'DISPATCHED', by: DISPATCHERS, action: 'DISPATCHED', event: 'order.dispatched', guard: 'the unit is a station or point' },
  // 接单, or back to the center with a reason.
  { from: 'DISPATCHED', move: 'accept', to: 'ACCEPTED', by: STATION_STAFF, action: 'ACCEPTED', event: 'order.accepted' },
  { from: 'DISPATCHED', move: 'return', to: 'SUBMITTED', by: STATION_STAFF, action: 'RETURNED', event: 'order.returned', guard: 'a reason' },
  { from: 'ACCEPTED', move: 'assign', to: 'ACCEPTED', by: STATION_STAFF, action: 'ASSIGNED', event: 'order.assigned' },
  { from: 'IN_PROGRESS', move: 'assign', to: 'IN_PROGRESS', by: STATION_STAFF, action: 'ASSIGNED', event: 'order.assigned' },
  { from: 'ACCEPTED', move: 'start', to: 'IN_PROGRESS', by: [...STATION_STAFF, 'ASSIGNEE'], action: 'STARTED', event: 'order.started', guard: 'at least one volunteer assigned' },
  // 送单
  { from: 'IN_PROGRESS', move: 'deliver', to: 'DELIVERED', by: [...STATION_STAFF, 'ASSIGNEE'], action: 'DELIVERED', event: 'order.delivered', guard: 'minutes only for assignees' },
  // 评单; an answer of NO reopens the order at once.
  { from: 'DELIVERED', move: 'evaluate', to: 'EVALUATED', by: ['REQUESTER'], action: 'EVALUATED', event: 'order.evaluated' },
  { from: 'EVALUATED', move: 'reopen', to: 'ACCEPTED', by: ['SYSTEM'], action: 'REOPENED', event: 'order.reopened', guard: 'the evaluation said NO' },
  { from: 'SUBMITTED', move: 'cancel', to: 'CANCELLED', by: ['REQUESTER'], action: 'CANCELLED', event: 'order.cancelled' },
  { from: 'DISPATCHED', move: 'cancel', to: 'CANCELLED', by: ['REQUESTER'], action: 'CANCELLED', event: 'order.cancelled' },
  ...NOT_FINAL.map((status): OrderTransition => ({
    from: status,
    move: 'followUp',
    to: status,
    by: ['REQUESTER'],
    action: 'FOLLOWED_UP',
    event: 'order.followUp.added',
  })),
  ...LEDGER_OPEN.map((status): OrderTransition => ({ from: status, move: 'updateLedger', to: status, by: STATION_STAFF, action: 'LEDGER_UPDATED', event: null })),
  // Overdue stages, escalated by the dispatch worker while the stage still applies (elsewhere: nothing happens).
  { from: 'DISPATCHED', move: 'escalate', to: 'DISPATCHED', by: ['SERVICE'], action: 'ESCALATED', event: 'order.escalated', guard: 'stage ACCEPT' },
  { from: 'ACCEPTED', move: 'escalate', to: 'ACCEPTED', by: ['SERVICE'], action: 'ESCALATED', event: 'order.escalated', guard: 'stage DELIVER' },
  { from: 'IN_PROGRESS', move: 'escalate', to: 'IN_PROGRESS', by: ['SERVICE'], action: 'ESCALATED', event: 'order.escalated', guard: 'stage DELIVER' },
  { from: 'DELIVERED', move: 'close', to: 'CLOSED', by: CLOSERS, action: 'CLOSED', event: 'order.closed' },
  { from: 'EVALUATED', move: 'close', to: 'CLOSED', by: CLOSERS, action: 'CLOSED', event: 'order.closed' },
];

/** The stage an escalation is about, and the statuses in which it still applies. */
export const ESCALATION_STAGES: Record<OrderStage, readonly OrderStatus[]> = {
  ACCEPT: ['DISPATCHED'],
  DELIVER: ['ACCEPTED', 'IN_PROGRESS'],
  EVALUATE: [],
};

export const MOVE_ZH: Record<OrderMove, string> = {
  dispatch: '派单',
  accept: '接单',
  return: '退单',
  assign: '分配志愿者',
  start: '开始服务',
  deliver: '送单',
  evaluate: '评单',
  reopen: '重新办理',
  cancel: '取消订单',
  followUp: '追问',
  updateLedger: '更新需求台账',
  escalate: '督办升级',
  close: '办结',
};

/** Everyone who may make `move` from some state (for the check before the state is looked at). */
export function moversOf(move: OrderMove): Mover[] {
  return [...new Set(ORDER_TRANSITIONS.filter((t) => t.move === move).flatMap((t) => t.by))];
}

/** The row of `move` from `from`, or null. */
export function findTransition(from: OrderStatus, move: OrderMove): OrderTransition | null {
  return ORDER_TRANSITIONS.find((t) => t.from === from && t.move === move) ?? null;
}

/** The row of `move` from `from`, or INVALID_TRANSITION naming the state and where the move leads. */
export function transitionFor(from: OrderStatus, move: OrderMove): OrderTransition {
  const found = findTransition(from, move);
  if (found) return found;
  throw invalidOrderTransition(from, move);
}

export function invalidOrderTransition(from: OrderStatus, move: OrderMove): InvalidTransition {
  const to = ORDER_TRANSITIONS.find((t) => t.move === move && t.to !== t.from)?.to;
  return new InvalidTransition({
    entity: 'service order',
    entityZh: '服务订单',
    from,
    fromZh: STATUS_ZH[from],
    event: move,
    eventZh: MOVE_ZH[move],
    ...(to ? { to, toZh: STATUS_ZH[to] } : {}),
  });
}

/** The table as Markdown, for the docs (`docs/orders.md` quotes it). */
export function transitionTableMarkdown(): string {
  const lines = ORDER_TRANSITIONS.map((t) => `| ${t.from} | ${t.move} | ${t.to} | ${t.by.join(', ')} | ${t.event ?? '–'} | ${t.guard ?? ''} |`);
  return ['| from | move | to | by | event | guard |', '| --- | --- | --- | --- | --- | --- |', ...lines].join('\n');
}

export { ORDER_STATUSES };

import type { EventType, LiveNotificationEntry, LiveOrderEntry } from '@kz/events';
import type { Locale } from '@kz/errors';
import { renderTemplate } from '@kz/notifications';
import type { LiveEntry } from './stream-hub';

/** The payloads of the `Subscription` fields, as `live.graphql` has them. */
export interface OrderChange {
  kind: 'EVENT' | 'RESYNC';
  cursor: string;
  eventId?: string;
  orderId?: string;
  action?: string;
  status?: string | null;
  stage?: string | null;
  unitId?: string | null;
  unitPath?: string | null;
  onBoard?: boolean;
  at?: string;
}

export interface NotificationChange {
  kind: 'EVENT' | 'RESYNC';
  cursor: string;
  notification?: {
    id: string;
    kind: string;
    title: string;
    body: string;
    link: string | null;
    urgent: boolean;
    createdAt: string;
    readAt: null;
  };
  unreadCount?: number;
}

/** The timeline action of each live order event (`OrderAction`). */
const ACTIONS: Partial<Record<EventType, string>> = {
  'order.submitted': 'SUBMITTED',
  'order.dispatched': 'DISPATCHED',
  'order.accepted': 'ACCEPTED',
  'order.returned': 'RETURNED',
  'order.assigned': 'ASSIGNED',
  'order.started': 'STARTED',
  'order.delivered': 'DELIVERED',
  'order.evaluated': 'EVALUATED',
  'order.closed': 'CLOSED',
  'order.cancelled': 'CANCELLED',
  'order.reopened': 'REOPENED',
  'order.followUp.added': 'FOLLOWED_UP',
  'order.escalated': 'ESCALATED',
};

/** The status an event leaves the order in (the orders subgraph's state machine); absent: the move keeps it. */
const STATUS_AFTER: Partial<Record<EventType, string>> = {
  'order.submitted': 'SUBMITTED',
  'order.dispatched': 'DISPATCHED',
  'order.accepted': 'ACCEPTED',
  'order.returned': 'SUBMITTED',
  'order.started': 'IN_PROGRESS',
  'order.delivered': 'DELIVERED',
  'order.evaluated': 'EVALUATED',
  'order.closed': 'CLOSED',
  'order.cancelled': 'CANCELLED',
  'order.reopened': 'ACCEPTED',
};

/** The stage whose deadline runs in a status (`OrderStage`). */
function stageOf(status: string | null): string | null {
  switch (status) {
    case 'DISPATCHED':
      return 'ACCEPT';
    case 'ACCEPTED':
    case 'IN_PROGRESS':
      return 'DELIVER';
    case 'DELIVERED':
      return 'EVALUATE';
    default:
      return null;
  }
}

/** An order's entry as the feeds read it, with what this gateway knew of the order before it (see `OrderMemory`). */
export interface OrderEvent {
  cursor: string;
  entry: LiveOrderEntry;
  orderId: string;
  status: string | null;
  previousUnitPath: string | null;
}

export function orderIdOf(entry: LiveOrderEntry): string | null {
  const id = entry.payload.orderId;
  return typeof id === 'string' ? id : null;
}

/**
 * What this gateway last saw of recent orders (status and unit path), so a move that keeps the status (an
 * assignment) still says it, and a board learns that an order left its subtree. Bounded; an order not seen since
 * the gateway started has neither.
 */
export class OrderMemory {
  private readonly orders = new Map<string, { status: string | null; unitPath: string | null }>();
  private readonly seen = new Set<string>();
  private readonly seenOrder: string[] = [];

  constructor(private readonly capacity = 20_000) {}

  /** Reads an entry into memory; null for an entry that is not an order's, or an event id already seen (a re-send). */
  accept(live: LiveEntry): OrderEvent | null {
    const entry = live.data as unknown as LiveOrderEntry;
    const orderId = orderIdOf(entry);
    if (!orderId || typeof entry.id !== 'string') return null;
    if (this.seen.has(entry.id)) return null;
    this.seen.add(entry.id);
    this.seenOrder.push(entry.id);
    if (this.seenOrder.length > this.capacity) this.seen.delete(this.seenOrder.shift()!);
    const before = this.orders.get(orderId);
    const status = STATUS_AFTER[entry.type] ?? before?.status ?? null;
    this.orders.delete(orderId); // re-inserted last: the map's order is recency
    this.orders.set(orderId, { status, unitPath: entry.unitPath });
    if (this.orders.size > this.capacity) this.orders.delete(this.orders.keys().next().value!);
    return { cursor: live.cursor, entry, orderId, status, previousUnitPath: before?.unitPath ?? null };
  }
}

/** An order event of history (a resuming client): the status only when the event sets it. */
export function historicOrderEvent(live: LiveEntry): OrderEvent | null {
  const entry = live.data as unknown as LiveOrderEntry;
  const orderId = orderIdOf(entry);
  if (!orderId) return null;
  return { cursor: live.cursor, entry, orderId, status: STATUS_AFTER[entry.type] ?? null, previousUnitPath: null };
}

export function orderChange(event: OrderEvent, onBoard: boolean): OrderChange {
  const { entry } = event;
  const stage = entry.type === 'order.escalated' && typeof entry.payload.stage === 'string' ? entry.payload.stage : stageOf(event.status);
  return {
    kind: 'EVENT',
    cursor: event.cursor,
    eventId: entry.id,
    orderId: event.orderId,
    action: ACTIONS[entry.type] ?? null!,
    status: event.status,
    stage,
    unitId: entry.unitPath ? entry.unitPath.split('/').pop()! : null,
    unitPath: entry.unitPath,
    onBoard,
    at: entry.occurredAt,
  };
}

/** A notification's entry in the caller's language (texts are written in Chinese; English is rendered here). */
export function notificationChange(live: LiveEntry, locale: Locale): NotificationChange {
  const entry = live.data as unknown as LiveNotificationEntry;
  const text = locale === 'zh-CN' ? null : renderTemplate(entry.kind, entry.audience, entry.params, locale);
  return {
    kind: 'EVENT',
    cursor: live.cursor,
    notification: {
      id: entry.id,
      kind: entry.kind,
      title: text?.title ?? entry.title,
      body: text?.body ?? entry.body,
      link: entry.link,
      urgent: entry.urgent,
      createdAt: entry.createdAt,
      readAt: null,
    },
    unreadCount: entry.unreadCount,
  };
}

export const resync = <T extends OrderChange | NotificationChange>(cursor: string): T => ({ kind: 'RESYNC', cursor }) as T;

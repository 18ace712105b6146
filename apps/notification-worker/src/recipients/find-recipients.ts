import type { EventEnvelope } from '@kz/events';
import type { Audience, NotificationRoute, RecipientRule, TemplateParams } from '@kz/notifications';
import type { OrderFacts, RecipientsApi, UnitStaff } from './recipients-api';

export interface Recipient {
  personId: string;
  audience: Audience;
}

export interface Addressed {
  recipients: Recipient[];
  /** The order the event is about, when it is about one (null when the orders service no longer knows it). */
  order: OrderFacts | null;
}

const text = (value: unknown): string | undefined => (typeof value === 'string' && value ? value : undefined);
const lastUnit = (path: string | null) => (path ? path.split('/').filter(Boolean).at(-1) : undefined);
const rootUnit = (path: string | null) => (path ? path.split('/').filter(Boolean)[0] : undefined);

/** Rows of one role; of those, the ones at the unit itself when there are any (a practice point has none: its station's). */
function atOrAbove(rows: UnitStaff[], roles: string[], unitId: string): string[] {
  const matching = rows.filter((row) => roles.includes(row.role));
  const own = matching.filter((row) => row.unitId === unitId);
  return (own.length > 0 ? own : matching).map((row) => row.personId);
}

/**
 * Finds the people an event concerns, rule by rule of its route, through the owning services' APIs. The order (when
 * the event is about one) is read once and shared by the rules and the message's parameters. A person who caused the
 * event is left out unless the rule says otherwise; a person matched by two rules keeps the first.
 */
export async function findRecipients(event: EventEnvelope, route: NotificationRoute, api: RecipientsApi): Promise<Addressed> {
  const payload = event.payload as Record<string, unknown>;
  const orderId = text(payload.orderId);
  const order = orderId ? await api.order(orderId) : null;
  const orderStation = text(payload.stationId) ?? order?.stationId ?? undefined;

  const dispatchers = async () => {
    const unit = orderStation ?? rootUnit(event.unitPath);
    return unit ? atOrAbove(await api.staffAbove(unit, ['DISPATCHER']), ['DISPATCHER'], unit) : [];
  };
  const stationAdmins = async (stationId: string | undefined) =>
    stationId ? atOrAbove(await api.staffAbove(stationId, ['STATION_ADMIN']), ['STATION_ADMIN'], stationId) : [];
  const above = async (unitId: string | undefined, roles: string[]) =>
    unitId ? (await api.staffAbove(unitId, roles)).filter((row) => roles.includes(row.role)).map((row) => row.personId) : [];
  const visitStation = order?.stationId ?? lastUnit(event.unitPath);

  const resolvers: Record<RecipientRule, () => Promise<string[]>> = {
    REQUESTER: async () => (order?.requesterId ? [order.requesterId] : []),
    ORDER_STATION_ADMINS: () => stationAdmins(orderStation),
    ORDER_HANDLERS: () => (order?.stationId ? stationAdmins(order.stationId) : dispatchers()),
    ASSIGNEES: () => {
      const named = Array.isArray(payload.volunteerIds) ? (payload.volunteerIds as string[]) : (order?.assigneeIds ?? []);
      return api.volunteerPersons(named);
    },
    ESCALATION_TARGETS: () => above(orderStation, payload.level === 'CENTER' ? ['CENTER_ADMIN', 'DISPATCHER'] : ['INSTITUTE_ADMIN']),
    DISPATCHERS: dispatchers,
    VOLUNTEER: async () => (text(payload.personId) ? [String(payload.personId)] : []),
    VOLUNTEER_STATION_ADMINS: () => stationAdmins(text(payload.stationId)),
    ACCOUNT_HOLDER: async () => {
      if (text(payload.personId)) return [String(payload.personId)];
      const holder = text(payload.accountId) ? await api.accountHolder(String(payload.accountId)) : null;
      return holder ? [holder] : [];
    },
    TRANSFER_RECEIVER: async () => {
      const holder = text(payload.toAccountId) ? await api.accountHolder(String(payload.toAccountId)) : null;
      return holder ? [holder] : [];
    },
    ACTIVITY_UNIT_ADMINS: async () => {
      const unitId = text(payload.unitId);
      if (!unitId) return [];
      const rows = await api.staffAbove(unitId, ['STATION_ADMIN', 'INSTITUTE_ADMIN', 'CENTER_ADMIN']);
      return rows.filter((row) => row.unitId === unitId).map((row) => row.personId);
    },
    UNIT_STATION_ADMINS: () => stationAdmins(text(payload.unitId)),
    VISIT_STATION_ADMINS: () => stationAdmins(visitStation),
    VISIT_INSTITUTE_ADMINS: () => above(visitStation, ['INSTITUTE_ADMIN']),
  };

  const actor = 'personId' in event.actor ? event.actor.personId : undefined;
  const seen = new Set<string>();
  const recipients: Recipient[] = [];
  for (const spec of route.recipients) {
    for (const personId of await resolvers[spec.rule]()) {
      if (seen.has(personId) || (personId === actor && !spec.includeActor)) continue;
      seen.add(personId);
      recipients.push({ personId, audience: spec.audience });
    }
  }
  return { recipients, order };
}

/** The template's parameters: the payload's plain fields, and the order's code, title, category and urgency. */
export function templateParams(event: EventEnvelope, order: OrderFacts | null): TemplateParams {
  const params: TemplateParams = {};
  for (const [key, value] of Object.entries(event.payload as Record<string, unknown>)) {
    if (typeof value === 'string' || typeof value === 'number') params[key] = value;
  }
  if (order) Object.assign(params, { code: order.code, title: order.title, category: order.category, urgency: order.urgency });
  return params;
}

import type { Config } from '@kz/config';
import { CallResult, RefusedCall, ServiceClient, serviceClaims } from '@kz/worker';

/** Who the notification worker is when it reads from the services that own people, orders and accounts. */
export const NOTIFICATION_WORKER_CLAIMS = serviceClaims('notification-worker');

/** What the worker needs to know about an order to address and word its messages. */
export interface OrderFacts {
  id: string;
  code: string;
  title: string;
  status: string;
  urgency: string;
  category: string;
  requesterId: string | null;
  placedById: string | null;
  stationId: string | null;
  assigneeIds: string[];
}

/** A staff role held at a unit (the volunteers subgraph's `UnitStaff`). */
export interface UnitStaff {
  personId: string;
  role: string;
  unitId: string;
}

export interface PersonContact {
  personId: string;
  mobile: string | null;
  /** The openid of the person's bound WeChat account (subscribe messages); null if none. */
  weChatOpenId: string | null;
  displayName: string;
}

const ORDER = `query NotificationOrder($id: ID!) {
  order(id: $id) { id code title status urgency category requester { id } placedBy { id } station { id } assignees { id } }
}`;
const STAFF_ABOVE = `query StaffAbove($unitId: ID!, $roles: [Role!]!) { staffAbove(unitId: $unitId, roles: $roles) { personId role unitId } }`;
const VOLUNTEER_PERSONS = `query VolunteerPersons($volunteerIds: [ID!]!) { volunteerPersons(volunteerIds: $volunteerIds) { volunteerId personId } }`;
const CONTACTS = `query NotificationContacts($personIds: [ID!]!) { notificationContacts(personIds: $personIds) { personId mobile weChatOpenId displayName } }`;
const ACCOUNT_HOLDER = `query AccountHolder($id: ID!) { pointsAccount(id: $id) { id holder { id } } }`;

type RawOrder = {
  id: string;
  code: string;
  title: string;
  status: string;
  urgency: string;
  category: string;
  requester: { id: string } | null;
  placedBy: { id: string } | null;
  station: { id: string } | null;
  assignees: { id: string }[];
};

/** A query has no transitions to refuse, so "moved on" cannot come back; the client's failures are thrown classified. */
function data<T>(result: CallResult<T>): T {
  if (!result.done) throw new Error(`unexpected answer: ${result.movedOn}`);
  return result.data;
}

/** NOT_FOUND (or FORBIDDEN, which a missing record may read as) means there is nothing to address: no one. */
async function orNull<T>(call: Promise<T>): Promise<T | null> {
  try {
    return await call;
  } catch (error) {
    if (error instanceof RefusedCall && error.codes.length > 0 && error.codes.every((code) => code === 'NOT_FOUND' || code === 'FORBIDDEN')) return null;
    throw error;
  }
}

/** How many people one `notificationContacts` call asks for at most (the subgraph's list limit is well above it). */
const CONTACTS_PER_CALL = 200;

/**
 * Contacts asked for by jobs handled at the same time, read in one call: the first ask goes out at once; those that
 * arrive while it is on its way wait for it and go together in the next call (so nothing waits when the worker is
 * idle, and under load one HTTP read serves many messages). Every ask gets the answer of the call that carried it,
 * or its error. Nothing is kept between calls: a changed mobile number is read fresh by the next message.
 */
class ContactsBatcher {
  private waiting: { personIds: string[]; resolve: (contacts: Map<string, PersonContact>) => void; reject: (error: unknown) => void }[] = [];
  private inFlight = false;

  constructor(private readonly read: (personIds: string[]) => Promise<PersonContact[]>) {}

  load(personIds: string[]): Promise<Map<string, PersonContact>> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ personIds, resolve, reject });
      if (!this.inFlight) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.inFlight = true;
    try {
      while (this.waiting.length > 0) {
        const batch: typeof this.waiting = [];
        const ids = new Set<string>();
        while (this.waiting.length > 0 && (batch.length === 0 || ids.size + this.waiting[0]!.personIds.length <= CONTACTS_PER_CALL)) {
          const ask = this.waiting.shift()!;
          batch.push(ask);
          for (const id of ask.personIds) ids.add(id);
        }
        try {
          const found = new Map((await this.read([...ids])).map((contact) => [contact.personId, contact]));
          for (const ask of batch) ask.resolve(new Map(ask.personIds.filter((id) => found.has(id)).map((id) => [id, found.get(id)!])));
        } catch (error) {
          for (const ask of batch) ask.reject(error);
        }
      }
    } finally {
      this.inFlight = false;
    }
  }
}

/**
 * The owning services' reads the worker finds recipients with, called as SERVICE straight on each subgraph (signed as
 * the gateway signs): staff above a unit, volunteers' persons and people's contacts from the volunteers subgraph,
 * orders from the orders subgraph, account holders from the points subgraph. Never their tables.
 * Failures arrive classified: an unreachable or failing service is transient (the event is retried with backoff), a
 * refusal is permanent.
 */
export class RecipientsApi {
  private readonly contactsBatcher = new ContactsBatcher(async (personIds) =>
    (await this.volunteers.call<{ notificationContacts: PersonContact[] }>('notificationContacts', CONTACTS, { personIds }).then(data)).notificationContacts,
  );

  constructor(
    private readonly volunteers: ServiceClient,
    private readonly orders: ServiceClient,
    private readonly points: ServiceClient,
  ) {}

  static fromConfig(config: Config): RecipientsApi {
    const client = (url: string | undefined, port: number) =>
      new ServiceClient({ url: url ?? `http://localhost:${port}/graphql`, secret: config.CLAIMS_SIGNING_SECRET, claims: NOTIFICATION_WORKER_CLAIMS });
    return new RecipientsApi(
      client(config.VOLUNTEERS_SUBGRAPH_URL, config.VOLUNTEERS_PORT),
      client(config.ORDERS_SUBGRAPH_URL, config.ORDERS_PORT),
      client(config.POINTS_SUBGRAPH_URL, config.POINTS_PORT),
    );
  }

  async order(id: string): Promise<OrderFacts | null> {
    const result = await orNull(this.orders.call<{ order: RawOrder | null }>('order', ORDER, { id }).then(data));
    const order = result?.order;
    if (!order) return null;
    return {
      id: order.id,
      code: order.code,
      title: order.title,
      status: order.status,
      urgency: order.urgency,
      category: order.category,
      requesterId: order.requester?.id ?? null,
      placedById: order.placedBy?.id ?? null,
      stationId: order.station?.id ?? null,
      assigneeIds: order.assignees.map((volunteer) => volunteer.id),
    };
  }

  /** Staff with one of `roles` whose unit is `unitId` or one of its ancestors. */
  async staffAbove(unitId: string, roles: string[]): Promise<UnitStaff[]> {
    const result = await orNull(this.volunteers.call<{ staffAbove: UnitStaff[] }>('staffAbove', STAFF_ABOVE, { unitId, roles }).then(data));
    return result?.staffAbove ?? [];
  }

  async volunteerPersons(volunteerIds: string[]): Promise<string[]> {
    if (volunteerIds.length === 0) return [];
    const result = await this.volunteers
      .call<{ volunteerPersons: { volunteerId: string; personId: string }[] }>('volunteerPersons', VOLUNTEER_PERSONS, { volunteerIds })
      .then(data);
    return result.volunteerPersons.map((row) => row.personId);
  }

  /** People's contacts; asks of jobs handled at the same time share one call (see `ContactsBatcher`). */
  async contacts(personIds: string[]): Promise<Map<string, PersonContact>> {
    if (personIds.length === 0) return new Map();
    return this.contactsBatcher.load(personIds);
  }

  async accountHolder(accountId: string): Promise<string | null> {
    const result = await orNull(this.points.call<{ pointsAccount: { holder: { id: string } | null } | null }>('pointsAccount', ACCOUNT_HOLDER, { id: accountId }).then(data));
    return result?.pointsAccount?.holder?.id ?? null;
  }
}

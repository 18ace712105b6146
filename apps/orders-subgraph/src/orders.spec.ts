import { SQL_STATEMENTS_HEADER } from '@kz/subgraph';
import { errorCodes, graphql, GraphQLResult } from '@kz/testing';
import { as, OrdersFixture, startOrdersFixture } from './testing/orders-fixture';

const ORDER_ENTITIES = `query ($representations: [_Any!]!) {
  _entities(representations: $representations) {
    ... on ServiceOrder {
      id code title status createdAt station { id } assignees { id } minutesByVolunteer { volunteer { id } minutes }
      deliveries { round outcome minutesByVolunteer { volunteer { id } minutes } }
      timeline { action fromStatus toStatus actorRole actor { id } actorUnit { id } note at }
      requester { id } deadlines { acceptBy deliverBy evaluateBy } overdue carePlan { id }
    }
  }
}`;

const UNIT_ORDERS = `query ($representations: [_Any!]!, $first: Int, $after: String) {
  _entities(representations: $representations) {
    ... on PracticeUnit {
      id
      orders(first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { id code status } } }
      orderStats { total overdue byStatus { status count } medianMinutesToAccept }
    }
  }
}`;

type Entities = { _entities: Record<string, unknown>[] };
type UnitOrders = {
  id: string;
  orders: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: { node: { id: string } }[] };
  orderStats: { total: number };
};

function statementsOf(result: GraphQLResult): number {
  return Number(result.headers.get(SQL_STATEMENTS_HEADER));
}

describe('orders subgraph reads', () => {
  let fixture: OrdersFixture;
  let atStation5: string[];
  let atStation6: string[];

  beforeAll(async () => {
    fixture = await startOrdersFixture();
    // Five orders of station 5 at different stages, three dispatched to station 6, two not dispatched.
    atStation5 = [];
    for (const status of ['DISPATCHED', 'ACCEPTED', 'IN_PROGRESS', 'DELIVERED', 'EVALUATED']) atStation5.push(await fixture.orderIn(status));
    atStation6 = [];
    for (let i = 0; i < 3; i += 1) {
      const id = await fixture.orderIn('SUBMITTED');
      await fixture.must('dispatchOrder', { orderId: id, stationId: '6' }, 'dispatcher');
      atStation6.push(id);
    }
    await fixture.orderIn('SUBMITTED');
    await fixture.orderIn('SUBMITTED');
  });

  afterAll(() => fixture?.stop());

  const ask = (query: string, variables: Record<string, unknown>) => fixture.ask<Entities>(query, variables, 'dispatcher');

  it('resolves order references with their timelines and assignees in a constant number of SQL statements', async () => {
    const ids = [...atStation5, ...atStation6];
    const refs = (n: number) => ids.slice(0, n).map((id) => ({ __typename: 'ServiceOrder', id }));
    const two = await ask(ORDER_ENTITIES, { representations: refs(2) });
    const eight = await ask(ORDER_ENTITIES, { representations: refs(8) });
    expect(two.errors).toBeUndefined();
    expect(eight.errors).toBeUndefined();
    expect(eight.data!._entities.map((order) => order.id)).toEqual(ids);
    expect(eight.data!._entities[3]).toMatchObject({
      status: 'DELIVERED',
      station: { id: '5' },
      assignees: [{ id: '31' }],
      minutesByVolunteer: [{ volunteer: { id: '31' }, minutes: 90 }],
      deliveries: [{ round: 1, outcome: 'FULL', minutesByVolunteer: [{ volunteer: { id: '31' }, minutes: 90 }] }],
      requester: { id: '201' },
    });
    const timeline = eight.data!._entities[3]!.timeline as { action: string; actorRole: string }[];
    expect(timeline.map((entry) => entry.action)).toEqual(['SUBMITTED', 'DISPATCHED', 'ACCEPTED', 'ASSIGNED', 'STARTED', 'DELIVERED']);
    expect(timeline.map((entry) => entry.actorRole)).toEqual(['RESIDENT', 'DISPATCHER', 'STATION_ADMIN', 'STATION_ADMIN', 'STATION_ADMIN', 'STATION_ADMIN']);
    expect(statementsOf(two)).toBeGreaterThan(0);
    expect(statementsOf(eight)).toBe(statementsOf(two));
  });

  it('answers an unknown order with null', async () => {
    const result = await fixture.ask('query ($id: ID!) { order(id: $id) { id } }', { id: '999999' }, 'dispatcher');
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({ order: null });
  });

  it('lists the orders of a practice unit newest first, page by page', async () => {
    const unit5 = [{ __typename: 'PracticeUnit', id: '5' }];
    const first = await ask(UNIT_ORDERS, { representations: unit5, first: 3 });
    expect(first.errors).toBeUndefined();
    const page = first.data!._entities[0] as UnitOrders;
    expect(page.orders.totalCount).toBe(5);
    const newestFirst = [...atStation5].reverse();
    expect(page.orders.edges.map((edge) => edge.node.id)).toEqual(newestFirst.slice(0, 3));
    expect(page.orders.pageInfo.hasNextPage).toBe(true);

    const rest = await ask(UNIT_ORDERS, { representations: unit5, first: 3, after: page.orders.pageInfo.endCursor });
    expect(rest.data!._entities[0]).toMatchObject({
      orders: { pageInfo: { hasNextPage: false }, edges: newestFirst.slice(3).map((id) => ({ node: { id } })) },
    });
  });

  it('lists the orders and figures of many units (and of an institute, its stations together) in as many statements as of one', async () => {
    const one = await ask(UNIT_ORDERS, { representations: [{ __typename: 'PracticeUnit', id: '5' }] });
    const four = await ask(UNIT_ORDERS, { representations: ['5', '6', '7', '2'].map((id) => ({ __typename: 'PracticeUnit', id })) });
    expect(four.errors).toBeUndefined();
    const units = four.data!._entities as UnitOrders[];
    expect(units.map((unit) => unit.orders.totalCount)).toEqual([5, 3, 0, 8]);
    // Figures count the undispatched orders too, by the requester's home station (5).
    expect(units.map((unit) => unit.orderStats.total)).toEqual([7, 3, 0, 10]);
    expect(statementsOf(four)).toBe(statementsOf(one));
  });

  it('refuses a request that does not come from the gateway', async () => {
    const result = await graphql(fixture.alone.running.url, ORDER_ENTITIES, { representations: [{ __typename: 'ServiceOrder', id: atStation5[0] }] });
    expect(result.status).toBe(401);
    expect(errorCodes(result)).toEqual(['UNAUTHENTICATED']);
  });

  it('refuses an anonymous caller', async () => {
    const result = await fixture.ask(ORDER_ENTITIES, { representations: [{ __typename: 'ServiceOrder', id: atStation5[0] }] }, null);
    expect(errorCodes(result)).toEqual(['UNAUTHENTICATED']);
    const list = await fixture.ask(UNIT_ORDERS, { representations: [{ __typename: 'PracticeUnit', id: '5' }] }, null);
    expect(errorCodes(list)).toContain('UNAUTHENTICATED');
  });

  it('shows figures only to staff in scope of the unit', async () => {
    const STATS = `query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on PracticeUnit { orderStats { total } } } }`;
    const unit7 = { representations: [{ __typename: 'PracticeUnit', id: '7' }] };
    expect(errorCodes(await fixture.ask(STATS, unit7, 'resident'))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await fixture.ask(STATS, unit7, 'stationAdmin'))).toEqual(['FORBIDDEN']);
    expect((await fixture.ask(STATS, unit7, 'analyst')).errors).toBeUndefined();
    expect(as.analyst.unitPath).toBe('1');
  });
});

import type { Claims } from '@kz/auth';
import { SQL_STATEMENTS_HEADER, RunningSubgraph } from '@kz/subgraph';
import { errorCodes, graphql, GraphQLResult, startSubgraphAlone, SubgraphAlone } from '@kz/testing';
import { startOrdersSubgraph } from './app';

const dispatcher: Claims = { sub: '1', roles: ['DISPATCHER'], unitId: '1', unitPath: '1' };

const ORDER_ENTITIES = `query ($representations: [_Any!]!) {
  _entities(representations: $representations) {
    ... on ServiceOrder { id code title status createdAt station { id } }
  }
}`;

const UNIT_ORDERS = `query ($representations: [_Any!]!, $first: Int, $after: String) {
  _entities(representations: $representations) {
    ... on PracticeUnit {
      id
      orders(first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { id code status } } }
    }
  }
}`;

type Entities = { _entities: Record<string, unknown>[] };
type UnitOrders = {
  id: string;
  orders: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: { node: { id: string } }[] };
};

function statementsOf(result: GraphQLResult): number {
  return Number(result.headers.get(SQL_STATEMENTS_HEADER));
}

describe('orders subgraph', () => {
  let alone: SubgraphAlone<RunningSubgraph>;
  let running: RunningSubgraph;
  let orderIds: string[];

  // Signed as the gateway would; claims default to dispatcher (null: an anonymous caller).
  const ask = (query: string, variables?: Record<string, unknown>, claims?: Claims | null) => alone.ask<Entities>(query, variables, claims);

  beforeAll(async () => {
    alone = await startSubgraphAlone('ORDERS_DATABASE', (config) => startOrdersSubgraph(config, { port: 0 }), dispatcher);
    running = alone.running;
    // Ten orders: the first five dispatched to station 5, the next three to station 6, the last two not yet dispatched.
    const rows = await running.dataSource.query(
      `INSERT INTO service_order (code, title, status, station_id, station_path)
       SELECT 'SO-TEST-' || lpad(n::text, 4, '0'), '助老送餐 ' || n,
              CASE WHEN n <= 8 THEN 'DISPATCHED' ELSE 'SUBMITTED' END,
              CASE WHEN n <= 5 THEN 5 WHEN n <= 8 THEN 6 END,
              CASE WHEN n <= 5 THEN '1/2/5' WHEN n <= 8 THEN '1/2/6' END
         FROM generate_series(1, 10) AS n ORDER BY n RETURNING id`,
    );
    orderIds = rows.map((row: { id: string }) => String(row.id));
  });

  afterAll(() => alone?.stop());

  it('resolves order references in a constant number of SQL statements', async () => {
    const refs = (n: number) => orderIds.slice(0, n).map((id) => ({ __typename: 'ServiceOrder', id }));
    const two = await ask(ORDER_ENTITIES, { representations: refs(2) });
    const ten = await ask(ORDER_ENTITIES, { representations: refs(10) });
    expect(two.errors).toBeUndefined();
    expect(ten.errors).toBeUndefined();
    expect(ten.data!._entities.map((order) => order.id)).toEqual(orderIds);
    expect(ten.data!._entities[0]).toMatchObject({ code: 'SO-TEST-0001', title: '助老送餐 1', status: 'DISPATCHED', station: { id: '5' } });
    expect(ten.data!._entities[9]).toMatchObject({ status: 'SUBMITTED', station: null });
    expect(statementsOf(two)).toBeGreaterThan(0);
    expect(statementsOf(ten)).toBe(statementsOf(two));
  });

  it('answers an unknown order with null', async () => {
    const result = await ask('query ($id: ID!) { order(id: $id) { id } }', { id: '999999' });
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({ order: null });
  });

  it('lists the orders of a practice unit, page by page', async () => {
    const unit5 = [{ __typename: 'PracticeUnit', id: '5' }];
    const first = await ask(UNIT_ORDERS, { representations: unit5, first: 3 });
    expect(first.errors).toBeUndefined();
    const page = first.data!._entities[0] as UnitOrders;
    expect(page.orders.totalCount).toBe(5);
    expect(page.orders.edges.map((edge) => edge.node.id)).toEqual(orderIds.slice(0, 3));
    expect(page.orders.pageInfo.hasNextPage).toBe(true);

    const rest = await ask(UNIT_ORDERS, { representations: unit5, first: 3, after: page.orders.pageInfo.endCursor });
    expect(rest.data!._entities[0]).toMatchObject({
      orders: { pageInfo: { hasNextPage: false }, edges: orderIds.slice(3, 5).map((id) => ({ node: { id } })) },
    });
  });

  it('lists the orders of many units in as many statements as of one', async () => {
    const one = await ask(UNIT_ORDERS, { representations: [{ __typename: 'PracticeUnit', id: '5' }] });
    const three = await ask(UNIT_ORDERS, { representations: ['5', '6', '7'].map((id) => ({ __typename: 'PracticeUnit', id })) });
    expect((three.data!._entities as UnitOrders[]).map((unit) => unit.orders.totalCount)).toEqual([5, 3, 0]);
    expect(statementsOf(three)).toBe(statementsOf(one));
  });

  it('refuses a request that does not come from the gateway', async () => {
    const result = await graphql(alone.running.url, ORDER_ENTITIES, { representations: [{ __typename: 'ServiceOrder', id: orderIds[0] }] });
    expect(result.status).toBe(401);
    expect(errorCodes(result)).toEqual(['UNAUTHENTICATED']);
  });

  it('refuses an anonymous caller', async () => {
    const result = await ask(ORDER_ENTITIES, { representations: [{ __typename: 'ServiceOrder', id: orderIds[0] }] }, null);
    expect(errorCodes(result)).toEqual(['UNAUTHENTICATED']);
    const list = await ask(UNIT_ORDERS, { representations: [{ __typename: 'PracticeUnit', id: '5' }] }, null);
    expect(errorCodes(list)).toEqual(['UNAUTHENTICATED']);
  });
});

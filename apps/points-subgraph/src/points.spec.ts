import type { Claims } from '@kz/auth';
import { SQL_STATEMENTS_HEADER, RunningSubgraph } from '@kz/subgraph';
import { errorCodes, graphql, GraphQLResult, startSubgraphAlone, SubgraphAlone } from '@kz/testing';
import { startPointsSubgraph } from './app';

const resident: Claims = { sub: '101', roles: ['RESIDENT'] };
const center: Claims = { sub: '1', roles: ['CENTER_ADMIN'], unitId: '1', unitPath: '1' };

const ACCOUNT_ENTITIES = `query ($representations: [_Any!]!) {
  _entities(representations: $representations) {
    ... on PointsAccount { id cardNumber balance reserved available createdAt }
  }
}`;

const PERSON_ACCOUNTS = `query ($representations: [_Any!]!) {
  _entities(representations: $representations) {
    ... on Person { id pointsAccount { id cardNumber available } }
    ... on Volunteer { id pointsAccount { id cardNumber } }
  }
}`;

type Entities = { _entities: Record<string, unknown>[] };

function statementsOf(result: GraphQLResult): number {
  return Number(result.headers.get(SQL_STATEMENTS_HEADER));
}

describe('points subgraph', () => {
  let alone: SubgraphAlone<RunningSubgraph>;
  let running: RunningSubgraph;
  let accountIds: string[];

  // Signed as the gateway would; claims default to resident (null: an anonymous caller).
  const ask = (query: string, variables?: Record<string, unknown>, claims?: Claims | null) => alone.ask<Entities>(query, variables, claims);

  beforeAll(async () => {
    alone = await startSubgraphAlone('POINTS_DATABASE', (config) => startPointsSubgraph(config, { port: 0 }), resident);
    running = alone.running;
    // Ten accounts, of persons 101…110; person n holds 10·n points of which n are reserved.
    const rows = await running.dataSource.query(
      `INSERT INTO points_account (person_id, card_number, balance, reserved)
       SELECT 100 + n, 'KZ' || lpad(n::text, 8, '0'), 10 * n, n FROM generate_series(1, 10) AS n ORDER BY n RETURNING id`,
    );
    accountIds = rows.map((row: { id: string }) => String(row.id));
  });

  afterAll(() => alone?.stop());

  it('resolves account references in a constant number of SQL statements', async () => {
    const refs = (n: number) => accountIds.slice(0, n).map((id) => ({ __typename: 'PointsAccount', id }));
    const two = await ask(ACCOUNT_ENTITIES, { representations: refs(2) }, center);
    const ten = await ask(ACCOUNT_ENTITIES, { representations: refs(10) }, center);
    expect(two.errors).toBeUndefined();
    expect(ten.errors).toBeUndefined();
    expect(ten.data!._entities.map((account) => account.id)).toEqual(accountIds);
    expect(ten.data!._entities[2]).toMatchObject({ cardNumber: 'KZ00000003', balance: 30, reserved: 3, available: 27 });
    expect(statementsOf(two)).toBeGreaterThan(0);
    expect(statementsOf(ten)).toBe(statementsOf(two));
  });

  it('answers an unknown account with null to the center admin, and FORBIDDEN to anyone else, as for a hidden one', async () => {
    const query = 'query ($id: ID!) { pointsAccount(id: $id) { id } }';
    const result = await ask(query, { id: '999999' }, center);
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({ pointsAccount: null });
    expect(errorCodes(await ask(query, { id: '999999' }))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await ask(query, { id: accountIds[1] }))).toEqual(['FORBIDDEN']);
  });

  it('lets a worker (SERVICE) read who holds any account, but not its figures, its statement or anyone else more', async () => {
    const worker: Claims = { sub: 'notification-worker', roles: ['SERVICE'] };
    const HOLDER = 'query ($id: ID!) { pointsAccount(id: $id) { id holder { id } cardNumber } }';
    const read = await ask(HOLDER, { id: accountIds[2] }, worker);
    expect(read.errors).toBeUndefined();
    expect(read.data).toEqual({ pointsAccount: { id: accountIds[2], holder: { id: '103' }, cardNumber: 'KZ00000003' } });
    expect((await ask(HOLDER, { id: '999999' }, worker)).data).toEqual({ pointsAccount: null });
    const figures = await ask('query ($id: ID!) { pointsAccount(id: $id) { id balance } }', { id: accountIds[2] }, worker);
    expect(errorCodes(figures)).toEqual(['FORBIDDEN']);
    const statement = await ask('query ($id: ID!) { pointsAccount(id: $id) { transactions { totalCount } } }', { id: accountIds[2] }, worker);
    expect(errorCodes(statement)).toEqual(['FORBIDDEN']);
    const person = await ask(PERSON_ACCOUNTS, { representations: [{ __typename: 'Person', id: '103' }] }, worker);
    expect(person.data!._entities).toEqual([{ id: '103', pointsAccount: null }]);
    expect(errorCodes(person)).toEqual(['FORBIDDEN']);
    // Other callers are where they were: the holder yes, another resident and out-of-scope staff no.
    expect((await ask(HOLDER, { id: accountIds[2] }, { sub: '103', roles: ['RESIDENT'] })).data).toEqual(read.data);
    expect(errorCodes(await ask(HOLDER, { id: accountIds[2] }))).toEqual(['FORBIDDEN']);
    const station = { sub: '2', roles: ['STATION_ADMIN'], unitId: '5', unitPath: '1/2/5' } as Claims;
    expect(errorCodes(await ask(HOLDER, { id: accountIds[2] }, station))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await ask(HOLDER, { id: accountIds[2] }, null))).toEqual(['UNAUTHENTICATED']);
  });

  it("adds a person's account to Person, batched, and null for a person without one", async () => {
    const persons = (ids: number[]) => ids.map((id) => ({ __typename: 'Person', id: String(id) }));
    const two = await ask(PERSON_ACCOUNTS, { representations: persons([101, 199]) }, center);
    expect(two.errors).toBeUndefined();
    expect(two.data!._entities).toEqual([
      { id: '101', pointsAccount: { id: accountIds[0], cardNumber: 'KZ00000001', available: 9 } },
      { id: '199', pointsAccount: null },
    ]);
    const ten = await ask(PERSON_ACCOUNTS, { representations: persons([101, 102, 103, 104, 105, 106, 107, 108, 109, 110]) }, center);
    expect(ten.data!._entities.map((person) => (person.pointsAccount as { id: string }).id)).toEqual(accountIds);
    expect(statementsOf(ten)).toBe(statementsOf(two));
  });

  it("adds the volunteer's person's account to Volunteer (the gateway supplies `person { id }`)", async () => {
    const result = await ask(PERSON_ACCOUNTS, {
      representations: [
        { __typename: 'Volunteer', id: '7', person: { id: '104' } },
        { __typename: 'Volunteer', id: '8', person: { id: '105' } },
      ],
    }, center);
    expect(result.errors).toBeUndefined();
    expect(result.data!._entities).toEqual([
      { id: '7', pointsAccount: { id: accountIds[3], cardNumber: 'KZ00000004' } },
      { id: '8', pointsAccount: { id: accountIds[4], cardNumber: 'KZ00000005' } },
    ]);
  });

  it('refuses a request that does not come from the gateway', async () => {
    const result = await graphql(alone.running.url, ACCOUNT_ENTITIES, { representations: [{ __typename: 'PointsAccount', id: accountIds[0] }] });
    expect(result.status).toBe(401);
    expect(errorCodes(result)).toEqual(['UNAUTHENTICATED']);
  });

  it('refuses an anonymous caller', async () => {
    const result = await ask(ACCOUNT_ENTITIES, { representations: [{ __typename: 'PointsAccount', id: accountIds[0] }] }, null);
    expect(errorCodes(result)).toEqual(['UNAUTHENTICATED']);
    const person = await ask(PERSON_ACCOUNTS, { representations: [{ __typename: 'Person', id: '101' }] }, null);
    expect(errorCodes(person)).toEqual(['UNAUTHENTICATED']);
  });
});

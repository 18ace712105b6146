import type { Claims } from '@kz/auth';
import { RunningSubgraph, SQL_STATEMENTS_HEADER } from '@kz/subgraph';
import { GraphQLResult, startSubgraphAlone, SubgraphAlone } from '@kz/testing';
import { startVolunteersSubgraph } from '../app';

const admin: Claims = { sub: '1', roles: ['CENTER_ADMIN'], unitId: '1', unitPath: '1' };

const RECORD_FIELDS = `id minutes status category { code name } unit { id } activity { id title }
  volunteer { id person { displayName } } verifiedBy { id displayName } history { action newMinutes changedBy { id displayName } } correctionRequests { id status }`;
const LIST = `query ($first: Int) { serviceRecords(first: $first) { totalCount edges { node { ${RECORD_FIELDS} } } } }`;
const ENTITIES = `query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on ServiceRecord { ${RECORD_FIELDS} } } }`;

type List = { serviceRecords: { totalCount: number; edges: { node: Record<string, unknown> }[] } };
type Entities = { _entities: Record<string, unknown>[] };

const statementsOf = (result: GraphQLResult) => Number(result.headers.get(SQL_STATEMENTS_HEADER));

describe('service records in the volunteers subgraph', () => {
  let alone: SubgraphAlone<RunningSubgraph>;
  let recordIds: string[];

  beforeAll(async () => {
    alone = await startSubgraphAlone('VOLUNTEERS_DATABASE', (config) => startVolunteersSubgraph(config, { port: 0 }), admin);
    const db = alone.running.dataSource;
    // Ten volunteers with a person each, one record each (verified by the previous volunteer's person), two history lines.
    const people: { id: string }[] = await db.query(
      `INSERT INTO person (real_name, mobile) SELECT '王' || chr(19968 + n), '1380000' || lpad(n::text, 4, '0')
         FROM generate_series(1, 10) AS n RETURNING id::text`,
    );
    const volunteers: { id: string }[] = await db.query(
      `INSERT INTO volunteer (person_id, status, home_station_id, home_station_path)
       SELECT id, 'ACTIVE', 5, '1/2/5' FROM unnest($1::bigint[]) AS p(id) ORDER BY id RETURNING id::text`,
      [people.map((person) => person.id)],
    );
    const records: { id: string }[] = await db.query(
      `INSERT INTO service_record (volunteer_id, unit_id, unit_path, category, title, started_at, minutes, status, source, evidence,
                                   verified_by, verified_at, created_by)
       SELECT v.id, 5, '1/2/5', CASE WHEN v.n % 2 = 0 THEN 'ENVIRONMENT' ELSE 'CIVILITY' END, '文明劝导',
              now() - v.n * interval '1 hour', 30 + v.n, 'VERIFIED', 'OFFLINE', '签到表', ($2::text[])[v.n], now(), ($2::text[])[v.n]
         FROM unnest($1::bigint[]) WITH ORDINALITY AS v(id, n) RETURNING id::text`,
      [volunteers.map((volunteer) => volunteer.id), people.map((person) => person.id)],
    );
    recordIds = records.map((record) => record.id);
    // Each record but the newest belongs to an activity of its own.
    await db.query(
      `WITH made AS (
         INSERT INTO activity (title, category, organizing_unit_id, organizing_unit_path, starts_at, ends_at, place_name, lat, lng,
                               check_in_radius_m, capacity, status, created_by)
         SELECT '环境整治 ' || n, 'ENVIRONMENT', 5, '1/2/5', now() - interval '1 day', now() - interval '20 hours', '广场', 31.1, 108.4, 100, 10, 'DONE', 'test'
           FROM generate_series(2, 10) AS n RETURNING id, title
       )
       UPDATE service_record r SET activity_id = made.id FROM made WHERE r.id = ($1::bigint[])[substr(made.title, 6)::int]`,
      [recordIds],
    );
    await db.query(
      `INSERT INTO service_record_change (record_id, action, new_minutes, changed_by)
       SELECT id, action, minutes, verified_by FROM service_record CROSS JOIN unnest(ARRAY['CREATED', 'VERIFIED']) AS a(action) ORDER BY id, action`,
    );
  });

  afterAll(() => alone?.stop());

  it('lists records with their volunteer, people, category and history in a constant number of statements', async () => {
    const two = await alone.ask<List>(LIST, { first: 2 });
    const ten = await alone.ask<List>(LIST, { first: 10 });
    expect(two.errors).toBeUndefined();
    expect(ten.errors).toBeUndefined();
    expect(ten.data!.serviceRecords.totalCount).toBe(10);
    // Newest service first: the record that started one hour ago.
    expect(ten.data!.serviceRecords.edges.map((edge) => edge.node.id)).toEqual(recordIds);
    expect(ten.data!.serviceRecords.edges[0]!.node).toMatchObject({
      minutes: 31,
      category: { code: 'CIVILITY', name: '文明劝导' },
      unit: { id: '5' },
      activity: null,
      volunteer: { person: { displayName: '王*' } },
      verifiedBy: { displayName: '王*' },
      history: [
        { action: 'CREATED', newMinutes: 31, changedBy: { displayName: '王*' } },
        { action: 'VERIFIED', newMinutes: 31, changedBy: { displayName: '王*' } },
      ],
    });
    expect(ten.data!.serviceRecords.edges[1]!.node).toMatchObject({ activity: { title: '环境整治 2' } });
    expect(statementsOf(two)).toBeGreaterThan(0);
    expect(statementsOf(ten)).toBe(statementsOf(two));
  });

  it('resolves record references in a constant number of statements', async () => {
    const refs = (n: number) => recordIds.slice(0, n).map((id) => ({ __typename: 'ServiceRecord', id }));
    const two = await alone.ask<Entities>(ENTITIES, { representations: refs(2) });
    const ten = await alone.ask<Entities>(ENTITIES, { representations: refs(10) });
    expect(ten.errors).toBeUndefined();
    expect(ten.data!._entities.map((record) => record.id)).toEqual(recordIds);
    expect(statementsOf(ten)).toBe(statementsOf(two));
  });

  it('hides records from a volunteer who is not theirs', async () => {
    const stranger: Claims = { sub: '999999', roles: ['RESIDENT', 'VOLUNTEER'] };
    const list = await alone.ask<List>(LIST, { first: 10 }, stranger);
    expect(list.data!.serviceRecords).toEqual({ totalCount: 0, edges: [] });
    const refs = await alone.ask<Entities>(ENTITIES, { representations: [{ __typename: 'ServiceRecord', id: recordIds[0] }] }, stranger);
    expect(refs.data!._entities).toEqual([null]);
  });
});

import type { Claims } from '@kz/auth';
import { SQL_STATEMENTS_HEADER, RunningSubgraph } from '@kz/subgraph';
import { errorCodes, graphql, GraphQLResult, startSubgraphAlone, SubgraphAlone } from '@kz/testing';
import { startVolunteersSubgraph } from './app';

const admin: Claims = { sub: '1', roles: ['CENTER_ADMIN'], unitId: '1', unitPath: '1' };

const VOLUNTEER_ENTITIES = `query ($representations: [_Any!]!) {
  _entities(representations: $representations) {
    ... on Volunteer { id status verifiedMinutes createdAt person { id displayName } homeStation { id } }
  }
}`;

const UNIT_VOLUNTEERS = `query ($representations: [_Any!]!, $first: Int, $after: String) {
  _entities(representations: $representations) {
    ... on PracticeUnit {
      id
      volunteers(first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { id person { displayName } } } }
    }
  }
}`;

const TEAM_MEMBERS = `query ($representations: [_Any!]!) {
  _entities(representations: $representations) {
    ... on Team { id members { totalCount edges { node { id } } } }
  }
}`;

const UNIT_STATS = `query ($representations: [_Any!]!) {
  _entities(representations: $representations) {
    ... on PracticeUnit { volunteerStats { registered active pending verifiedMinutes services } }
  }
}`;

type Entities = { _entities: Record<string, unknown>[] };

function statementsOf(result: GraphQLResult): number {
  return Number(result.headers.get(SQL_STATEMENTS_HEADER));
}

describe('volunteers subgraph', () => {
  let alone: SubgraphAlone<RunningSubgraph>;
  let running: RunningSubgraph;
  let volunteerIds: string[];

  // Signed as the gateway would; claims default to admin (null: an anonymous caller).
  const ask = (query: string, variables?: Record<string, unknown>, claims?: Claims | null) => alone.ask<Entities>(query, variables, claims);

  beforeAll(async () => {
    alone = await startSubgraphAlone('VOLUNTEERS_DATABASE', (config) => startVolunteersSubgraph(config, { port: 0 }), admin);
    running = alone.running;
    // Ten volunteers: the first six based at station 5 (path 1/2/5), the rest at station 6; 2 and 4 in team 9.
    const people = await running.dataSource.query(
      `INSERT INTO person (real_name, mobile)
       SELECT '张' || chr(19968 + n), '1380000' || lpad(n::text, 4, '0') FROM generate_series(1, 10) AS n RETURNING id`,
    );
    const volunteers = await running.dataSource.query(
      `INSERT INTO volunteer (person_id, status, home_station_id, home_station_path, verified_minutes)
       SELECT id, 'ACTIVE', CASE WHEN row_number() OVER (ORDER BY id) <= 6 THEN 5 ELSE 6 END,
              CASE WHEN row_number() OVER (ORDER BY id) <= 6 THEN '1/2/5' ELSE '1/2/6' END, 90
         FROM person WHERE id = ANY($1::bigint[]) ORDER BY id RETURNING id`,
      [people.map((row: { id: string }) => row.id)],
    );
    volunteerIds = volunteers.map((row: { id: string }) => String(row.id));
    await running.dataSource.query('INSERT INTO team_membership (volunteer_id, team_id) VALUES ($1, 9), ($2, 9)', [
      volunteerIds[1],
      volunteerIds[3],
    ]);
    // The replica of the units above: center 1, institute 2, stations 5, 6 and 7.
    await running.dataSource.query(
      `INSERT INTO unit_ref (id, code, path, level, name, version) VALUES
         (1, 'C', '1', 'CENTER', '中心', now()), (2, 'I', '1/2', 'INSTITUTE', '所', now()),
         (5, 'S5', '1/2/5', 'STATION', '站5', now()), (6, 'S6', '1/2/6', 'STATION', '站6', now()), (7, 'S7', '1/2/7', 'STATION', '站7', now())`,
    );
  });

  afterAll(() => alone?.stop());

  it('resolves volunteer references in a constant number of SQL statements, with masked names', async () => {
    const refs = (n: number) => volunteerIds.slice(0, n).map((id) => ({ __typename: 'Volunteer', id }));
    const two = await ask(VOLUNTEER_ENTITIES, { representations: refs(2) });
    const ten = await ask(VOLUNTEER_ENTITIES, { representations: refs(10) });
    expect(two.errors).toBeUndefined();
    expect(ten.errors).toBeUndefined();
    expect(ten.data!._entities.map((volunteer) => volunteer.id)).toEqual(volunteerIds);
    expect(ten.data!._entities[0]).toMatchObject({
      status: 'ACTIVE',
      verifiedMinutes: 90,
      person: { displayName: '张*' },
      homeStation: { id: '5' },
    });
    expect(statementsOf(two)).toBeGreaterThan(0);
    expect(statementsOf(ten)).toBe(statementsOf(two));
  });

  it('answers an unknown volunteer with null', async () => {
    const result = await ask('query ($id: ID!) { volunteer(id: $id) { id } }', { id: '999999' });
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({ volunteer: null });
  });

  it('lists the volunteers of a practice unit, page by page', async () => {
    const first = await ask(UNIT_VOLUNTEERS, { representations: [{ __typename: 'PracticeUnit', id: '5' }], first: 4 });
    expect(first.errors).toBeUndefined();
    const unit = first.data!._entities[0] as {
      volunteers: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string }; edges: { node: { id: string } }[] };
    };
    expect(unit.volunteers.totalCount).toBe(6);
    expect(unit.volunteers.edges.map((edge) => edge.node.id)).toEqual(volunteerIds.slice(0, 4));
    expect(unit.volunteers.pageInfo.hasNextPage).toBe(true);

    const rest = await ask(UNIT_VOLUNTEERS, {
      representations: [{ __typename: 'PracticeUnit', id: '5' }],
      first: 4,
      after: unit.volunteers.pageInfo.endCursor,
    });
    expect(rest.data!._entities[0]).toMatchObject({
      volunteers: { pageInfo: { hasNextPage: false }, edges: volunteerIds.slice(4, 6).map((id) => ({ node: { id } })) },
    });
  });

  it('lists the volunteers of many units in as many statements as of one', async () => {
    const one = await ask(UNIT_VOLUNTEERS, { representations: [{ __typename: 'PracticeUnit', id: '5' }] });
    const three = await ask(UNIT_VOLUNTEERS, {
      representations: ['5', '6', '7'].map((id) => ({ __typename: 'PracticeUnit', id })),
    });
    expect(three.data!._entities.map((unit) => (unit as { volunteers: { totalCount: number } }).volunteers.totalCount)).toEqual([6, 4, 0]);
    expect(statementsOf(three)).toBe(statementsOf(one));
  });

  it('lists the volunteers of a station to the admin of its subtree, and refuses another station’s at its path', async () => {
    const stationFive: Claims = { sub: '2', roles: ['STATION_ADMIN'], unitId: '5', unitPath: '1/2/5' };
    const result = await ask(UNIT_VOLUNTEERS, { representations: ['5', '6'].map((id) => ({ __typename: 'PracticeUnit', id })) }, stationFive);
    const units = result.data!._entities as { volunteers: { totalCount: number } | null }[];
    expect(units[0]!.volunteers!.totalCount).toBe(6);
    expect(units[1]!.volunteers).toBeNull();
    expect(result.errors?.map((error) => [error.extensions?.code, error.path])).toEqual([['FORBIDDEN', ['_entities', 1, 'volunteers']]]);
  });

  it('answers the volunteer figures of many units in as many statements as of one', async () => {
    const one = await ask(UNIT_STATS, { representations: [{ __typename: 'PracticeUnit', id: '5' }] });
    const four = await ask(UNIT_STATS, { representations: ['1', '2', '5', '6'].map((id) => ({ __typename: 'PracticeUnit', id })) });
    expect(four.errors).toBeUndefined();
    expect(four.data!._entities.map((unit) => (unit as { volunteerStats: { registered: number } }).volunteerStats.registered)).toEqual([10, 10, 6, 4]);
    expect(four.data!._entities[2]).toEqual({ volunteerStats: { registered: 6, active: 6, pending: 0, verifiedMinutes: 0, services: 0 } });
    expect(statementsOf(four)).toBe(statementsOf(one));
  });

  it('lists the members of a team', async () => {
    const result = await ask(TEAM_MEMBERS, { representations: [{ __typename: 'Team', id: '9' }, { __typename: 'Team', id: '10' }] });
    expect(result.errors).toBeUndefined();
    expect(result.data!._entities).toEqual([
      { id: '9', members: { totalCount: 2, edges: [{ node: { id: volunteerIds[1] } }, { node: { id: volunteerIds[3] } }] } },
      { id: '10', members: { totalCount: 0, edges: [] } },
    ]);
  });

  it('searches volunteers in one statement: the page, its total, the persons and the skill names', async () => {
    const institute: Claims = { sub: '3', roles: ['INSTITUTE_ADMIN'], unitId: '2', unitPath: '1/2' };
    // A code no longer in the taxonomy is left out of the skills, as ever.
    await running.dataSource.query(`UPDATE volunteer SET skills = '{MEDICAL,GONE}' WHERE id = $1`, [volunteerIds[0]]);
    await running.dataSource.query(`UPDATE volunteer SET skills = '{LEGAL,MEDICAL}' WHERE id = $1`, [volunteerIds[2]]);
    type Search = {
      volunteers: {
        totalCount: number;
        pageInfo: { hasNextPage: boolean; endCursor: string };
        edges: { node: { id: string; person: { displayName: string }; skills: { code: string; name: string }[] } }[];
      };
    };
    const search = (filter: Record<string, unknown>, after?: string) =>
      alone.ask<Search>(
        `query ($filter: VolunteerFilter, $after: String) {
           volunteers(filter: $filter, first: 3, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { ...Card } } }
         }
         fragment Card on Volunteer { id person { displayName } ... on Volunteer { skills { code name } } }`,
        { filter, after },
        institute,
      );
    try {
      const first = await search({ withinUnitId: '5', status: 'ACTIVE', search: '张' });
      expect(first.errors).toBeUndefined();
      expect(statementsOf(first)).toBe(1);
      expect(first.data!.volunteers).toMatchObject({ totalCount: 6, pageInfo: { hasNextPage: true } });
      expect(first.data!.volunteers.edges.map((edge) => edge.node)).toEqual([
        { id: volunteerIds[0], person: { displayName: '张*' }, skills: [{ code: 'MEDICAL', name: '医疗健康' }] },
        { id: volunteerIds[1], person: { displayName: '张*' }, skills: [] },
        {
          id: volunteerIds[2],
          person: { displayName: '张*' },
          skills: [
            { code: 'LEGAL', name: '法律咨询' },
            { code: 'MEDICAL', name: '医疗健康' },
          ],
        },
      ]);
      const rest = await search({ withinUnitId: '5', status: 'ACTIVE', search: '张' }, first.data!.volunteers.pageInfo.endCursor);
      expect(rest.data!.volunteers.totalCount).toBe(6);
      expect(rest.data!.volunteers.edges.map((edge) => edge.node.id)).toEqual(volunteerIds.slice(3, 6));
      expect((await search({ withinUnitId: '2', skills: ['MEDICAL'] })).data!.volunteers.totalCount).toBe(2);
      // Nothing matches: an empty page and a total of 0.
      const none = await search({ withinUnitId: '7' });
      expect(none.data!.volunteers).toEqual({ totalCount: 0, pageInfo: { hasNextPage: false, endCursor: null }, edges: [] });
      // An unknown unit is bad input.
      expect(errorCodes(await search({ withinUnitId: '999' }))).toEqual(['BAD_USER_INPUT']);
    } finally {
      await running.dataSource.query(`UPDATE volunteer SET skills = '{}' WHERE id = ANY($1::bigint[])`, [[volunteerIds[0], volunteerIds[2]]]);
    }
  });

  it('refuses a request that does not come from the gateway', async () => {
    const result = await graphql(alone.running.url, VOLUNTEER_ENTITIES, { representations: [{ __typename: 'Volunteer', id: volunteerIds[0] }] });
    expect(result.status).toBe(401);
    expect(errorCodes(result)).toEqual(['UNAUTHENTICATED']);
  });

  it('refuses an anonymous caller', async () => {
    const result = await ask(VOLUNTEER_ENTITIES, { representations: [{ __typename: 'Volunteer', id: volunteerIds[0] }] }, null);
    expect(errorCodes(result)).toEqual(['UNAUTHENTICATED']);
    const list = await ask(UNIT_VOLUNTEERS, { representations: [{ __typename: 'PracticeUnit', id: '5' }] }, null);
    expect(errorCodes(list)).toEqual(['UNAUTHENTICATED']);
  });
});

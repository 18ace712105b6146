import type { Claims } from '@kz/auth';
import { RunningSubgraph, SQL_STATEMENTS_HEADER } from '@kz/subgraph';
import { errorCodes, GraphQLResult, startSubgraphAlone, SubgraphAlone } from '@kz/testing';
import { startVolunteersSubgraph } from '../app';

// Two queries, so that each has one chain of dependent loads: DataLoader batches what is asked in the same tick,
// and two chains finishing at different moments would make the count depend on timing, not on the number of items.
const ACTIVITY_ENTITIES = `query ($representations: [_Any!]!) {
  _entities(representations: $representations) {
    ... on Activity {
      id status signedUpCount waitlistCount
      category { code name } requiredSkills { code name } organizingUnit { id }
      mySignUp { status waitlistPosition activity { id } volunteer { id } }
    }
  }
}`;

const ACTIVITY_SIGN_UPS = `query ($representations: [_Any!]!) {
  _entities(representations: $representations) {
    ... on Activity { id signUps(first: 5) { totalCount edges { node { status waitlistPosition volunteer { id } } } } }
  }
}`;

const ACTIVITY_LIST = `query ($first: Int) {
  activities(first: $first) { edges { node { id category { name } requiredSkills { name } waitlistCount mySignUp { status } } } }
}`;

type Entities = { _entities: { id: string; mySignUp: { status: string; waitlistPosition: number | null } | null; waitlistCount: number }[] };

const statementsOf = (result: GraphQLResult) => Number(result.headers.get(SQL_STATEMENTS_HEADER));

describe('activities in the volunteers subgraph', () => {
  let alone: SubgraphAlone<RunningSubgraph>;
  let activityIds: string[];
  let staffVolunteer: Claims;

  beforeAll(async () => {
    alone = await startSubgraphAlone('VOLUNTEERS_DATABASE', (config) => startVolunteersSubgraph(config, { port: 0 }));
    const db = alone.running.dataSource;
    // Ten published activities of station 1/2/5, each with three sign-ups: one holds the only place, two wait.
    const people: { id: string }[] = await db.query(
      `INSERT INTO person (real_name, mobile) SELECT '李' || n, '1380000' || lpad(n::text, 4, '0') FROM generate_series(1, 3) AS n RETURNING id::text`,
    );
    const volunteers: { id: string }[] = await db.query(
      `INSERT INTO volunteer (person_id, status, home_station_id, home_station_path)
       SELECT unnest($1::bigint[]), 'ACTIVE', 5, '1/2/5' RETURNING id::text`,
      [people.map((person) => person.id)],
    );
    const activities: { id: string }[] = await db.query(
      `INSERT INTO activity (title, category, organizing_unit_id, organizing_unit_path, starts_at, ends_at, place_name, lat, lng,
                             check_in_radius_m, capacity, required_skills, status, signed_up, created_by)
       SELECT '活动' || n, 'ENVIRONMENT', 5, '1/2/5', now() + make_interval(days => n), now() + make_interval(days => n, hours => 2),
              '广场', 31.16, 108.39, 200, 1, '{ENVIRONMENT,REPAIR}', 'PUBLISHED', 1, 'seed'
         FROM generate_series(1, 10) AS n RETURNING id::text`,
    );
    activityIds = activities.map((activity) => activity.id);
    await db.query(
      `INSERT INTO activity_signup (activity_id, volunteer_id, status, signed_up_at)
       SELECT a, v.id, CASE WHEN v.n = 1 THEN 'SIGNED_UP' ELSE 'WAITLISTED' END, now() + make_interval(secs => v.n)
         FROM unnest($1::bigint[]) AS a, unnest($2::bigint[]) WITH ORDINALITY AS v(id, n)`,
      [activityIds, volunteers.map((volunteer) => volunteer.id)],
    );
    // The staff member of the station is also the third volunteer, second on every waitlist.
    staffVolunteer = { sub: people[2]!.id, roles: ['STATION_ADMIN', 'VOLUNTEER'], unitId: '5', unitPath: '1/2/5' };
  });

  afterAll(() => alone?.stop());

  it('resolves activity references with their fields and sign-ups in a constant number of SQL statements', async () => {
    const refs = (n: number) => activityIds.slice(0, n).map((id) => ({ __typename: 'Activity', id }));
    const two = await alone.ask<Entities>(ACTIVITY_ENTITIES, { representations: refs(2) }, staffVolunteer);
    const ten = await alone.ask<Entities>(ACTIVITY_ENTITIES, { representations: refs(10) }, staffVolunteer);
    expect(ten.errors).toBeUndefined();
    expect(ten.data!._entities).toHaveLength(10);
    expect(ten.data!._entities[9]).toMatchObject({
      id: activityIds[9],
      status: 'PUBLISHED',
      signedUpCount: 1,
      waitlistCount: 2,
      category: { code: 'ENVIRONMENT', name: '环境整治' },
      requiredSkills: [{ code: 'ENVIRONMENT', name: '环境' }, { code: 'REPAIR', name: '维修' }],
      organizingUnit: { id: '5' },
      mySignUp: { status: 'WAITLISTED', waitlistPosition: 2, activity: { id: activityIds[9] } },
    });
    expect(statementsOf(two)).toBeGreaterThan(0);
    expect(statementsOf(ten)).toBe(statementsOf(two));
  });

  it('lists the sign-ups of many activities in as many SQL statements as of two', async () => {
    const refs = (n: number) => activityIds.slice(0, n).map((id) => ({ __typename: 'Activity', id }));
    const two = await alone.ask<Entities>(ACTIVITY_SIGN_UPS, { representations: refs(2) }, staffVolunteer);
    const ten = await alone.ask<Entities>(ACTIVITY_SIGN_UPS, { representations: refs(10) }, staffVolunteer);
    expect(ten.errors).toBeUndefined();
    expect(ten.data!._entities[9]).toEqual({
      id: activityIds[9],
      signUps: {
        totalCount: 3,
        edges: [
          { node: { status: 'SIGNED_UP', waitlistPosition: null, volunteer: { id: expect.any(String) } } },
          { node: { status: 'WAITLISTED', waitlistPosition: 1, volunteer: { id: expect.any(String) } } },
          { node: { status: 'WAITLISTED', waitlistPosition: 2, volunteer: { id: expect.any(String) } } },
        ],
      },
    });
    expect(statementsOf(ten)).toBe(statementsOf(two));
  });

  it('lists activities with their fields in a constant number of SQL statements', async () => {
    const two = await alone.ask(ACTIVITY_LIST, { first: 2 }, staffVolunteer);
    const ten = await alone.ask(ACTIVITY_LIST, { first: 10 }, staffVolunteer);
    expect(ten.errors).toBeUndefined();
    expect(statementsOf(ten)).toBe(statementsOf(two));
  });

  it('refuses the sign-up list to anyone but staff in scope, on that field only', async () => {
    const volunteer: Claims = { sub: '999', roles: ['VOLUNTEER'] };
    const otherStation: Claims = { sub: '998', roles: ['STATION_ADMIN'], unitId: '6', unitPath: '1/2/6' };
    for (const claims of [volunteer, otherStation]) {
      const result = await alone.ask<Entities>(ACTIVITY_SIGN_UPS, { representations: [{ __typename: 'Activity', id: activityIds[0] }] }, claims);
      expect(errorCodes(result)).toEqual(['FORBIDDEN']);
      expect(result.errors![0]!.path).toEqual(['_entities', 0, 'signUps']);
    }
  });

  it('refuses an anonymous caller and a cursor from another list', async () => {
    expect(errorCodes(await alone.ask(ACTIVITY_LIST, { first: 2 }, null))).toEqual(['UNAUTHENTICATED']);
    const bad = await alone.ask('query { activities(after: "dW5pdDox") { edges { node { id } } } }', {}, staffVolunteer);
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
  });
});

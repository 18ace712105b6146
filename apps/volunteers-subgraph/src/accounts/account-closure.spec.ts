import { Claims, hashPassword, withCheckDigit } from '@kz/auth';
import { RunningSubgraph } from '@kz/subgraph';
import { aCaller, errorCodes, startSubgraphAlone, SubgraphAlone } from '@kz/testing';
import { startVolunteersSubgraph } from '../app';
import { upsertUnitRefs } from '../units/unit-ref';

/** Closing an account (PIPL Arts. 19, 47) in the volunteers subgraph, against its real database. */
const CENTER = { id: '1', code: 'C', path: '1', level: 'CENTER', name: '开州区新时代文明实践中心' } as const;
const INSTITUTE = { id: '2', code: 'I', path: '1/2', level: 'INSTITUTE', name: '汉丰街道实践所' } as const;
const STATION = { id: '5', code: 'S5', path: '1/2/5', level: 'STATION', name: '迎宾社区实践站' } as const;

const CLOSE = `mutation($input: CloseMyAccountInput!) { closeMyAccount(input: $input) { personId volunteerId closedAt } }`;
const SIGN_UP = `mutation($input: SignUpInput!) { signUp(input: $input) { token person { id } } }`;
const LOGIN = `mutation($input: LoginInput!) { login(input: $input) { token person { id } } }`;
const ME = `query { me { id realName closedAt } }`;
const PASSWORD = 'zhiyuan2026';

type Closed = { closeMyAccount: { personId: string; volunteerId: string | null; closedAt: string } };

describe('closing an account (PIPL Arts. 19, 47)', () => {
  let alone: SubgraphAlone<RunningSubgraph>;
  let serial = 0;
  const db = () => alone.running.dataSource;
  const stationAdmin = aCaller.staff('STATION_ADMIN', STATION, 'p-station');

  /** A resident who signed up with a password and a resident ID; their claims, mobile and ID number. */
  async function aResident(): Promise<{ claims: Claims; mobile: string; idNumber: string }> {
    serial += 1;
    const mobile = `1370044${String(serial).padStart(4, '0')}`;
    const idNumber = withCheckDigit(`50023419850312${String(serial).padStart(3, '0')}`);
    const result = await alone.ask<{ signUp: { person: { id: string } } }>(
      SIGN_UP,
      { input: { realName: '李志愿', mobile, idNumber, password: PASSWORD, homeUnitId: STATION.id } },
      null,
    );
    if (result.errors) throw new Error(JSON.stringify(result.errors));
    return { claims: { sub: result.data!.signUp.person.id, roles: ['RESIDENT'] }, mobile, idNumber };
  }

  /** An active volunteer profile at 迎宾 for `personId`, with a verified record of `minutes`; the volunteer id. */
  async function aVolunteerWithRecord(personId: string, minutes: number): Promise<{ volunteerId: string; recordId: string }> {
    const [volunteer] = await db().query(
      `INSERT INTO volunteer (person_id, status, home_station_id, home_station_path, skills, residence_area, service_categories, availability)
       VALUES ($1, 'ACTIVE', 5, '1/2/5', '{REPAIR}', '汉丰街道迎宾社区', '{ENVIRONMENT}', '[{"dayOfWeek": 6, "start": "09:00", "end": "12:00"}]')
       RETURNING id::text`,
      [personId],
    );
    await db().query(`UPDATE person SET roles = '{RESIDENT,VOLUNTEER}' WHERE id = $1`, [personId]);
    const [record] = await db().query(
      `INSERT INTO service_record (volunteer_id, unit_id, unit_path, category, title, content, started_at, minutes, status, source, evidence, created_by, verified_by, verified_at)
       VALUES ($1, 5, '1/2/5', 'ENVIRONMENT', '腾龙广场环境整治', '清扫广场', now() - interval '2 days', $2, 'VERIFIED', 'OFFLINE', '签到表', 'test', 'test', now() - interval '1 day')
       RETURNING id::text`,
      [volunteer.id, minutes],
    );
    await db().query('UPDATE volunteer SET verified_minutes = $2, service_count = 1 WHERE id = $1', [volunteer.id, minutes]);
    return { volunteerId: volunteer.id, recordId: record.id };
  }

  const close = (claims: Claims, input: Record<string, unknown>) => alone.ask<Closed>(CLOSE, { input }, claims);
  const personRow = async (id: string) => (await db().query('SELECT * FROM person WHERE id = $1', [id]))[0];

  beforeAll(async () => {
    alone = await startSubgraphAlone('VOLUNTEERS_DATABASE', (config) => startVolunteersSubgraph(config, { port: 0 }), null);
    await db().transaction((manager) => upsertUnitRefs(manager, [CENTER, INSTITUTE, STATION], new Date(0).toISOString()));
  });

  afterAll(() => alone?.stop());

  it('asks for confirmation and the password, and changes nothing until both are right', async () => {
    const { claims } = await aResident();
    const unconfirmed = await close(claims, { confirm: false, password: PASSWORD });
    expect(errorCodes(unconfirmed)).toEqual(['BAD_USER_INPUT']);
    expect(unconfirmed.errors![0]!.extensions).toMatchObject({ field: 'input.confirm' });
    expect(unconfirmed.errors![0]!.message).toContain('cannot be undone');

    const withoutPassword = await close(claims, { confirm: true });
    expect(errorCodes(withoutPassword)).toEqual(['BAD_USER_INPUT']);
    expect(withoutPassword.errors![0]!.extensions).toMatchObject({ field: 'input.password' });

    const wrongPassword = await close(claims, { confirm: true, password: 'wrong2026' });
    expect(errorCodes(wrongPassword)).toEqual(['BAD_USER_INPUT']);
    expect(wrongPassword.errors![0]!.extensions).toMatchObject({ field: 'input.password' });

    expect((await personRow(claims.sub)).closed_at).toBeNull();
    expect(errorCodes(await close({ sub: 'worker', roles: ['SERVICE'] }, { confirm: true }))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await alone.ask(CLOSE, { input: { confirm: true } }, null))).toEqual(['UNAUTHENTICATED']);
  });

  it('refuses a staff account with a coded reason: the center removes the staff roles first', async () => {
    const { claims } = await aResident();
    await db().query(`UPDATE person SET roles = '{RESIDENT,GRID_WORKER}', staff_unit_id = 5, staff_unit_path = '1/2/5' WHERE id = $1`, [claims.sub]);
    const refused = await close({ ...claims, roles: ['RESIDENT', 'GRID_WORKER'] }, { confirm: true, password: PASSWORD });
    expect(errorCodes(refused)).toEqual(['FORBIDDEN']);
    expect(refused.errors![0]!.extensions).toMatchObject({ roles: 'GRID_WORKER' });
    expect(refused.errors![0]!.message).toContain('the center removes the staff roles first');
    expect((await personRow(claims.sub)).mobile).not.toBeNull();

    // A token issued before a staff role was granted does not get round the rule: the stored roles decide.
    const stale = await close(claims, { confirm: true, password: PASSWORD });
    expect(errorCodes(stale)).toEqual(['FORBIDDEN']);
  });

  it("refuses a partner merchant's staff account (MERCHANT) the same way: the admins unbind it first", async () => {
    const { claims } = await aResident();
    await db().query(`UPDATE person SET roles = '{RESIDENT,MERCHANT}', staff_unit_id = 5, staff_unit_path = '1/2/5' WHERE id = $1`, [claims.sub]);
    const refused = await close({ ...claims, roles: ['RESIDENT', 'MERCHANT'] }, { confirm: true, password: PASSWORD });
    expect(errorCodes(refused)).toEqual(['FORBIDDEN']);
    expect(refused.errors![0]!.extensions).toMatchObject({ roles: 'MERCHANT' });
    expect((await personRow(claims.sub)).mobile).not.toBeNull();
  });

  it('removes login, contact and identity data, closes the volunteer for good, and keeps the records and totals', async () => {
    const { claims, mobile, idNumber } = await aResident();
    const { volunteerId, recordId } = await aVolunteerWithRecord(claims.sub, 120);
    // A team, and two open activities: one with a place (a waitlisted volunteer moves up), one on the waitlist.
    await db().query(`INSERT INTO team_ref (id, code, name, kind, home_unit_id, home_unit_path, version) VALUES (900, 'T900', '迎宾志愿服务队', 'SQUAD', 5, '1/2/5', now())`);
    await db().query('INSERT INTO team_membership (volunteer_id, team_id) VALUES ($1, 900)', [volunteerId]);
    const other = await aResident();
    const [otherVolunteer] = await db().query(`INSERT INTO volunteer (person_id, status, home_station_id, home_station_path) VALUES ($1, 'ACTIVE', 5, '1/2/5') RETURNING id::text`, [
      other.claims.sub,
    ]);
    const activities: { id: string }[] = await db().query(
      `INSERT INTO activity (title, category, organizing_unit_id, organizing_unit_path, starts_at, ends_at, place_name, lat, lng, check_in_radius_m, capacity, status, signed_up, created_by)
       SELECT '周末义诊 ' || n, 'HEALTH', 5, '1/2/5', now() + interval '3 days', now() + interval '3 days 3 hours', '迎宾广场', 31.1, 108.4, 100, 1, 'PUBLISHED', 1, 'test'
         FROM generate_series(1, 2) AS n RETURNING id::text`,
    );
    const [placed, waiting] = activities.map((activity) => activity.id);
    await db().query(
      `INSERT INTO activity_signup (activity_id, volunteer_id, status, signed_up_at) VALUES
         ($1, $3, 'SIGNED_UP', now() - interval '2 hours'), ($1, $4, 'WAITLISTED', now() - interval '1 hour'),
         ($2, $4, 'SIGNED_UP', now() - interval '2 hours'), ($2, $3, 'WAITLISTED', now() - interval '1 hour')`,
      [placed, waiting, volunteerId, otherVolunteer.id],
    );
    await db().query(`INSERT INTO wechat_binding (person_id, openid, unionid, bound_by) VALUES ($1, 'o-closing', NULL, 'self')`, [claims.sub]);
    await db().query(`INSERT INTO wechat_binding_history (person_id, openid, action, actor) VALUES ($1, 'o-closing', 'BOUND', 'self')`, [claims.sub]);
    await db().query(
      `INSERT INTO consent (person_id, purpose, policy_version, method, given_by, given_at, recorded_by) VALUES ($1::bigint, 'REGISTRATION', '2026-01', 'SELF', 'SELF', now(), $1::text)`,
      [claims.sub],
    );
    const volunteerClaims: Claims = { ...claims, roles: ['RESIDENT', 'VOLUNTEER'] };

    const result = await close(volunteerClaims, { confirm: true, password: PASSWORD });
    expect(result.errors).toBeUndefined();
    expect(result.data!.closeMyAccount).toEqual({ personId: claims.sub, volunteerId, closedAt: expect.any(String) });

    const person = await personRow(claims.sub);
    expect(person).toMatchObject({
      real_name: '已注销用户',
      mobile: null,
      password_hash: null,
      id_number_sealed: null,
      id_number_index: null,
      id_number_masked: null,
      document_type: null,
      gender: null,
      birth_date: null,
      roles: [],
      home_unit_id: STATION.id,
    });
    expect(person.closed_at).toBeInstanceOf(Date);
    expect(await db().query('SELECT 1 FROM wechat_binding WHERE person_id = $1 UNION ALL SELECT 1 FROM wechat_binding_history WHERE person_id = $1', [claims.sub])).toEqual([]);

    const [volunteer] = await db().query('SELECT * FROM volunteer WHERE id = $1', [volunteerId]);
    expect(volunteer).toMatchObject({
      status: 'CLOSED',
      residence_area: null,
      skills: [],
      service_categories: [],
      availability: [],
      verified_minutes: 120,
      service_count: 1,
      home_station_id: STATION.id,
    });
    expect(await db().query('SELECT decision, decided_by::text FROM volunteer_review WHERE volunteer_id = $1', [volunteerId])).toEqual([
      { decision: 'CLOSED', decided_by: claims.sub },
    ]);
    expect(await db().query('SELECT 1 FROM team_membership WHERE volunteer_id = $1', [volunteerId])).toEqual([]);
    // The place they held goes to the waitlist; the wait they held is given up.
    const signUps = await db().query('SELECT activity_id::text, volunteer_id::text, status FROM activity_signup ORDER BY activity_id, volunteer_id');
    expect(signUps).toEqual(
      expect.arrayContaining([
        { activity_id: placed, volunteer_id: volunteerId, status: 'CANCELLED' },
        { activity_id: placed, volunteer_id: otherVolunteer.id, status: 'SIGNED_UP' },
        { activity_id: waiting, volunteer_id: otherVolunteer.id, status: 'SIGNED_UP' },
        { activity_id: waiting, volunteer_id: volunteerId, status: 'CANCELLED' },
      ]),
    );
    expect(await db().query('SELECT id::text, signed_up FROM activity WHERE id = ANY($1::bigint[]) ORDER BY id', [[placed, waiting]])).toEqual([
      { id: placed, signed_up: 1 },
      { id: waiting, signed_up: 1 },
    ]);

    // The record stays, verified, under the same ids; the consent that made the processing lawful stays as well.
    const [record] = await db().query('SELECT volunteer_id::text, minutes, status FROM service_record WHERE id = $1', [recordId]);
    expect(record).toEqual({ volunteer_id: volunteerId, minutes: 120, status: 'VERIFIED' });
    expect(await db().query('SELECT purpose FROM consent WHERE person_id = $1', [claims.sub])).toEqual([{ purpose: 'REGISTRATION' }]);
    // Staff in scope see the record under the pseudonym.
    const seen = await alone.ask<{ serviceRecord: { minutes: number; volunteer: { id: string; status: string; person: { realName: string; mobile: string | null; idNumber: string | null } } } }>(
      `query($id: ID!) { serviceRecord(id: $id) { minutes volunteer { id status person { realName mobile idNumber } } } }`,
      { id: recordId },
      stationAdmin,
    );
    expect(seen.errors).toBeUndefined();
    expect(seen.data!.serviceRecord).toEqual({ minutes: 120, volunteer: { id: volunteerId, status: 'CLOSED', person: { realName: '已注销用户', mobile: null, idNumber: null } } });

    // The event the other services act on.
    const events = await db().query(`SELECT payload FROM outbox WHERE type = 'person.account.closed' AND payload->>'personId' = $1`, [claims.sub]);
    expect(events).toEqual([{ payload: { personId: claims.sub, homeUnitId: STATION.id, volunteerId, stationId: STATION.id } }]);

    // Signing in again fails as for an unknown number; the old token no longer reads `me`.
    const login = await alone.ask(LOGIN, { input: { phone: mobile, password: PASSWORD } }, null);
    expect(errorCodes(login)).toEqual(['UNAUTHENTICATED']);
    expect(login.errors![0]!.extensions).toMatchObject({ reason: 'invalidCredentials' });
    const me = await alone.ask(ME, {}, volunteerClaims);
    expect(errorCodes(me)).toEqual(['UNAUTHENTICATED']);
    expect(me.errors![0]!.extensions).toMatchObject({ reason: 'accountClosed' });

    // The number and the ID number are free: the same person may open a new account, as someone new.
    const again = await alone.ask<{ signUp: { person: { id: string } } }>(
      SIGN_UP,
      { input: { realName: '李志愿', mobile, idNumber, password: PASSWORD, homeUnitId: STATION.id } },
      null,
    );
    expect(again.errors).toBeUndefined();
    expect(again.data!.signUp.person.id).not.toBe(claims.sub);
  });

  it('closes the account of a person who signs in by WeChat only, with the confirmation alone', async () => {
    serial += 1;
    const [person] = await db().query(
      `INSERT INTO person (real_name, mobile, roles, home_unit_id, home_unit_path) VALUES ('王微信', $1, '{RESIDENT}', 5, '1/2/5') RETURNING id::text`,
      [`1370055${String(serial).padStart(4, '0')}`],
    );
    await db().query(`INSERT INTO wechat_binding (person_id, openid, unionid, bound_by) VALUES ($1, 'o-wechat-only', 'u-wechat-only', 'self')`, [person.id]);
    const claims: Claims = { sub: person.id, roles: ['RESIDENT'] };

    const result = await close(claims, { confirm: true });
    expect(result.errors).toBeUndefined();
    expect(result.data!.closeMyAccount).toMatchObject({ personId: person.id, volunteerId: null });
    expect(await db().query('SELECT 1 FROM wechat_binding WHERE openid = $1', ['o-wechat-only'])).toEqual([]);
    expect(await personRow(person.id)).toMatchObject({ real_name: '已注销用户', mobile: null });

    // Their old token registers no volunteer, and staff cannot register the closed person either.
    const REGISTER = `mutation($input: RegisterVolunteerInput!) { registerVolunteer(input: $input) { id } }`;
    const self = await alone.ask(REGISTER, { input: { homeStationId: STATION.id, skills: [] } }, claims);
    expect(errorCodes(self)).toEqual(['UNAUTHENTICATED']);
    expect(self.errors![0]!.extensions).toMatchObject({ reason: 'accountClosed' });
    const assisted = await alone.ask(REGISTER, { input: { homeStationId: STATION.id, skills: [], personId: person.id } }, stationAdmin);
    expect(errorCodes(assisted)).toEqual(['BAD_USER_INPUT']);
    expect(assisted.errors![0]!.extensions).toMatchObject({ field: 'input.personId' });
    expect(await db().query('SELECT 1 FROM volunteer WHERE person_id = $1', [person.id])).toEqual([]);
  });

  it('closes once when the same account is closed many times at the same moment', async () => {
    const { claims } = await aResident();
    const { volunteerId } = await aVolunteerWithRecord(claims.sub, 45);
    // A password hash of low cost, so the attempts reach the database together rather than one by one.
    await db().query('UPDATE person SET password_hash = $2 WHERE id = $1', [claims.sub, await hashPassword(PASSWORD, 4)]);
    const attempts = await Promise.all(Array.from({ length: 8 }, () => close({ ...claims, roles: ['RESIDENT', 'VOLUNTEER'] }, { confirm: true, password: PASSWORD })));
    const closed = attempts.filter((attempt) => !attempt.errors);
    expect(closed).toHaveLength(1);
    for (const refused of attempts.filter((attempt) => attempt.errors)) {
      expect(errorCodes(refused)).toEqual(['UNAUTHENTICATED']);
      expect(refused.errors![0]!.extensions).toMatchObject({ reason: 'accountClosed' });
    }
    expect(await db().query(`SELECT decision FROM volunteer_review WHERE volunteer_id = $1`, [volunteerId])).toEqual([{ decision: 'CLOSED' }]);
    expect(await db().query(`SELECT 1 FROM outbox WHERE type = 'person.account.closed' AND payload->>'personId' = $1`, [claims.sub])).toHaveLength(1);
    expect((await db().query('SELECT verified_minutes FROM volunteer WHERE id = $1', [volunteerId]))[0].verified_minutes).toBe(45);
  });
});

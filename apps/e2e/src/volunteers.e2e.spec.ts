import { Claims, withCheckDigit } from '@kz/auth';
import { SQL_STATEMENTS_HEADER } from '@kz/subgraph';
import { aCaller, errorCodes, GraphQLResult, signedSubgraphRequest } from '@kz/testing';
import { Platform, startPlatform } from './stack';

const CENTER_ADMIN = '13900230001';
const ANALYST = '13900230003';
const INSTITUTE_ADMIN = '13900230004';
const STATION_ADMIN = '13900230005';
const GRID_WORKER = '13900230006';
const VOLUNTEER_HEYI = '13900230007';
const RESIDENT_ZHOU = '13900230008';

let platform: Platform;
let yingbin: { id: string; path: string };
let yongxian: { id: string; path: string };
let hanfeng: { id: string; path: string };
let tokens: Record<string, string>;

beforeAll(async () => {
  platform = await startPlatform({ seed: 'demo' });
  yingbin = await platform.unit('KZ-HANFENG-YINGBIN');
  yongxian = await platform.unit('KZ-YUNFENG-YONGXIAN');
  hanfeng = await platform.unit('KZ-HANFENG');
  // The replica of org teams, as the org events would have filled it (seeding writes no events).
  const teams = await platform.org.query('SELECT id::text, code, name, kind, home_unit_id::text, home_unit_path FROM team');
  for (const team of teams) {
    await platform.volunteers.query(
      `INSERT INTO team_ref (id, code, name, kind, home_unit_id, home_unit_path, version) VALUES ($1, $2, $3, $4, $5, $6, to_timestamp(0))
       ON CONFLICT (id) DO NOTHING`,
      [team.id, team.code, team.name, team.kind, team.home_unit_id, team.home_unit_path],
    );
  }
  tokens = {};
  for (const [name, phone] of Object.entries({ CENTER_ADMIN, ANALYST, INSTITUTE_ADMIN, STATION_ADMIN, GRID_WORKER, VOLUNTEER_HEYI, RESIDENT_ZHOU })) {
    tokens[name] = await platform.login(phone);
  }
});
afterAll(() => platform.stop());

const VOLUNTEER_FIELDS = `id status statusReason registeredBy skills { code name } availability { dayOfWeek start end }
  verifiedMinutes verifiedHours serviceCount homeStation { id } person { id realName roles } teams { team { id } isLeader }`;
const REGISTER = `mutation($input: RegisterVolunteerInput!) { registerVolunteer(input: $input) { ${VOLUNTEER_FIELDS} } }`;
const review = (mutation: string) => `mutation($input: ReviewVolunteerInput!) { ${mutation}(input: $input) { ${VOLUNTEER_FIELDS} } }`;
const APPROVE = review('approveVolunteer');
const REJECT = review('rejectVolunteer');
const SUSPEND = review('suspendVolunteer');
const REINSTATE = review('reinstateVolunteer');
const VOLUNTEER = `query($id: ID!) { volunteer(id: $id) { ${VOLUNTEER_FIELDS} } }`;
const REVIEWS = `query($id: ID!) { volunteer(id: $id) { reviews { decision reason decidedBy { id } decidedAt } } }`;
const LIST = `query($filter: VolunteerFilter, $first: Int, $after: String) {
  volunteers(filter: $filter, first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { id status } } }
}`;
const TEAM = `mutation($input: TeamMembershipInput!) { joinTeam(input: $input) { id teams { team { id } isLeader } } }`;
const LEAVE = `mutation($input: TeamMembershipInput!) { leaveTeam(input: $input) { id teams { team { id } } } }`;

interface VolunteerShape {
  id: string;
  status: string;
  statusReason: string | null;
  registeredBy: string;
  skills: { code: string; name: string }[];
  availability: { dayOfWeek: number; start: string; end: string }[];
  verifiedMinutes: number;
  verifiedHours: number;
  serviceCount: number;
  homeStation: { id: string };
  person: { id: string; realName: string; roles: string[] };
  teams: { team: { id: string }; isLeader: boolean }[];
}
type Page = { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: { node: { id: string; status: string } }[] };

let serial = 0;
/** A new resident of a station, signed up through the gateway: their token, person id and mobile number. */
async function newResident(homeUnitId = yingbin.id, realName = '李志新') {
  serial += 1;
  const n = String(serial).padStart(4, '0');
  const input = { realName, mobile: `1350023${n}`, idNumber: withCheckDigit(`50023419700301${n.slice(1)}`), password: 'zhiyuan2026', homeUnitId };
  const result = await platform.query<{ signUp: { token: string; person: { id: string } } }>(
    `mutation($input: SignUpInput!) { signUp(input: $input) { token person { id } } }`,
    { input },
  );
  if (!result.data?.signUp) throw new Error(`sign-up failed: ${JSON.stringify(result.errors)}`);
  return { token: result.data.signUp.token, personId: result.data.signUp.person.id, mobile: input.mobile, password: input.password };
}

/** A resident who registered themself at 迎宾 and is waiting for approval. */
async function pendingVolunteer(skills = ['MEDICAL'], realName?: string) {
  const resident = await newResident(yingbin.id, realName);
  const result = await platform.query<{ registerVolunteer: VolunteerShape }>(REGISTER, { input: { homeStationId: yingbin.id, skills } }, { token: resident.token });
  if (!result.data?.registerVolunteer) throw new Error(`registration failed: ${JSON.stringify(result.errors)}`);
  return { ...resident, volunteer: result.data.registerVolunteer };
}

async function activeVolunteer(skills = ['MEDICAL'], realName?: string) {
  const pending = await pendingVolunteer(skills, realName);
  const approved = await platform.query(APPROVE, { input: { volunteerId: pending.volunteer.id } }, { token: tokens.STATION_ADMIN });
  if (approved.errors) throw new Error(`approval failed: ${JSON.stringify(approved.errors)}`);
  return pending;
}

async function statusOf(volunteerId: string): Promise<string> {
  const [row] = await platform.volunteers.query('SELECT status FROM volunteer WHERE id = $1', [volunteerId]);
  return row.status;
}

async function eventsOf(volunteerId: string): Promise<string[]> {
  const rows = await platform.volunteers.query(`SELECT type FROM outbox WHERE payload->>'volunteerId' = $1 ORDER BY seq`, [volunteerId]);
  return rows.map((row: { type: string }) => row.type);
}

describe('registration and approval', () => {
  it('lets a resident register and the 迎宾 station admin approve; the next login carries the VOLUNTEER role', async () => {
    const resident = await newResident();
    const input = {
      homeStationId: yingbin.id,
      skills: ['MEDICAL', 'ELDERLY_CARE', 'MEDICAL'],
      availability: [
        { dayOfWeek: 6, start: '09:00', end: '12:00' },
        { dayOfWeek: 7, start: '14:30', end: '24:00' },
      ],
    };
    const registered = await platform.query<{ registerVolunteer: VolunteerShape }>(REGISTER, { input }, { token: resident.token });
    expect(registered.errors).toBeUndefined();
    const volunteer = registered.data!.registerVolunteer;
    expect(volunteer).toMatchObject({
      status: 'PENDING',
      statusReason: null,
      registeredBy: 'self',
      skills: [
        { code: 'MEDICAL', name: '医疗健康' },
        { code: 'ELDERLY_CARE', name: '助老' },
      ],
      availability: input.availability,
      verifiedMinutes: 0,
      verifiedHours: 0,
      serviceCount: 0,
      homeStation: { id: yingbin.id },
      person: { id: resident.personId, realName: '李志新', roles: ['RESIDENT'] },
      teams: [],
    });

    const approved = await platform.query<{ approveVolunteer: VolunteerShape }>(APPROVE, { input: { volunteerId: volunteer.id } }, { token: tokens.STATION_ADMIN });
    expect(approved.errors).toBeUndefined();
    expect(approved.data!.approveVolunteer).toMatchObject({ status: 'ACTIVE', person: { roles: ['RESIDENT', 'VOLUNTEER'] } });

    const again = await platform.login(resident.mobile, resident.password);
    const me = await platform.query<{ me: { roles: string[] } }>(`{ me { roles } }`, {}, { token: again });
    expect(me.data!.me.roles).toEqual(['RESIDENT', 'VOLUNTEER']);

    const history = await platform.query<{ volunteer: { reviews: { decision: string; decidedBy: { id: string } | null }[] } }>(
      REVIEWS,
      { id: volunteer.id },
      { token: tokens.STATION_ADMIN },
    );
    const [stationAdmin] = await platform.volunteers.query('SELECT id::text FROM person WHERE mobile = $1', [STATION_ADMIN]);
    expect(history.data!.volunteer.reviews).toMatchObject([
      { decision: 'REGISTERED', decidedBy: { id: resident.personId } },
      { decision: 'APPROVED', decidedBy: { id: stationAdmin.id } },
    ]);
    expect(await eventsOf(volunteer.id)).toEqual(['volunteer.registered', 'volunteer.approved']);
    const [event] = await platform.volunteers.query(`SELECT unit_path, payload FROM outbox WHERE type = 'volunteer.registered' AND payload->>'volunteerId' = $1`, [volunteer.id]);
    expect(event).toEqual({ unit_path: yingbin.path, payload: { volunteerId: volunteer.id, personId: resident.personId, stationId: yingbin.id } });
  });

  it('refuses a second registration of the same person', async () => {
    const { token } = await pendingVolunteer();
    const again = await platform.query(REGISTER, { input: { homeStationId: yingbin.id, skills: [] } }, { token });
    expect(again.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', value: 'PENDING' });
  });

  it.each([
    ['an unknown skill', { skills: ['MEDICAL', 'JUGGLING'] }, 'input.skills.1'],
    ['a home that is an institute, not a station', { homeStationId: 'HANFENG' }, 'input.homeStationId'],
    ['a day of week 8', { availability: [{ dayOfWeek: 8, start: '09:00', end: '10:00' }] }, 'input.availability.0.dayOfWeek'],
    ['a window ending before it starts', { availability: [{ dayOfWeek: 1, start: '10:00', end: '09:30' }] }, 'input.availability.0.end'],
    ['a time not written HH:MM', { availability: [{ dayOfWeek: 1, start: '9:00', end: '10:00' }] }, 'input.availability.0.start'],
    ['fifteen windows', { availability: Array.from({ length: 15 }, () => ({ dayOfWeek: 1, start: '09:00', end: '10:00' })) }, 'input.availability'],
  ])('refuses %s, naming the field, and stores nothing', async (_case, override, field) => {
    const resident = await newResident();
    const input = { homeStationId: yingbin.id, skills: ['MEDICAL'], ...override };
    if (input.homeStationId === 'HANFENG') input.homeStationId = hanfeng.id;
    const result = await platform.query(REGISTER, { input }, { token: resident.token });
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    expect(await platform.volunteers.query('SELECT 1 FROM volunteer WHERE person_id = $1', [resident.personId])).toHaveLength(0);
  });

  it('needs a reason to reject; the rejected person sees why and may register again', async () => {
    const { token, volunteer } = await pendingVolunteer();
    const noReason = await platform.query(REJECT, { input: { volunteerId: volunteer.id, reason: '  ' } }, { token: tokens.STATION_ADMIN });
    expect(noReason.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.reason' });
    const tooLong = await platform.query(REJECT, { input: { volunteerId: volunteer.id, reason: '理'.repeat(201) } }, { token: tokens.STATION_ADMIN });
    expect(tooLong.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.reason', max: 200 });
    expect(await statusOf(volunteer.id)).toBe('PENDING');

    const rejected = await platform.query<{ rejectVolunteer: VolunteerShape }>(
      REJECT,
      { input: { volunteerId: volunteer.id, reason: '身份证信息与本人不符' } },
      { token: tokens.STATION_ADMIN },
    );
    expect(rejected.errors).toBeUndefined();
    expect(rejected.data!.rejectVolunteer).toMatchObject({ status: 'REJECTED', statusReason: '身份证信息与本人不符' });
    const own = await platform.query<{ volunteer: VolunteerShape }>(VOLUNTEER, { id: volunteer.id }, { token });
    expect(own.data!.volunteer).toMatchObject({ status: 'REJECTED', statusReason: '身份证信息与本人不符', person: { roles: ['RESIDENT'] } });

    const approveRejected = await platform.query(APPROVE, { input: { volunteerId: volunteer.id } }, { token: tokens.STATION_ADMIN });
    expect(approveRejected.errors?.[0]?.extensions).toMatchObject({ code: 'INVALID_TRANSITION', from: 'REJECTED', to: 'ACTIVE' });

    const again = await platform.query<{ registerVolunteer: VolunteerShape }>(REGISTER, { input: { homeStationId: yingbin.id, skills: ['LEGAL'] } }, { token });
    expect(again.errors).toBeUndefined();
    expect(again.data!.registerVolunteer).toMatchObject({ id: volunteer.id, status: 'PENDING', statusReason: null, skills: [{ code: 'LEGAL' }] });
    expect(await eventsOf(volunteer.id)).toEqual(['volunteer.registered', 'volunteer.rejected', 'volunteer.registered']);
  });

  it('does not let a station admin of another institute approve, and changes nothing', async () => {
    const { volunteer } = await pendingVolunteer();
    const stranger = await platform.tokenAs('STATION_ADMIN', 'KZ-YUNFENG-YONGXIAN');
    const result = await platform.query(APPROVE, { input: { volunteerId: volunteer.id } }, { token: stranger });
    expect(errorCodes(result)).toEqual(['FORBIDDEN']);
    expect(await statusOf(volunteer.id)).toBe('PENDING');
    expect(await eventsOf(volunteer.id)).toEqual(['volunteer.registered']);
    const [reviews] = await platform.volunteers.query('SELECT count(*)::int AS n FROM volunteer_review WHERE volunteer_id = $1', [volunteer.id]);
    expect(reviews.n).toBe(1);
    // Nor may they read the volunteer, and a missing id looks the same to them.
    expect(errorCodes(await platform.query(VOLUNTEER, { id: volunteer.id }, { token: stranger }))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await platform.query(VOLUNTEER, { id: '987654321' }, { token: stranger }))).toEqual(['FORBIDDEN']);
    // A resident may not approve at all, not even themself.
    expect(errorCodes(await platform.query(APPROVE, { input: { volunteerId: volunteer.id } }, { token: tokens.RESIDENT_ZHOU }))).toEqual(['FORBIDDEN']);
  });

  it('applies exactly one of several approvals sent at the same moment', async () => {
    const { volunteer } = await pendingVolunteer();
    const institute = tokens.INSTITUTE_ADMIN;
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) => platform.query(APPROVE, { input: { volunteerId: volunteer.id } }, { token: i % 2 ? institute : tokens.STATION_ADMIN })),
    );
    const codes = results.map((result) => (result.errors ? result.errors[0]!.extensions!.code : 'OK')).sort();
    expect(codes).toEqual(['INVALID_TRANSITION', 'INVALID_TRANSITION', 'INVALID_TRANSITION', 'INVALID_TRANSITION', 'INVALID_TRANSITION', 'OK']);
    const refused = results.find((result) => result.errors)!;
    expect(refused.errors![0]!.extensions).toMatchObject({ from: 'ACTIVE', to: 'ACTIVE', event: 'approve' });
    const [approvals] = await platform.volunteers.query(`SELECT count(*)::int AS n FROM volunteer_review WHERE volunteer_id = $1 AND decision = 'APPROVED'`, [volunteer.id]);
    expect(approvals.n).toBe(1);
    expect(await eventsOf(volunteer.id)).toEqual(['volunteer.registered', 'volunteer.approved']);
  });

  it('suspends with a reason, taking the VOLUNTEER role away, and reinstates', async () => {
    const { volunteer, personId } = await activeVolunteer();
    const roles = async () => (await platform.volunteers.query('SELECT roles FROM person WHERE id = $1', [personId]))[0].roles;
    expect(await roles()).toEqual(['RESIDENT', 'VOLUNTEER']);
    const noReason = await platform.query(SUSPEND, { input: { volunteerId: volunteer.id } }, { token: tokens.STATION_ADMIN });
    expect(noReason.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.reason' });
    const suspended = await platform.query<{ suspendVolunteer: VolunteerShape }>(
      SUSPEND,
      { input: { volunteerId: volunteer.id, reason: '多次无故缺席活动' } },
      { token: tokens.STATION_ADMIN },
    );
    expect(suspended.data!.suspendVolunteer).toMatchObject({ status: 'SUSPENDED', statusReason: '多次无故缺席活动' });
    expect(await roles()).toEqual(['RESIDENT']);
    const twice = await platform.query(SUSPEND, { input: { volunteerId: volunteer.id, reason: '再次' } }, { token: tokens.STATION_ADMIN });
    expect(twice.errors?.[0]?.extensions).toMatchObject({ code: 'INVALID_TRANSITION', from: 'SUSPENDED', to: 'SUSPENDED' });
    const reinstated = await platform.query<{ reinstateVolunteer: VolunteerShape }>(REINSTATE, { input: { volunteerId: volunteer.id } }, { token: tokens.INSTITUTE_ADMIN });
    expect(reinstated.data!.reinstateVolunteer).toMatchObject({ status: 'ACTIVE', statusReason: null });
    expect(await roles()).toEqual(['RESIDENT', 'VOLUNTEER']);
    expect(await eventsOf(volunteer.id)).toEqual(['volunteer.registered', 'volunteer.approved', 'volunteer.suspended', 'volunteer.reinstated']);
  });
});

describe('assisted registration', () => {
  it('lets the grid worker register an elderly resident who has no phone', async () => {
    const idNumber = withCheckDigit('50023419450315021');
    const result = await platform.query<{ registerVolunteer: VolunteerShape & { person: { mobile: string | null; idNumber: string } } }>(
      `mutation($input: RegisterVolunteerInput!) { registerVolunteer(input: $input) { id status registeredBy person { id realName mobile idNumber roles } } }`,
      { input: { homeStationId: yingbin.id, skills: ['ELDERLY_CARE'], person: { realName: '王秀英', idNumber } } },
      { token: tokens.GRID_WORKER },
    );
    expect(result.errors).toBeUndefined();
    const [gridWorker] = await platform.volunteers.query('SELECT id::text FROM person WHERE mobile = $1', [GRID_WORKER]);
    const volunteer = result.data!.registerVolunteer;
    expect(volunteer).toMatchObject({ status: 'PENDING', registeredBy: gridWorker.id, person: { realName: '王秀英', mobile: null, idNumber, roles: ['RESIDENT'] } });
    const [person] = await platform.volunteers.query(
      'SELECT row_to_json(p)::text AS json, password_hash, created_by, home_unit_id::text FROM person p WHERE id = $1',
      [volunteer.person.id],
    );
    expect(person).toMatchObject({ password_hash: null, created_by: gridWorker.id, home_unit_id: yingbin.id });
    expect(person.json).not.toContain(idNumber);
    // The station admin approves as for anyone else.
    const approved = await platform.query(APPROVE, { input: { volunteerId: volunteer.id } }, { token: tokens.STATION_ADMIN });
    expect(approved.errors).toBeUndefined();
  });

  it('registers an existing person on their behalf, only inside the staff member’s subtree', async () => {
    const resident = await newResident();
    const outside = await platform.query(REGISTER, { input: { homeStationId: yongxian.id, skills: [], personId: resident.personId } }, { token: tokens.GRID_WORKER });
    expect(errorCodes(outside)).toEqual(['FORBIDDEN']);
    const inside = await platform.query<{ registerVolunteer: VolunteerShape }>(
      REGISTER,
      { input: { homeStationId: yingbin.id, skills: [], personId: resident.personId } },
      { token: tokens.INSTITUTE_ADMIN },
    );
    expect(inside.data!.registerVolunteer).toMatchObject({ status: 'PENDING', person: { id: resident.personId } });
    const twice = await platform.query(REGISTER, { input: { homeStationId: yingbin.id, skills: [], personId: resident.personId } }, { token: tokens.GRID_WORKER });
    expect(twice.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', field: 'input.personId' });
  });

  it('is for staff only', async () => {
    const result = await platform.query(
      REGISTER,
      { input: { homeStationId: yingbin.id, skills: [], person: { realName: '王秀兰', idNumber: withCheckDigit('50023419450315022') } } },
      { token: tokens.RESIDENT_ZHOU },
    );
    expect(errorCodes(result)).toEqual(['FORBIDDEN']);
    expect(await platform.volunteers.query(`SELECT 1 FROM person WHERE real_name = '王秀兰'`)).toHaveLength(0);
  });
});

describe('finding volunteers', () => {
  let kite: string[];

  beforeAll(async () => {
    // A skill of its own, so the counts below do not depend on the rest of the data.
    const added = await platform.query(`mutation { addSkill(input: { code: "kite_flying", name: "风筝" }) { code name } }`, {}, { token: tokens.CENTER_ADMIN });
    expect(added.data).toEqual({ addSkill: { code: 'KITE_FLYING', name: '风筝' } });
    kite = [];
    for (const name of ['欧阳风筝', '欧阳飞鸢', '司马纸鸢']) kite.push((await pendingVolunteer(['KITE_FLYING', 'ARTS'], name)).volunteer.id);
    await platform.query(APPROVE, { input: { volunteerId: kite[0] } }, { token: tokens.STATION_ADMIN });
    kite.push((await pendingVolunteer(['KITE_FLYING'], '上官风筝')).volunteer.id);
  });

  it('adds skills to the taxonomy for the center admin only, once', async () => {
    const skills = await platform.query<{ skills: { code: string }[] }>(`{ skills { code name } }`, {}, { token: tokens.RESIDENT_ZHOU });
    expect(skills.data!.skills.map((skill) => skill.code)).toContain('KITE_FLYING');
    const again = await platform.query(`mutation { addSkill(input: { code: "KITE_FLYING", name: "放风筝" }) { code } }`, {}, { token: tokens.CENTER_ADMIN });
    expect(errorCodes(again)).toEqual(['CONFLICT']);
    const station = await platform.query(`mutation { addSkill(input: { code: "ORIGAMI", name: "折纸" }) { code } }`, {}, { token: tokens.STATION_ADMIN });
    expect(errorCodes(station)).toEqual(['FORBIDDEN']);
    const categories = await platform.query<{ activityCategories: { code: string; name: string }[] }>(`{ activityCategories { code name } }`, {}, { token: tokens.RESIDENT_ZHOU });
    expect(categories.data!.activityCategories).toContainEqual({ code: 'ENVIRONMENT', name: '环境整治' });
  });

  it('filters by skills (all of them) and status, page by page', async () => {
    const list = (filter: Record<string, unknown>, first?: number, after?: string | null) =>
      platform.query<{ volunteers: Page }>(LIST, { filter, first, after }, { token: tokens.STATION_ADMIN });
    const both = await list({ skills: ['KITE_FLYING', 'ARTS'] });
    expect(both.data!.volunteers.edges.map((edge) => edge.node.id)).toEqual(kite.slice(0, 3));
    const pending = await list({ skills: ['KITE_FLYING'], status: 'PENDING', withinUnitId: hanfeng.id }, 2);
    expect(pending.data!.volunteers).toMatchObject({ totalCount: 3, pageInfo: { hasNextPage: true } });
    expect(pending.data!.volunteers.edges.map((edge) => edge.node.id)).toEqual([kite[1], kite[2]]);
    const rest = await list({ skills: ['KITE_FLYING'], status: 'PENDING', withinUnitId: hanfeng.id }, 2, pending.data!.volunteers.pageInfo.endCursor);
    expect(rest.data!.volunteers).toMatchObject({ totalCount: 3, pageInfo: { hasNextPage: false }, edges: [{ node: { id: kite[3], status: 'PENDING' } }] });
    const elsewhere = await list({ skills: ['KITE_FLYING'], withinUnitId: yongxian.id });
    expect(elsewhere.data!.volunteers.totalCount).toBe(0);
  });

  it('counts what a direct SQL count over the subtree finds', async () => {
    const result = await platform.query<{ volunteers: Page }>(LIST, { filter: { status: 'ACTIVE' }, first: 100 }, { token: tokens.INSTITUTE_ADMIN });
    const [sql] = await platform.volunteers.query(
      `SELECT count(*)::int AS n FROM volunteer WHERE status = 'ACTIVE' AND (home_station_path = $1 OR home_station_path LIKE $1 || '/%')`,
      [hanfeng.path],
    );
    expect(result.data!.volunteers.totalCount).toBe(sql.n);
    expect(result.data!.volunteers.edges.length).toBe(Math.min(sql.n, 100));
  });

  it('searches real names (literally) and, for staff, the last digits of the mobile number', async () => {
    const search = async (text: string, token = tokens.STATION_ADMIN) =>
      (await platform.query<{ volunteers: Page }>(LIST, { filter: { search: text } }, { token })).data!.volunteers.edges.map((edge) => edge.node.id);
    expect(await search('风筝')).toEqual([kite[0], kite[3]]);
    expect(await search('欧阳')).toEqual([kite[0], kite[1]]);
    expect(await search('%')).toEqual([]);
    const [row] = await platform.volunteers.query('SELECT p.mobile FROM volunteer v JOIN person p ON p.id = v.person_id WHERE v.id = $1', [kite[2]]);
    expect(await search(row.mobile.slice(-5))).toEqual([kite[2]]);
    // Not for a resident: digits are only a name to them, and they see no one else anyway.
    expect(await search(row.mobile.slice(-5), tokens.RESIDENT_ZHOU)).toEqual([]);
  });

  it('shows a resident or volunteer only their own record', async () => {
    const own = await pendingVolunteer();
    const list = await platform.query<{ volunteers: Page }>(LIST, {}, { token: own.token });
    expect(list.data!.volunteers).toMatchObject({ totalCount: 1, edges: [{ node: { id: own.volunteer.id } }] });
    const heyi = await platform.query<{ volunteers: Page }>(LIST, { filter: { skills: ['KITE_FLYING'] } }, { token: tokens.VOLUNTEER_HEYI });
    expect(heyi.data!.volunteers.totalCount).toBe(0);
    const zhou = await platform.query<{ volunteers: Page }>(LIST, {}, { token: tokens.RESIDENT_ZHOU });
    expect(zhou.data!.volunteers.totalCount).toBe(0);
    expect(errorCodes(await platform.query(VOLUNTEER, { id: kite[0] }, { token: own.token }))).toEqual(['FORBIDDEN']);
    // The review history is for staff, even the volunteer's own.
    expect(errorCodes(await platform.query(REVIEWS, { id: own.volunteer.id }, { token: own.token }))).toEqual(['FORBIDDEN']);
  });

  it('lists the volunteers of a station through the unit to staff whose scope holds it, and refuses them to others', async () => {
    const UNIT = `query($id: ID!) { unit(id: $id) { name volunteers(first: 100) { totalCount edges { node { id } } } } }`;
    const asStation = await platform.query<{ unit: { volunteers: Page } }>(UNIT, { id: yingbin.id }, { token: tokens.STATION_ADMIN });
    const [sql] = await platform.volunteers.query('SELECT count(*)::int AS n FROM volunteer WHERE home_station_id = $1', [yingbin.id]);
    expect(asStation.data!.unit.volunteers.totalCount).toBe(sql.n);
    expect(asStation.data!.unit.volunteers.edges.map((edge) => edge.node.id)).toEqual(expect.arrayContaining(kite));
    const stranger = await platform.tokenAs('STATION_ADMIN', 'KZ-YUNFENG-YONGXIAN');
    const asStranger = await platform.query<{ unit: { name: string; volunteers: Page | null } }>(UNIT, { id: yingbin.id }, { token: stranger });
    expect(asStranger.data!.unit).toEqual({ name: '迎宾社区新时代文明实践站', volunteers: null });
    expect(asStranger.errors?.map((error) => [error.extensions?.code, error.path])).toEqual([['FORBIDDEN', ['unit', 'volunteers']]]);
  });
});

describe('teams', () => {
  let squad: string;
  let otherSquad: string;
  let direct: string;

  beforeAll(async () => {
    const id = async (code: string) => (await platform.volunteers.query('SELECT id::text FROM team_ref WHERE code = $1', [code]))[0].id as string;
    squad = await id('T-SQUAD-KZ-HANFENG-YINGBIN');
    otherSquad = await id('T-SQUAD-KZ-YUNFENG-YONGXIAN');
    direct = await id('T-DIRECT-01');
  });

  it('lets an active volunteer join the squad of their station and a district team, once each', async () => {
    const { token, volunteer } = await activeVolunteer();
    const joined = await platform.query<{ joinTeam: VolunteerShape }>(TEAM, { input: { teamId: squad } }, { token });
    expect(joined.errors).toBeUndefined();
    expect(joined.data!.joinTeam.teams).toEqual([{ team: { id: squad }, isLeader: false }]);
    const twice = await platform.query(TEAM, { input: { teamId: squad } }, { token });
    expect(twice.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', field: 'input.teamId' });
    expect((await platform.query(TEAM, { input: { teamId: direct } }, { token })).errors).toBeUndefined();
    const far = await platform.query(TEAM, { input: { teamId: otherSquad } }, { token });
    expect(far.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.teamId' });
    const unknown = await platform.query(TEAM, { input: { teamId: '987654321' } }, { token });
    expect(unknown.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.teamId' });

    const leader = await platform.query<{ setTeamLeader: VolunteerShape }>(
      `mutation($input: SetTeamLeaderInput!) { setTeamLeader(input: $input) { teams { team { id } isLeader } } }`,
      { input: { teamId: squad, volunteerId: volunteer.id, isLeader: true } },
      { token: tokens.STATION_ADMIN },
    );
    expect(leader.data!.setTeamLeader.teams).toContainEqual({ team: { id: squad }, isLeader: true });
    const notTheirs = await platform.query(
      `mutation($input: SetTeamLeaderInput!) { setTeamLeader(input: $input) { id } }`,
      { input: { teamId: direct, volunteerId: volunteer.id, isLeader: true } },
      { token: tokens.STATION_ADMIN },
    );
    expect(errorCodes(notTheirs)).toEqual(['FORBIDDEN']);

    const members = await platform.query<{ team: { members: Page } }>(
      `query($id: ID!) { team(id: $id) { members(first: 100) { totalCount edges { node { id } } } } }`,
      { id: squad },
      { token: tokens.STATION_ADMIN },
    );
    expect(members.data!.team.members.edges.map((edge) => edge.node.id)).toContain(volunteer.id);
    const teamFilter = await platform.query<{ volunteers: Page }>(LIST, { filter: { teamId: direct } }, { token: tokens.STATION_ADMIN });
    expect(teamFilter.data!.volunteers.edges.map((edge) => edge.node.id)).toContain(volunteer.id);

    const left = await platform.query<{ leaveTeam: VolunteerShape }>(LEAVE, { input: { teamId: squad } }, { token });
    expect(left.data!.leaveTeam.teams).toEqual([{ team: { id: direct } }]);
    expect(errorCodes(await platform.query(LEAVE, { input: { teamId: squad } }, { token }))).toEqual(['NOT_FOUND']);
  });

  it('lets only active volunteers join, and staff add volunteers of their subtree', async () => {
    const pending = await pendingVolunteer();
    const early = await platform.query(TEAM, { input: { teamId: squad } }, { token: pending.token });
    expect(early.errors?.[0]?.extensions).toMatchObject({ code: 'INVALID_TRANSITION', from: 'PENDING' });
    const { volunteer } = await activeVolunteer();
    const stranger = await platform.tokenAs('STATION_ADMIN', 'KZ-YUNFENG-YONGXIAN');
    expect(errorCodes(await platform.query(TEAM, { input: { teamId: squad, volunteerId: volunteer.id } }, { token: stranger }))).toEqual(['FORBIDDEN']);
    const added = await platform.query(TEAM, { input: { teamId: squad, volunteerId: volunteer.id } }, { token: tokens.STATION_ADMIN });
    expect(added.errors).toBeUndefined();
    // Someone who is no volunteer has no teams to join.
    expect(errorCodes(await platform.query(TEAM, { input: { teamId: squad } }, { token: tokens.RESIDENT_ZHOU }))).toEqual(['FORBIDDEN']);
  });
});

describe('profile', () => {
  const UPDATE = `mutation($input: UpdateVolunteerProfileInput!) { updateVolunteerProfile(input: $input) { id skills { code } availability { dayOfWeek } homeStation { id } } }`;

  it('lets the volunteer and the staff of the subtree change it, no one else', async () => {
    const { token, volunteer } = await activeVolunteer();
    const self = await platform.query(UPDATE, { input: { skills: ['REPAIR'], availability: [{ dayOfWeek: 3, start: '18:00', end: '20:00' }] } }, { token });
    expect(self.data).toEqual({ updateVolunteerProfile: { id: volunteer.id, skills: [{ code: 'REPAIR' }], availability: [{ dayOfWeek: 3 }], homeStation: { id: yingbin.id } } });
    const stranger = await platform.tokenAs('STATION_ADMIN', 'KZ-YUNFENG-YONGXIAN');
    expect(errorCodes(await platform.query(UPDATE, { input: { volunteerId: volunteer.id, skills: [] } }, { token: stranger }))).toEqual(['FORBIDDEN']);
    const moveAway = await platform.query(UPDATE, { input: { volunteerId: volunteer.id, homeStationId: yongxian.id } }, { token: tokens.STATION_ADMIN });
    expect(errorCodes(moveAway)).toEqual(['FORBIDDEN']);
    const byGrid = await platform.query(UPDATE, { input: { volunteerId: volunteer.id, skills: ['REPAIR', 'SAFETY'] } }, { token: tokens.GRID_WORKER });
    expect(byGrid.errors).toBeUndefined();
    const moved = await platform.query(UPDATE, { input: { homeStationId: yongxian.id } }, { token });
    expect(moved.data).toMatchObject({ updateVolunteerProfile: { homeStation: { id: yongxian.id } } });
    const [row] = await platform.volunteers.query('SELECT home_station_path FROM volunteer WHERE id = $1', [volunteer.id]);
    expect(row.home_station_path).toBe(yongxian.path);
  });
});

describe('volunteer statistics', () => {
  const STATS = `query($id: ID!, $from: DateTime, $to: DateTime) {
    unit(id: $id) { volunteerStats(from: $from, to: $to) { registered active pending verifiedMinutes verifiedHours services } }
  }`;

  beforeAll(async () => {
    // Verified and pending service at 迎宾 and at 永贤, inside and outside the period.
    const { volunteer } = await activeVolunteer();
    const rows: [string, string, string, number, string][] = [
      [yingbin.id, yingbin.path, '2026-03-02T09:00:00Z', 95, 'VERIFIED'],
      [yingbin.id, yingbin.path, '2026-03-20T09:00:00Z', 60, 'VERIFIED'],
      [yingbin.id, yingbin.path, '2026-03-21T09:00:00Z', 45, 'PENDING'],
      [yingbin.id, yingbin.path, '2026-04-01T00:00:00Z', 30, 'VERIFIED'],
      [yongxian.id, yongxian.path, '2026-03-05T09:00:00Z', 120, 'VERIFIED'],
    ];
    for (const [unitId, unitPath, startedAt, minutes, status] of rows) {
      await platform.volunteers.query(
        `INSERT INTO service_record (volunteer_id, unit_id, unit_path, category, title, started_at, minutes, status, source, evidence, created_by)
         VALUES ($1, $2, $3, 'ENVIRONMENT', '腾龙广场环境整治', $4, $5, $6, 'OFFLINE', '签到表', 'test')`,
        [volunteer.id, unitId, unitPath, startedAt, minutes, status],
      );
    }
  });

  async function sqlStats(path: string, from: string, to: string) {
    const [volunteers] = await platform.volunteers.query(
      `SELECT count(*)::int AS registered, count(*) FILTER (WHERE status = 'ACTIVE')::int AS active,
              count(*) FILTER (WHERE status = 'PENDING')::int AS pending
         FROM volunteer WHERE home_station_path = $1 OR home_station_path LIKE $1 || '/%'`,
      [path],
    );
    const [records] = await platform.volunteers.query(
      `SELECT coalesce(sum(minutes), 0)::int AS "verifiedMinutes", count(*)::int AS services FROM service_record
        WHERE status = 'VERIFIED' AND (unit_path = $1 OR unit_path LIKE $1 || '/%') AND started_at >= $2 AND started_at < $3`,
      [path, from, to],
    );
    return { ...volunteers, ...records };
  }

  it('equals a direct SQL count of the subtree, for the institute and the district', async () => {
    const period = { from: '2026-03-01T00:00:00+08:00', to: '2026-04-01T00:00:00Z' };
    const institute = await platform.query<{ unit: { volunteerStats: Record<string, number> } }>(STATS, { id: hanfeng.id, ...period }, { token: tokens.INSTITUTE_ADMIN });
    expect(institute.errors).toBeUndefined();
    const expected = await sqlStats(hanfeng.path, period.from, period.to);
    expect(expected).toMatchObject({ verifiedMinutes: 155, services: 2 });
    expect(institute.data!.unit.volunteerStats).toEqual({ ...expected, verifiedHours: 2.6 });
    const center = await platform.unit('KZ');
    const district = await platform.query<{ unit: { volunteerStats: Record<string, number> } }>(STATS, { id: center.id, ...period }, { token: tokens.ANALYST });
    const all = await sqlStats(center.path, period.from, period.to);
    expect(district.data!.unit.volunteerStats).toEqual({ ...all, verifiedHours: Math.round(all.verifiedMinutes / 6) / 10 });
    expect(all.verifiedMinutes).toBeGreaterThanOrEqual(275);
  });

  it('is for staff in scope', async () => {
    expect(errorCodes(await platform.query(STATS, { id: hanfeng.id }, { token: tokens.STATION_ADMIN }))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await platform.query(STATS, { id: yingbin.id }, { token: tokens.RESIDENT_ZHOU }))).toEqual(['FORBIDDEN']);
    const station = await platform.query(STATS, { id: yingbin.id }, { token: tokens.STATION_ADMIN });
    expect(station.errors).toBeUndefined();
  });
});

describe('batching', () => {
  const ENTITIES = `query($representations: [_Any!]!) {
    _entities(representations: $representations) {
      ... on Volunteer { id status person { id displayName } skills { code name } teams { team { id } isLeader joinedAt } reviews { decision decidedBy { id } } }
    }
  }`;

  it('resolves N volunteer references with person, skills, teams and reviews in the same number of statements for 3 and 30', async () => {
    const [squad] = await platform.volunteers.query(`SELECT id::text FROM team_ref WHERE code = 'T-SQUAD-KZ-HANFENG-YINGBIN'`);
    const people = await platform.volunteers.query(
      `INSERT INTO person (real_name, mobile, home_unit_id, home_unit_path)
       SELECT '批量' || n, '1340023' || lpad(n::text, 4, '0'), $1, $2 FROM generate_series(1, 30) AS n RETURNING id::text`,
      [yingbin.id, yingbin.path],
    );
    const volunteers: { id: string }[] = await platform.volunteers.query(
      `INSERT INTO volunteer (person_id, status, home_station_id, home_station_path, skills)
       SELECT id, 'ACTIVE', $2, $3, '{MEDICAL,ARTS}' FROM unnest($1::bigint[]) AS p(id) RETURNING id::text`,
      [people.map((row: { id: string }) => row.id), yingbin.id, yingbin.path],
    );
    const ids = volunteers.map((row) => row.id);
    await platform.volunteers.query(`INSERT INTO team_membership (volunteer_id, team_id) SELECT id, $2 FROM unnest($1::bigint[]) AS v(id)`, [ids, squad.id]);
    await platform.volunteers.query(`INSERT INTO volunteer_review (volunteer_id, decision, decided_by) SELECT id, 'REGISTERED', 'self' FROM unnest($1::bigint[]) AS v(id)`, [ids]);

    const claims: Claims = aCaller.staff('STATION_ADMIN', yingbin, '1');
    const resolve = (n: number) =>
      signedSubgraphRequest<{ _entities: { id: string; skills: unknown[]; teams: unknown[]; reviews: unknown[] }[] }>(
        platform.subgraphs.volunteers.url,
        platform.config.CLAIMS_SIGNING_SECRET,
        claims,
        ENTITIES,
        { representations: ids.slice(0, n).map((id) => ({ __typename: 'Volunteer', id })) },
      );
    const statements = (result: GraphQLResult) => Number(result.headers.get(SQL_STATEMENTS_HEADER));
    const three = await resolve(3);
    const thirty = await resolve(30);
    expect(three.errors).toBeUndefined();
    expect(thirty.errors).toBeUndefined();
    expect(thirty.data!._entities).toHaveLength(30);
    expect(thirty.data!._entities[29]).toMatchObject({ id: ids[29], skills: [{ code: 'MEDICAL', name: '医疗健康' }, { code: 'ARTS', name: '文艺' }], teams: [{ team: { id: squad.id } }] });
    expect(statements(three)).toBeGreaterThan(0);
    expect(statements(thirty)).toBe(statements(three));
  });
});

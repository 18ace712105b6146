import { errorCodes, GraphQLResult } from '@kz/testing';
import { Platform, startPlatform } from './stack';

const STATION_ADMIN = '13900230005';
const VOLUNTEER_HE_YI = '13900230007';
const MINUTE = 60_000;
const METRES_PER_DEGREE_LAT = 111_195;

let platform: Platform;
let yingbin: { id: string; path: string };
let station: { lat: number; lng: number };
let admin: string;

beforeAll(async () => {
  platform = await startPlatform({ seed: 'demo' });
  yingbin = await platform.unit('KZ-HANFENG-YINGBIN');
  [station] = await platform.org.query('SELECT lat, lng FROM practice_unit WHERE id = $1', [yingbin.id]);
  admin = await platform.login(STATION_ADMIN);
});
afterAll(() => platform?.stop());

/** A point `metres` north of the station. */
const north = (metres: number) => ({ lat: station.lat + metres / METRES_PER_DEGREE_LAT, lng: station.lng });
const at = (offsetMinutes: number) => new Date(Date.now() + offsetMinutes * MINUTE).toISOString();

const ACTIVITY_FIELDS = `id status capacity signedUpCount waitlistCount startsAt endsAt cancelReason
  category { code name } organizingUnit { id name } requiredSkills { code name }
  place { name checkInRadiusMeters location { lat lng } }`;
const SIGN_UP_FIELDS = 'id status waitlistPosition checkedInAt checkInDistanceMeters checkedOutAt';

type ActivityShape = {
  id: string;
  status: string;
  capacity: number;
  signedUpCount: number;
  waitlistCount: number;
  cancelReason: string | null;
  category: { code: string; name: string };
  organizingUnit: { id: string; name: string };
  requiredSkills: { code: string; name: string }[];
};
type SignUpShape = { id: string; status: string; waitlistPosition: number | null; checkInDistanceMeters: number | null };

/** A valid activity of 迎宾社区 (at the station, radius 200 m, running now), unless overridden. */
function anActivity(overrides: Record<string, unknown> = {}) {
  return {
    title: '腾龙广场环境整治',
    description: '清理小区公共区域，更换健身器材周边的杂物。',
    category: 'ENVIRONMENT',
    organizingUnitId: yingbin.id,
    startsAt: at(-60),
    endsAt: at(60),
    place: { name: '腾龙广场', location: north(0), checkInRadiusMeters: 200 },
    capacity: 10,
    ...overrides,
  };
}

async function mutate<T>(name: string, inputType: string, input: unknown, token: string, fields = ACTIVITY_FIELDS, language?: string) {
  return platform.query<Record<string, T>>(`mutation($input: ${inputType}!) { ${name}(input: $input) { ${fields} } }`, { input }, { token, language });
}

async function createActivity(overrides: Record<string, unknown> = {}, token = admin): Promise<ActivityShape> {
  const result = await mutate<ActivityShape>('createActivity', 'CreateActivityInput', anActivity(overrides), token);
  expect(result.errors).toBeUndefined();
  return result.data!.createActivity!;
}

async function publishedActivity(overrides: Record<string, unknown> = {}): Promise<ActivityShape> {
  const created = await createActivity(overrides);
  const published = await mutate<ActivityShape>('publishActivity', 'ActivityIdInput', { activityId: created.id }, admin);
  expect(published.errors).toBeUndefined();
  return published.data!.publishActivity!;
}

const signUp = (activityId: string, token: string) =>
  mutate<SignUpShape>('signUpForActivity', 'ActivityIdInput', { activityId }, token, SIGN_UP_FIELDS);
const cancelSignUp = (activityId: string, token: string) =>
  mutate<SignUpShape>('cancelSignUp', 'ActivityIdInput', { activityId }, token, SIGN_UP_FIELDS);
const checkIn = (activityId: string, location: { lat: number; lng: number }, token: string, language?: string) =>
  mutate<SignUpShape>('checkIn', 'CheckInOutInput', { activityId, location }, token, SIGN_UP_FIELDS, language);
const checkOut = (activityId: string, location: { lat: number; lng: number }, token: string) =>
  mutate<SignUpShape>('checkOut', 'CheckInOutInput', { activityId, location }, token, SIGN_UP_FIELDS);

async function readActivity(id: string, token = admin): Promise<ActivityShape | null> {
  const result = await platform.query<{ activity: ActivityShape | null }>(`query($id: ID!) { activity(id: $id) { ${ACTIVITY_FIELDS} } }`, { id }, { token });
  expect(result.errors).toBeUndefined();
  return result.data!.activity;
}

async function signUpRows(activityId: string): Promise<{ volunteer_id: string; status: string }[]> {
  return platform.volunteers.query('SELECT volunteer_id::text, status FROM activity_signup WHERE activity_id = $1 ORDER BY id', [activityId]);
}

let mobileSerial = 0;
/** Active volunteers of 迎宾社区 made directly in the database, each with a token of their own. */
async function activeVolunteers(n: number, skills: string[] = []): Promise<{ volunteerId: string; token: string }[]> {
  const mobiles = Array.from({ length: n }, () => `1350023${String((mobileSerial += 1)).padStart(4, '0')}`);
  const people: { id: string }[] = await platform.volunteers.query(
    `INSERT INTO person (real_name, mobile, roles, home_unit_id, home_unit_path)
     SELECT '志愿者' || m, m, '{RESIDENT,VOLUNTEER}', $2, $3 FROM unnest($1::text[]) AS m RETURNING id::text`,
    [mobiles, yingbin.id, yingbin.path],
  );
  const volunteers: { id: string; person_id: string }[] = await platform.volunteers.query(
    `INSERT INTO volunteer (person_id, status, home_station_id, home_station_path, skills)
     SELECT p, 'ACTIVE', $2, $3, $4 FROM unnest($1::bigint[]) AS p RETURNING id::text, person_id::text`,
    [people.map((person) => person.id), yingbin.id, yingbin.path, skills],
  );
  return Promise.all(
    volunteers.map(async (volunteer) => ({
      volunteerId: volunteer.id,
      token: await platform.token({ sub: volunteer.person_id, roles: ['RESIDENT', 'VOLUNTEER'] }),
    })),
  );
}

function firstError(result: GraphQLResult) {
  return result.errors?.[0];
}

describe('running an activity', () => {
  it('lets a station admin create a draft that only staff in scope see, then publish it with an event', async () => {
    const draft = await createActivity({ requiredSkills: ['ENVIRONMENT'] });
    expect(draft).toMatchObject({
      status: 'DRAFT',
      capacity: 10,
      signedUpCount: 0,
      waitlistCount: 0,
      category: { code: 'ENVIRONMENT', name: '环境整治' },
      organizingUnit: { id: yingbin.id, name: '迎宾社区新时代文明实践站' },
      requiredSkills: [{ code: 'ENVIRONMENT', name: '环境' }],
    });
    const volunteer = await platform.login(VOLUNTEER_HE_YI);
    expect(await readActivity(draft.id, volunteer)).toBeNull();
    expect(await readActivity(draft.id, await platform.tokenAs('STATION_ADMIN', 'KZ-YUNFENG-YONGXIAN'))).toBeNull();
    expect(await readActivity(draft.id, await platform.login('13900230004'))).toMatchObject({ status: 'DRAFT' });

    const published = await mutate<ActivityShape>('publishActivity', 'ActivityIdInput', { activityId: draft.id }, admin);
    expect(published.data!.publishActivity).toMatchObject({ id: draft.id, status: 'PUBLISHED' });
    expect(await readActivity(draft.id, volunteer)).toMatchObject({ status: 'PUBLISHED' });
    const events = await platform.volunteers.query(`SELECT unit_path, payload FROM outbox WHERE type = 'activity.published'`);
    expect(events).toContainEqual({ unit_path: yingbin.path, payload: expect.objectContaining({ activityId: draft.id, unitId: yingbin.id }) });
  });

  it('refuses a station admin of another institute, and anyone who is not an admin', async () => {
    const draft = await createActivity();
    const otherStation = await platform.tokenAs('STATION_ADMIN', 'KZ-YUNFENG-YONGXIAN');
    expect(errorCodes(await mutate('publishActivity', 'ActivityIdInput', { activityId: draft.id }, otherStation))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await mutate('createActivity', 'CreateActivityInput', anActivity(), otherStation))).toEqual(['FORBIDDEN']);
    const volunteer = await platform.login(VOLUNTEER_HE_YI);
    expect(errorCodes(await mutate('createActivity', 'CreateActivityInput', anActivity(), volunteer))).toEqual(['FORBIDDEN']);
    expect(await readActivity(draft.id)).toMatchObject({ status: 'DRAFT' });
  });

  // Overrides are made when the test runs: the place needs the station's location.
  it.each([
    ['a radius under 10 m', () => ({ place: { name: '腾龙广场', location: north(0), checkInRadiusMeters: 5 } }), 'input.place.checkInRadiusMeters'],
    ['no places', () => ({ capacity: 0 }), 'input.capacity'],
    ['an end before the start', () => ({ startsAt: at(60), endsAt: at(0) }), 'input.endsAt'],
    ['an unknown category', () => ({ category: 'NO_SUCH' }), 'input.category'],
    ['an unknown skill', () => ({ requiredSkills: ['MEDICAL', 'JUGGLING'] }), 'input.requiredSkills.1'],
    ['an unknown unit', () => ({ organizingUnitId: '999999' }), 'input.organizingUnitId'],
  ])('refuses %s, naming the field and storing nothing', async (_case, override, field) => {
    const [before] = await platform.volunteers.query('SELECT count(*)::int AS n FROM activity');
    const result = await mutate('createActivity', 'CreateActivityInput', anActivity(override()), admin);
    expect(firstError(result)?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    const [after] = await platform.volunteers.query('SELECT count(*)::int AS n FROM activity');
    expect(after.n).toBe(before.n);
  });

  it('follows its state machine: a cancelled activity cannot be published, naming both states', async () => {
    const draft = await createActivity();
    const cancelled = await mutate<ActivityShape>('cancelActivity', 'CancelActivityInput', { activityId: draft.id, reason: '暴雨预警' }, admin);
    expect(cancelled.data!.cancelActivity).toMatchObject({ status: 'CANCELLED', cancelReason: '暴雨预警' });
    const republish = await mutate('publishActivity', 'ActivityIdInput', { activityId: draft.id }, admin, ACTIVITY_FIELDS, 'zh-CN');
    expect(firstError(republish)?.extensions).toMatchObject({ code: 'INVALID_TRANSITION', from: 'CANCELLED', to: 'PUBLISHED', event: 'publish' });
    expect(firstError(republish)?.message).toContain('已取消');
    expect(firstError(republish)?.message).toContain('已发布');
    const events = await platform.volunteers.query(`SELECT payload FROM outbox WHERE type = 'activity.cancelled'`);
    expect(events.map((event: { payload: { activityId: string } }) => event.payload.activityId)).toContain(draft.id);
  });

  it('lists activities soonest first, page by page, and shows sign-ups to staff in scope only', async () => {
    const search = `排序测试${Date.now()}`;
    const ids = [];
    for (const offset of [300, 100, 200]) ids.push((await publishedActivity({ title: `${search}-${offset}`, startsAt: at(offset), endsAt: at(offset + 60) })).id);
    const LIST = `query($filter: ActivityFilter, $after: String) {
      activities(filter: $filter, first: 2, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { id title } } }
    }`;
    type Page = { activities: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string }; edges: { node: { id: string } }[] } };
    const volunteer = await platform.login(VOLUNTEER_HE_YI);
    const first = await platform.query<Page>(LIST, { filter: { search, withinUnitId: yingbin.id } }, { token: volunteer });
    expect(first.errors).toBeUndefined();
    expect(first.data!.activities.totalCount).toBe(3);
    expect(first.data!.activities.pageInfo.hasNextPage).toBe(true);
    const second = await platform.query<Page>(LIST, { filter: { search, withinUnitId: yingbin.id }, after: first.data!.activities.pageInfo.endCursor }, { token: volunteer });
    expect([...first.data!.activities.edges, ...second.data!.activities.edges].map((edge) => edge.node.id)).toEqual([ids[1], ids[2], ids[0]]);
    expect(second.data!.activities.pageInfo.hasNextPage).toBe(false);

    const SIGN_UPS = `query($id: ID!) { activity(id: $id) { id signUps { totalCount } } }`;
    const denied = await platform.query(SIGN_UPS, { id: ids[0] }, { token: volunteer });
    expect(errorCodes(denied)).toEqual(['FORBIDDEN']);
    expect(firstError(denied)?.path).toEqual(['activity', 'signUps']);
    expect((await platform.query(SIGN_UPS, { id: ids[0] }, { token: admin })).errors).toBeUndefined();
  });
});

describe('signing up', () => {
  it('gives 10 places to exactly 10 of 50 volunteers signing up at once and waitlists the other 40 in order', async () => {
    const activity = await publishedActivity({ capacity: 10, startsAt: at(24 * 60), endsAt: at(26 * 60) });
    const volunteers = await activeVolunteers(50);
    const results = await Promise.all(volunteers.map((volunteer) => signUp(activity.id, volunteer.token)));
    expect(results.flatMap((result) => result.errors ?? [])).toEqual([]);
    const signUps = results.map((result) => result.data!.signUpForActivity!);
    expect(signUps.filter((s) => s.status === 'SIGNED_UP')).toHaveLength(10);
    expect(signUps.filter((s) => s.status === 'WAITLISTED')).toHaveLength(40);
    expect(signUps.filter((s) => s.status === 'WAITLISTED').map((s) => s.waitlistPosition).sort((a, b) => a! - b!)).toEqual(
      Array.from({ length: 40 }, (_, i) => i + 1),
    );
    const [stored] = await platform.volunteers.query('SELECT signed_up FROM activity WHERE id = $1', [activity.id]);
    expect(stored.signed_up).toBe(10);
    const rows = await signUpRows(activity.id);
    expect(rows.filter((row) => row.status === 'SIGNED_UP')).toHaveLength(10);
    expect(rows).toHaveLength(50);
    expect(await readActivity(activity.id)).toMatchObject({ signedUpCount: 10, waitlistCount: 40 });

    // A place freed goes to the first on the waitlist.
    const holder = volunteers[signUps.findIndex((s) => s.status === 'SIGNED_UP')]!;
    const firstWaiting = volunteers[signUps.findIndex((s) => s.waitlistPosition === 1)]!;
    const cancelled = await cancelSignUp(activity.id, holder.token);
    expect(cancelled.data!.cancelSignUp).toMatchObject({ status: 'CANCELLED' });
    const MINE = `{ myActivities { totalCount edges { node { status waitlistPosition activity { id } } } } }`;
    const mine = await platform.query<{ myActivities: { edges: { node: { status: string; activity: { id: string } } }[] } }>(MINE, {}, { token: firstWaiting.token });
    expect(mine.data!.myActivities.edges[0]!.node).toMatchObject({ status: 'SIGNED_UP', waitlistPosition: null, activity: { id: activity.id } });
    expect(await readActivity(activity.id)).toMatchObject({ signedUpCount: 10, waitlistCount: 39 });

    // Signing up again after cancelling joins the end of the queue; signing up twice is a conflict.
    const again = await signUp(activity.id, holder.token);
    expect(again.data!.signUpForActivity).toMatchObject({ status: 'WAITLISTED', waitlistPosition: 40 });
    const twice = await signUp(activity.id, firstWaiting.token);
    expect(firstError(twice)?.extensions).toMatchObject({ code: 'CONFLICT', field: 'input.activityId' });
    expect(await signUpRows(activity.id)).toHaveLength(50);
    const [after] = await platform.volunteers.query('SELECT signed_up FROM activity WHERE id = $1', [activity.id]);
    expect(after.signed_up).toBe(10);
  });

  it('keeps the count of places equal to the places held while volunteers cancel and sign up at once', async () => {
    const activity = await publishedActivity({ capacity: 5, startsAt: at(24 * 60), endsAt: at(25 * 60) });
    const first = await activeVolunteers(10);
    for (const volunteer of first) await signUp(activity.id, volunteer.token);
    const newcomers = await activeVolunteers(5);
    const results = await Promise.all([
      ...first.slice(0, 5).map((volunteer) => cancelSignUp(activity.id, volunteer.token)),
      ...newcomers.map((volunteer) => signUp(activity.id, volunteer.token)),
    ]);
    expect(results.flatMap((result) => result.errors ?? [])).toEqual([]);
    const [stored] = await platform.volunteers.query('SELECT signed_up, capacity FROM activity WHERE id = $1', [activity.id]);
    const statuses = (await signUpRows(activity.id)).map((row) => row.status);
    expect(stored.signed_up).toBe(5);
    expect(statuses.filter((status) => status === 'SIGNED_UP')).toHaveLength(5);
    expect(statuses.filter((status) => status === 'WAITLISTED')).toHaveLength(5);
    // The five who waited before the rush got the freed places.
    const waitedFirst = new Set(first.slice(5).map((volunteer) => volunteer.volunteerId));
    expect((await signUpRows(activity.id)).filter((row) => row.status === 'SIGNED_UP').every((row) => waitedFirst.has(row.volunteer_id))).toBe(true);
  });

  it('refuses a sign-up to a cancelled activity and stores nothing', async () => {
    const activity = await publishedActivity();
    await mutate('cancelActivity', 'CancelActivityInput', { activityId: activity.id, reason: '场地维修' }, admin);
    const [volunteer] = await activeVolunteers(1);
    const result = await signUp(activity.id, volunteer!.token);
    expect(firstError(result)?.extensions).toMatchObject({ code: 'INVALID_TRANSITION', from: 'CANCELLED', event: 'signUp' });
    expect(await signUpRows(activity.id)).toEqual([]);
  });

  it('refuses a sign-up once the activity has ended', async () => {
    const activity = await publishedActivity({ startsAt: at(-180), endsAt: at(-60) });
    const [volunteer] = await activeVolunteers(1);
    const late = await signUp(activity.id, volunteer!.token);
    expect(firstError(late)?.extensions).toMatchObject({ code: 'INVALID_TRANSITION', event: 'signUp', endsAt: expect.any(String) });
    expect(await signUpRows(activity.id)).toEqual([]);
  });

  it('refuses volunteers without the required skills, naming what is missing, and people who are not active volunteers', async () => {
    const activity = await publishedActivity({ requiredSkills: ['MEDICAL'] });
    const [unskilled] = await activeVolunteers(1);
    const refused = await platform.query(
      `mutation($input: ActivityIdInput!) { signUpForActivity(input: $input) { id } }`,
      { input: { activityId: activity.id } },
      { token: unskilled!.token, language: 'zh-CN' },
    );
    expect(firstError(refused)?.extensions).toMatchObject({ code: 'FORBIDDEN', missing: 'MEDICAL' });
    expect(firstError(refused)?.message).toContain('医疗健康');
    const [medic] = await activeVolunteers(1, ['MEDICAL']);
    expect((await signUp(activity.id, medic!.token)).data!.signUpForActivity).toMatchObject({ status: 'SIGNED_UP' });
    const resident = await platform.login('13900230008');
    expect(errorCodes(await signUp(activity.id, resident))).toEqual(['FORBIDDEN']);
    expect(await signUpRows(activity.id)).toEqual([{ volunteer_id: expect.any(String), status: 'SIGNED_UP' }]);
  });

  it('never lets the capacity drop below the places taken, and gives added places to the waitlist', async () => {
    const activity = await publishedActivity({ capacity: 1, startsAt: at(600), endsAt: at(660) });
    const volunteers = await activeVolunteers(3);
    for (const volunteer of volunteers) await signUp(activity.id, volunteer.token);
    const lower = await mutate('updateActivity', 'UpdateActivityInput', { id: activity.id, capacity: 0 }, admin);
    expect(firstError(lower)?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.capacity' });
    const raised = await mutate<ActivityShape>('updateActivity', 'UpdateActivityInput', { id: activity.id, capacity: 2 }, admin);
    expect(raised.data!.updateActivity).toMatchObject({ capacity: 2, signedUpCount: 2, waitlistCount: 1 });
    expect((await signUpRows(activity.id)).map((row) => row.status)).toEqual(['SIGNED_UP', 'SIGNED_UP', 'WAITLISTED']);
  });
});

describe('checking in and out', () => {
  it('refuses a check-in 2 km away, with the distance in the message in both languages', async () => {
    const activity = await publishedActivity();
    const [volunteer] = await activeVolunteers(1);
    await signUp(activity.id, volunteer!.token);
    const far = await checkIn(activity.id, north(2000), volunteer!.token);
    const error = firstError(far)!;
    expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.location', radius: 200 });
    expect(error.extensions!.distance).toBeGreaterThan(1990);
    expect(error.extensions!.distance).toBeLessThan(2010);
    expect(error.message).toContain(`${error.extensions!.distance} m`);
    const zh = firstError(await checkIn(activity.id, north(2000), volunteer!.token, 'zh-CN'))!;
    expect(zh.message).toContain(`${error.extensions!.distance} 米`);
    expect(zh.message).toContain('200 米');
    expect((await signUpRows(activity.id))[0]).toMatchObject({ status: 'SIGNED_UP' });
  });

  it('refuses a check-in before the window opens (30 minutes before the start)', async () => {
    const activity = await publishedActivity({ startsAt: at(45), endsAt: at(120) });
    const [volunteer] = await activeVolunteers(1);
    await signUp(activity.id, volunteer!.token);
    const early = await checkIn(activity.id, north(10), volunteer!.token);
    expect(firstError(early)?.extensions).toMatchObject({ code: 'INVALID_TRANSITION', from: 'SIGNED_UP', to: 'CHECKED_IN' });
    expect(firstError(early)?.message).toContain('check in only between');
    expect((await signUpRows(activity.id))[0]).toMatchObject({ status: 'SIGNED_UP' });
    // Only a place-holder checks in; only someone checked in checks out.
    expect(errorCodes(await checkOut(activity.id, north(10), volunteer!.token))).toEqual(['INVALID_TRANSITION']);
  });

  it('checks 何毅 in and out on site and makes a pending service record', async () => {
    const activity = await publishedActivity();
    const heYi = await platform.login(VOLUNTEER_HE_YI);
    expect((await signUp(activity.id, heYi)).data!.signUpForActivity).toMatchObject({ status: 'SIGNED_UP' });
    const inside = await checkIn(activity.id, north(50), heYi);
    expect(inside.errors).toBeUndefined();
    expect(inside.data!.checkIn).toMatchObject({ status: 'CHECKED_IN', checkInDistanceMeters: 50 });
    expect(errorCodes(await checkIn(activity.id, north(50), heYi))).toEqual(['INVALID_TRANSITION']);
    const out = await checkOut(activity.id, north(120), heYi);
    expect(out.errors).toBeUndefined();
    expect(out.data!.checkOut).toMatchObject({ status: 'CHECKED_OUT' });
    const [stored] = await platform.volunteers.query(
      `SELECT s.check_out_distance_m, r.status, r.source FROM activity_signup s
         JOIN service_record r ON r.volunteer_id = s.volunteer_id AND r.activity_id = s.activity_id
        WHERE s.activity_id = $1`,
      [activity.id],
    );
    expect(stored).toEqual({ check_out_distance_m: 120, status: 'PENDING', source: 'CHECK_OUT' });
  });
});

describe('completing an activity', () => {
  it('only after it ended, marking those who held a place and never came as no-shows', async () => {
    const activity = await publishedActivity({ capacity: 2 });
    const [came, stayedAway, waited] = await activeVolunteers(3);
    for (const volunteer of [came, stayedAway, waited]) await signUp(activity.id, volunteer!.token);
    await checkIn(activity.id, north(0), came!.token);
    const early = await mutate('completeActivity', 'ActivityIdInput', { activityId: activity.id }, admin);
    expect(firstError(early)?.extensions).toMatchObject({ code: 'INVALID_TRANSITION', from: 'PUBLISHED', to: 'DONE' });

    // The activity ran earlier than planned: its admin corrects the times, then closes it.
    await mutate('updateActivity', 'UpdateActivityInput', { id: activity.id, startsAt: at(-120), endsAt: at(-1) }, admin);
    const done = await mutate<ActivityShape>('completeActivity', 'ActivityIdInput', { activityId: activity.id }, admin);
    expect(done.errors).toBeUndefined();
    expect(done.data!.completeActivity).toMatchObject({ status: 'DONE' });
    const byVolunteer = new Map((await signUpRows(activity.id)).map((row) => [row.volunteer_id, row.status]));
    expect(byVolunteer.get(came!.volunteerId)).toBe('CHECKED_IN');
    expect(byVolunteer.get(stayedAway!.volunteerId)).toBe('NO_SHOW');
    expect(byVolunteer.get(waited!.volunteerId)).toBe('WAITLISTED');
  });
});

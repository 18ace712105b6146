import { withCheckDigit } from '@kz/auth';
import { DEMO_PASSWORD } from '@kz/seed-data';
import { errorCodes, eventually, GraphQLResult } from '@kz/testing';
import { Platform, startPlatform } from './stack';

const STATION_ADMIN = '13900230005';
const RESIDENT_ZHOU = '13900230008';
const INSTITUTE_ADMIN = '13900230004';

let platform: Platform;
let yingbinId: string;
let yongxianId: string;

beforeAll(async () => {
  platform = await startPlatform({ seed: 'demo' });
  yingbinId = (await platform.unit('KZ-HANFENG-YINGBIN')).id;
  yongxianId = (await platform.unit('KZ-YUNFENG-YONGXIAN')).id;
});
afterAll(() => platform.stop());

const SIGN_UP = `mutation($input: SignUpInput!) { signUp(input: $input) { token person { id realName idNumber roles } } }`;
const LOGIN = `mutation($input: LoginInput!) { login(input: $input) { token expiresAt person { id } } }`;
let serial = 0;
/** A fresh, valid sign-up: a unique fictitious mobile and ID number. */
function newcomer(overrides: Record<string, unknown> = {}) {
  serial += 1;
  const n = String(serial).padStart(4, '0');
  return { realName: '李晓梅', mobile: `1370023${n}`, idNumber: withCheckDigit(`50023419950612${n.slice(1)}`), password: 'xinlai2026', homeUnitId: yingbinId, ...overrides };
}

describe('signing in', () => {
  it('gives a demo login a token the gateway accepts, with the staff scope in it', async () => {
    const token = await platform.login(STATION_ADMIN);
    const me = await platform.query<{ me: { realName: string; roles: string[]; staffUnit: { name: string; code: string } } }>(
      `{ me { realName roles staffUnit { name code } } }`,
      {},
      { token },
    );
    expect(me.errors).toBeUndefined();
    expect(me.data!.me).toEqual({
      realName: '迎宾站管理员',
      roles: ['RESIDENT', 'STATION_ADMIN'],
      staffUnit: { name: '迎宾社区新时代文明实践站', code: 'KZ-HANFENG-YINGBIN' },
    });
    const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());
    expect(claims.unitPath).toBe((await platform.unit('KZ-HANFENG-YINGBIN')).path);
  });

  it('answers a wrong password and an unknown phone alike', async () => {
    const wrong = await platform.query(LOGIN, { input: { phone: RESIDENT_ZHOU, password: 'not-it-123' } });
    const unknown = await platform.query(LOGIN, { input: { phone: '13700009999', password: 'not-it-123' } });
    expect(wrong.errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'invalidCredentials' });
    expect(unknown.errors?.[0]).toEqual(wrong.errors?.[0]);
  });

  it('locks an account after five failures in a row, even against the right password', async () => {
    const input = newcomer();
    await platform.query(SIGN_UP, { input });
    const attempts = await Promise.all(
      Array.from({ length: 5 }, () => platform.query(LOGIN, { input: { phone: input.mobile, password: 'wrong-pass-1' } })),
    );
    expect(attempts.map((attempt) => attempt.errors?.[0]?.extensions?.reason).sort()).toEqual([
      'accountLocked',
      'invalidCredentials',
      'invalidCredentials',
      'invalidCredentials',
      'invalidCredentials',
    ]);
    const right = await platform.query(LOGIN, { input: { phone: input.mobile, password: input.password } }, { language: 'zh-CN' });
    expect(right.errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'accountLocked', retryAfterMinutes: 15 });
    expect(right.errors?.[0]?.message).toContain('账户已锁定');
    // The lock runs out: move it into the past as time would.
    await platform.volunteers.query(`UPDATE person SET locked_until = now() - interval '1 second' WHERE mobile = $1`, [input.mobile]);
    const after = await platform.query<{ login: { token: string } }>(LOGIN, { input: { phone: input.mobile, password: input.password } });
    expect(after.data?.login.token).toBeTruthy();
    const [row] = await platform.volunteers.query('SELECT failed_logins, locked_until FROM person WHERE mobile = $1', [input.mobile]);
    expect(row).toEqual({ failed_logins: 0, locked_until: null });
  });

  it('changes a password only with the current one', async () => {
    const input = newcomer();
    const signedUp = await platform.query<{ signUp: { token: string } }>(SIGN_UP, { input });
    const token = signedUp.data!.signUp.token;
    const change = `mutation($input: ChangePasswordInput!) { changePassword(input: $input) { id } }`;
    const wrong = await platform.query(change, { input: { currentPassword: 'nope-1234', newPassword: 'gengxin2027' } }, { token });
    expect(wrong.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.currentPassword' });
    const weak = await platform.query(change, { input: { currentPassword: input.password, newPassword: 'short' } }, { token });
    expect(weak.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.newPassword' });
    const done = await platform.query(change, { input: { currentPassword: input.password, newPassword: 'gengxin2027' } }, { token });
    expect(done.errors).toBeUndefined();
    expect(errorCodes(await platform.query(LOGIN, { input: { phone: input.mobile, password: input.password } }))).toEqual(['UNAUTHENTICATED']);
    expect((await platform.query(LOGIN, { input: { phone: input.mobile, password: 'gengxin2027' } })).errors).toBeUndefined();
  });
});

describe('signing up', () => {
  it('opens a resident account whose ID number is never stored in clear', async () => {
    const input = newcomer();
    const result = await platform.query<{ signUp: { person: { id: string; realName: string; idNumber: string; roles: string[] } } }>(SIGN_UP, { input });
    expect(result.errors).toBeUndefined();
    expect(result.data!.signUp.person).toMatchObject({ realName: '李晓梅', idNumber: input.idNumber, roles: ['RESIDENT'] });
    const [row] = await platform.volunteers.query('SELECT row_to_json(p)::text AS json FROM person p WHERE mobile = $1', [input.mobile]);
    expect(row.json).not.toContain(input.idNumber);
    expect(row.json).not.toContain(input.idNumber.slice(6, 14));
    expect(row.json).not.toContain(input.password);
  });

  it.each([
    ['a mobile number of the wrong shape', { mobile: '1234567' }, 'input.mobile', 'BAD_USER_INPUT'],
    ['an ID number with a wrong check character', { idNumber: 'BADCHECK' }, 'input.idNumber', 'BAD_USER_INPUT'],
    ['a weak password', { password: '12345678' }, 'input.password', 'BAD_USER_INPUT'],
    ['a home that is not a station', { homeUnitId: '1' }, 'input.homeUnitId', 'BAD_USER_INPUT'],
    ['a mobile number already registered', { mobile: RESIDENT_ZHOU }, 'input.mobile', 'CONFLICT'],
  ])('refuses %s, naming the field and never the ID number, and stores nothing', async (_case, override, field, code) => {
    const input = newcomer();
    const bad = { ...input, ...override };
    if (bad.idNumber === 'BADCHECK') bad.idNumber = `${input.idNumber.slice(0, 17)}${input.idNumber.endsWith('1') ? '2' : '1'}`;
    const [before] = await platform.volunteers.query('SELECT count(*)::int AS n FROM person');
    const result = await platform.query(SIGN_UP, { input: bad });
    expect(result.errors?.[0]?.extensions).toMatchObject({ code, field });
    expect(JSON.stringify(result.errors)).not.toContain(String(bad.idNumber));
    const [after] = await platform.volunteers.query('SELECT count(*)::int AS n FROM person');
    expect(after.n).toBe(before.n);
  });

  it('refuses the same ID number twice, saying only that it is taken', async () => {
    const first = newcomer();
    await platform.query(SIGN_UP, { input: first });
    const second = { ...newcomer(), idNumber: first.idNumber };
    const result = await platform.query(SIGN_UP, { input: second });
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', field: 'input.idNumber' });
    expect(JSON.stringify(result.errors)).not.toContain(first.idNumber);
  });

  it('accepts a station created a moment ago in the org subgraph, through its event', async () => {
    const center = await platform.login('13900230001');
    const created = await platform.query<{ createUnit: { id: string } }>(
      `mutation($input: CreateUnitInput!) { createUnit(input: $input) { id } }`,
      { input: { parentId: (await platform.unit('KZ-HANFENG')).id, level: 'STATION', name: '新城社区新时代文明实践站' } },
      { token: center },
    );
    const stationId = created.data!.createUnit.id;
    await eventually(async () => (await platform.volunteers.query('SELECT 1 FROM unit_ref WHERE id = $1', [stationId])).length === 1);
    const result = await platform.query(SIGN_UP, { input: newcomer({ homeUnitId: stationId }) });
    expect(result.errors).toBeUndefined();
  });
});

describe('who sees personal data in clear', () => {
  const PERSON = `query($id: ID!) { person(id: $id) { displayName realName mobile idNumber } }`;
  let zhouId: string;

  beforeAll(async () => {
    const [row] = await platform.volunteers.query('SELECT id::text FROM person WHERE mobile = $1', [RESIDENT_ZHOU]);
    zhouId = row.id;
  });

  // Until issue 17 everyone signed in got the masked person here; now those outside the person's scope get nothing.
  it('shows a resident their own data and the staff of their station, and refuses the person to staff of elsewhere and to volunteers', async () => {
    const asSelf = await platform.query<{ person: Record<string, string> }>(PERSON, { id: zhouId }, { token: await platform.login(RESIDENT_ZHOU) });
    expect(asSelf.data!.person).toMatchObject({ displayName: '周**', realName: '周建华', mobile: RESIDENT_ZHOU });
    expect(asSelf.data!.person.idNumber).toMatch(/^500234\d{11}[\dX]$/);
    const asStation = await platform.query<{ person: Record<string, string> }>(PERSON, { id: zhouId }, { token: await platform.login(STATION_ADMIN) });
    expect(asStation.data!.person.idNumber).toBe(asSelf.data!.person.idNumber);
    const asInstitute = await platform.query<{ person: Record<string, string> }>(PERSON, { id: zhouId }, { token: await platform.login(INSTITUTE_ADMIN) });
    expect(asInstitute.data!.person.realName).toBe('周建华');
    const otherStationAdmin = await platform.tokenAs('STATION_ADMIN', 'KZ-YUNFENG-YONGXIAN');
    for (const token of [otherStationAdmin, await platform.login('13900230007')]) {
      const refused = await platform.query(PERSON, { id: zhouId }, { token });
      expect(refused.data).toEqual({ person: null });
      expect(errorCodes(refused)).toEqual(['FORBIDDEN']);
    }
  });

  it('shows analysts of the subtree and the dispatcher masked forms only', async () => {
    const masked = { displayName: '周**', realName: '周**', mobile: '139****0008', idNumber: expect.stringMatching(/^500234\*{8}\d{3}[\dX]$/) };
    for (const token of [await platform.login('13900230002'), await platform.login('13900230003'), await platform.tokenAs('ANALYST', 'KZ-HANFENG')]) {
      const result = await platform.query<{ person: unknown }>(PERSON, { id: zhouId }, { token });
      expect(result.errors).toBeUndefined();
      expect(result.data!.person).toEqual(masked);
    }
    const elsewhere = await platform.query(PERSON, { id: zhouId }, { token: await platform.tokenAs('ANALYST', 'KZ-YUNFENG') });
    expect(errorCodes(elsewhere)).toEqual(['FORBIDDEN']);
  });
});

describe('anyone signed in can no longer look up any person (issue 17, point 7)', () => {
  const PERSON = `query($id: ID!) { person(id: $id) { id displayName realName mobile idNumber } }`;
  /** What the client sees of an answer (headers differ per request: its request id). */
  const answer = (result: GraphQLResult) => ({ status: result.status, data: result.data, errors: result.errors });
  const ORDER_ID = `mutation($input: OrderIdInput!) { acceptOrder(input: $input) { id } }`;
  let zhouId: string;
  let strangerId: string;
  let orderId: string;
  let tokens: Record<'zhou' | 'heYi' | 'stationAdmin' | 'center', string>;

  beforeAll(async () => {
    [{ id: zhouId }] = await platform.volunteers.query('SELECT id::text FROM person WHERE mobile = $1', [RESIDENT_ZHOU]);
    tokens = {
      zhou: await platform.login(RESIDENT_ZHOU),
      heYi: await platform.login('13900230007'),
      stationAdmin: await platform.login(STATION_ADMIN),
      center: await platform.login('13900230001'),
    };
    // A resident of the same station as the volunteer, who shares nothing with him.
    const stranger = await platform.query<{ signUp: { person: { id: string } } }>(SIGN_UP, { input: newcomer({ realName: '陈桂兰' }) });
    strangerId = stranger.data!.signUp.person.id;
    // 周建华's order, accepted by 迎宾 and assigned to 何毅.
    const must = async <T>(query: string, input: Record<string, unknown>, token: string): Promise<T> => {
      const result = await platform.query<T>(query, { input }, { token });
      if (result.errors) throw new Error(JSON.stringify(result.errors));
      return result.data!;
    };
    const placed = await must<{ placeOrder: { id: string } }>(
      `mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { id } }`,
      { title: '健身器材生锈', category: 'SAFETY_FACILITIES', channel: 'APP', address: '腾龙广场小区' },
      tokens.zhou,
    );
    orderId = placed.placeOrder.id;
    await must(`mutation($input: DispatchOrderInput!) { dispatchOrder(input: $input) { id } }`, { orderId, stationId: yingbinId }, tokens.center);
    await must(ORDER_ID, { orderId }, tokens.stationAdmin);
    const [{ id: heYiVolunteer }] = await platform.volunteers.query(
      'SELECT v.id::text FROM volunteer v JOIN person p ON p.id = v.person_id WHERE p.mobile = $1',
      ['13900230007'],
    );
    await must(`mutation($input: AssignVolunteersInput!) { assignVolunteers(input: $input) { id } }`, { orderId, volunteerIds: [heYiVolunteer] }, tokens.stationAdmin);
  });

  it('refuses a volunteer the person of an unrelated resident, with the same answer as for an id that does not exist', async () => {
    const unrelated = await platform.query(PERSON, { id: strangerId }, { token: tokens.heYi, language: 'zh-CN' });
    expect(unrelated.data).toEqual({ person: null });
    expect(errorCodes(unrelated)).toEqual(['FORBIDDEN']);
    for (const missing of ['987654321', 'not-an-id']) {
      expect(answer(await platform.query(PERSON, { id: missing }, { token: tokens.heYi, language: 'zh-CN' }))).toEqual(answer(unrelated));
    }
  });

  it('refuses the station admin of another station, existing or not', async () => {
    const yongxianAdmin = await platform.tokenAs('STATION_ADMIN', 'KZ-YUNFENG-YONGXIAN');
    const outside = await platform.query(PERSON, { id: zhouId }, { token: yongxianAdmin });
    expect(outside.data).toEqual({ person: null });
    expect(errorCodes(outside)).toEqual(['FORBIDDEN']);
    expect(answer(await platform.query(PERSON, { id: '987654321' }, { token: yongxianAdmin }))).toEqual(answer(outside));
  });

  it("still shows a resident the assigned volunteer's masked name on her order, and no ID number", async () => {
    const ASSIGNEES = `query($id: ID!) { order(id: $id) { assignees { person { displayName realName mobile } } } }`;
    const seen = await platform.query<{ order: { assignees: { person: Record<string, string> }[] } }>(ASSIGNEES, { id: orderId }, { token: tokens.zhou });
    expect(seen.errors).toBeUndefined();
    expect(seen.data!.order.assignees).toEqual([{ person: { displayName: '何*', realName: '何*', mobile: '139****0007' } }]);
    const idNumber = await platform.query<{ order: { assignees: { person: { displayName: string; idNumber: string | null } }[] } }>(
      `query($id: ID!) { order(id: $id) { assignees { person { displayName idNumber } } } }`,
      { id: orderId },
      { token: tokens.zhou },
    );
    expect(idNumber.data!.order.assignees).toEqual([{ person: { displayName: '何*', idNumber: null } }]);
    expect(errorCodes(idNumber)).toEqual(['FORBIDDEN']);
    expect(idNumber.errors![0]!.path).toEqual(['order', 'assignees', 0, 'person', 'idNumber']);
    // The volunteer's weekly availability is theirs and their staff's; the assignee stays on the order.
    const availability = await platform.query<{ order: { assignees: { status: string; availability: unknown }[] } }>(
      `query($id: ID!) { order(id: $id) { assignees { status availability { dayOfWeek } } } }`,
      { id: orderId },
      { token: tokens.zhou },
    );
    expect(availability.data!.order.assignees).toEqual([{ status: 'ACTIVE', availability: null }]);
    expect(errorCodes(availability)).toEqual(['FORBIDDEN']);
  });

  it("shows the assigned volunteer the requester's masked name and mobile on the order, not by id and not the ID number", async () => {
    const REQUESTER = `query($id: ID!) { order(id: $id) { requester { displayName realName mobile } } }`;
    const seen = await platform.query<{ order: { requester: Record<string, string> } }>(REQUESTER, { id: orderId }, { token: tokens.heYi });
    expect(seen.errors).toBeUndefined();
    expect(seen.data!.order.requester).toEqual({ displayName: '周**', realName: '周**', mobile: '139****0008' });
    const idNumber = await platform.query(`query($id: ID!) { order(id: $id) { requester { idNumber } } }`, { id: orderId }, { token: tokens.heYi });
    expect(errorCodes(idNumber)).toEqual(['FORBIDDEN']);
    // Sharing an order is not a licence to look the person up: the order is how a party sees them.
    expect(errorCodes(await platform.query(PERSON, { id: zhouId }, { token: tokens.heYi }))).toEqual(['FORBIDDEN']);
  });

  it('keeps the staff of the station in clear on the same order', async () => {
    const REQUESTER = `query($id: ID!) { order(id: $id) { requester { realName mobile } assignees { person { realName } } } }`;
    const seen = await platform.query<{ order: unknown }>(REQUESTER, { id: orderId }, { token: tokens.stationAdmin });
    expect(seen.errors).toBeUndefined();
    expect(seen.data!.order).toEqual({ requester: { realName: '周建华', mobile: RESIDENT_ZHOU }, assignees: [{ person: { realName: '何毅' } }] });
  });

  it('gives clients no way to resolve a person reference of their own choosing', async () => {
    const forged = await platform.query(
      `query($reps: [_Any!]!) { _entities(representations: $reps) { ... on Person { realName } } }`,
      { reps: [{ __typename: 'Person', id: strangerId }] },
      { token: tokens.heYi },
    );
    expect(forged.status).toBe(400);
    expect(forged.data).toBeUndefined();
    expect(new Set(errorCodes(forged))).toEqual(new Set(['GRAPHQL_VALIDATION_FAILED']));
  });
});

describe('staff accounts', () => {
  const CREATE = `mutation($input: CreateStaffAccountInput!) { createStaffAccount(input: $input) { id roles staffUnit { code } } }`;
  const staff = (overrides: Record<string, unknown>) => {
    serial += 1;
    return { realName: '王建', mobile: `1360023${String(serial).padStart(4, '0')}`, initialPassword: 'chushi2026', role: 'STATION_ADMIN', unitId: yingbinId, ...overrides };
  };

  it('lets an institute admin open a station admin account inside the institute, who can then sign in', async () => {
    const input = staff({});
    const result = await platform.query<{ createStaffAccount: { roles: string[]; staffUnit: { code: string } } }>(CREATE, { input }, { token: await platform.login(INSTITUTE_ADMIN) });
    expect(result.errors).toBeUndefined();
    expect(result.data!.createStaffAccount).toMatchObject({ roles: ['RESIDENT', 'STATION_ADMIN'], staffUnit: { code: 'KZ-HANFENG-YINGBIN' } });
    const token = await platform.login(input.mobile, input.initialPassword);
    expect((await platform.query<{ me: { roles: string[] } }>(`{ me { roles } }`, {}, { token })).data!.me.roles).toContain('STATION_ADMIN');
  });

  it('refuses accounts outside the admin subtree, roles above the admin, and roles at the wrong level', async () => {
    const institute = await platform.login(INSTITUTE_ADMIN);
    const station = await platform.login(STATION_ADMIN);
    expect(errorCodes(await platform.query(CREATE, { input: staff({ unitId: yongxianId }) }, { token: institute }))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await platform.query(CREATE, { input: staff({ role: 'INSTITUTE_ADMIN' }) }, { token: station }))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await platform.query(CREATE, { input: staff({ role: 'DISPATCHER', unitId: '1' }) }, { token: institute }))).toEqual(['FORBIDDEN']);
    const wrongLevel = await platform.query(CREATE, { input: staff({ role: 'STATION_ADMIN', unitId: (await platform.unit('KZ-HANFENG')).id }) }, { token: institute });
    expect(wrongLevel.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.unitId' });
    expect(errorCodes(await platform.query(CREATE, { input: staff({ role: 'GRID_WORKER' }) }, { token: await platform.login(RESIDENT_ZHOU) }))).toEqual(['FORBIDDEN']);
  });
});


void DEMO_PASSWORD;

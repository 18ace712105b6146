import { withCheckDigit } from '@kz/auth';
import { DEMO_PASSWORD } from '@kz/seed-data';
import { errorCodes, eventually } from '@kz/testing';
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

  it('shows a resident their own data and the staff of their station, masks it for everyone else', async () => {
    const asSelf = await platform.query<{ person: Record<string, string> }>(PERSON, { id: zhouId }, { token: await platform.login(RESIDENT_ZHOU) });
    expect(asSelf.data!.person).toMatchObject({ displayName: '周**', realName: '周建华', mobile: RESIDENT_ZHOU });
    expect(asSelf.data!.person.idNumber).toMatch(/^500234\d{11}[\dX]$/);
    const asStation = await platform.query<{ person: Record<string, string> }>(PERSON, { id: zhouId }, { token: await platform.login(STATION_ADMIN) });
    expect(asStation.data!.person.idNumber).toBe(asSelf.data!.person.idNumber);
    const asInstitute = await platform.query<{ person: Record<string, string> }>(PERSON, { id: zhouId }, { token: await platform.login(INSTITUTE_ADMIN) });
    expect(asInstitute.data!.person.realName).toBe('周建华');
    const masked = { displayName: '周**', realName: '周**', mobile: '139****0008', idNumber: expect.stringMatching(/^500234\*{8}\d{3}[\dX]$/) };
    const otherStationAdmin = await platform.tokenAs('STATION_ADMIN', 'KZ-YUNFENG-YONGXIAN');
    expect((await platform.query<{ person: unknown }>(PERSON, { id: zhouId }, { token: otherStationAdmin })).data!.person).toEqual(masked);
    const volunteer = await platform.login('13900230007');
    expect((await platform.query<{ person: unknown }>(PERSON, { id: zhouId }, { token: volunteer })).data!.person).toEqual(masked);
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

import { startNotificationWorker, RunningNotificationWorker } from '@kz/notification-worker';
import { withCheckDigit } from '@kz/auth';
import { DEMO_PASSWORD } from '@kz/seed-data';
import { errorCodes, eventually, FakeWeChat } from '@kz/testing';
import { Platform, startPlatform } from './stack';

/**
 * Closing an account (PIPL Arts. 19, 47) through the gateway and the whole platform: 何毅, a volunteer of 迎宾 with a
 * verified record, closes his account. He cannot sign in any more; his record stays in the station's lists under the
 * pseudonym and the station's service figures do not move; the orders service learns he is never assignable again;
 * the notification worker forgets his inbox; and his number opens a new account, as someone new. A resident who signs
 * in by WeChat only closes with the confirmation, and their WeChat account then signs in as an unknown one.
 */
const STATION_ADMIN = '13900230005'; // 迎宾社区
const VOLUNTEER_HE_YI = '13900230007';

let platform: Platform;
let wechat: FakeWeChat;
let worker: RunningNotificationWorker;
let yingbin: { id: string; path: string };
let stationAdmin: string;
let heYi: { volunteerId: string; personId: string; token: string };

beforeAll(async () => {
  wechat = await FakeWeChat.start();
  platform = await startPlatform({
    seed: 'demo',
    env: { WECHAT_APP_ID: wechat.appId, WECHAT_APP_SECRET: wechat.appSecret, WECHAT_API_BASE: wechat.url },
  });
  worker = await startNotificationWorker(
    {
      ...platform.config,
      VOLUNTEERS_SUBGRAPH_URL: platform.subgraphs.volunteers.url,
      ORDERS_SUBGRAPH_URL: platform.subgraphs.orders.url,
      POINTS_SUBGRAPH_URL: platform.subgraphs.points.url,
      QUIET_HOURS: 'off', // whatever the hour in Kaizhou when this runs
    },
    { port: 0, retry: { baseMs: 50, capMs: 500 } },
  );
  yingbin = await platform.unit('KZ-HANFENG-YINGBIN');
  stationAdmin = await platform.login(STATION_ADMIN);
  const [row] = await platform.volunteers.query(
    'SELECT v.id::text AS volunteer_id, p.id::text AS person_id FROM volunteer v JOIN person p ON p.id = v.person_id WHERE p.mobile = $1',
    [VOLUNTEER_HE_YI],
  );
  heYi = { volunteerId: row.volunteer_id, personId: row.person_id, token: await platform.login(VOLUNTEER_HE_YI) };
}, 120_000);

afterAll(async () => {
  await worker?.stop();
  await platform?.stop();
  await wechat?.stop();
});

const CLOSE = `mutation($input: CloseMyAccountInput!) { closeMyAccount(input: $input) { personId volunteerId closedAt } }`;
const LOGIN = `mutation($input: LoginInput!) { login(input: $input) { token person { id } } }`;
const SIGN_UP = `mutation($input: SignUpInput!) { signUp(input: $input) { token person { id realName } } }`;
const STATS = `query($id: ID!) { unit(id: $id) { volunteerStats { registered active pending verifiedMinutes services } } }`;
const RECORDS = `query($filter: ServiceRecordFilter) { serviceRecords(filter: $filter, first: 50) {
  totalCount edges { node { id status minutes volunteer { id status person { realName mobile } } } } } }`;

type Stats = { registered: number; active: number; pending: number; verifiedMinutes: number; services: number };
type RecordsPage = {
  serviceRecords: { totalCount: number; edges: { node: { id: string; status: string; minutes: number; volunteer: { id: string; status: string; person: { realName: string; mobile: string | null } } } }[] };
};

async function must<T>(query: string, variables: Record<string, unknown>, token: string): Promise<T> {
  const result = await platform.query<T>(query, variables, { token: token || undefined });
  if (result.errors) throw new Error(`${query.slice(0, 60)}: ${JSON.stringify(result.errors)}`);
  return result.data!;
}

/** A record of 何毅 at a past activity of 迎宾, verified by the station admin through the gateway. */
async function aVerifiedRecord(minutes: number): Promise<string> {
  const [activity] = await platform.volunteers.query(
    `INSERT INTO activity (title, category, organizing_unit_id, organizing_unit_path, starts_at, ends_at, place_name, lat, lng,
                           check_in_radius_m, capacity, status, created_by)
     VALUES ('腾龙广场环境整治', 'ENVIRONMENT', $1, $2, now() - interval '3 hours', now() - interval '1 hour', '腾龙广场', 31.16, 108.39, 200, 50, 'DONE', 'test')
     RETURNING id::text`,
    [yingbin.id, yingbin.path],
  );
  const [record] = await platform.volunteers.query(
    `INSERT INTO service_record (volunteer_id, activity_id, unit_id, unit_path, category, title, started_at, minutes, source, created_by)
     VALUES ($1, $2, $3, $4, 'ENVIRONMENT', '腾龙广场环境整治', now() - interval '3 hours', $5, 'CHECK_OUT', 'test') RETURNING id::text`,
    [heYi.volunteerId, activity.id, yingbin.id, yingbin.path, minutes],
  );
  await must(`mutation($input: ServiceRecordIdInput!) { verifyServiceRecord(input: $input) { id } }`, { input: { recordId: record.id } }, stationAdmin);
  return record.id;
}

const inboxSize = async (personId: string): Promise<number> =>
  (await platform.notifications.query('SELECT count(*)::int AS n FROM notification WHERE recipient_person_id = $1', [personId]))[0].n;

const preferencesOf = async (personId: string): Promise<number> =>
  (await platform.notifications.query('SELECT count(*)::int AS n FROM notification_preference WHERE person_id = $1', [personId]))[0].n;

it('a volunteer with verified records closes their account: no sign-in, the records stay under the pseudonym, the figures stay, the number registers anew', async () => {
  const recordId = await aVerifiedRecord(90);
  // The credit of the verified hours reaches his inbox (points.credited), so there is something to forget.
  await eventually(async () => (await inboxSize(heYi.personId)) > 0);
  await must(`mutation($input: SetNotificationPreferenceInput!) { setNotificationPreference(input: $input) { kind } }`, { input: { kind: '*', channels: ['INBOX', 'SMS'] } }, heYi.token);
  expect(await preferencesOf(heYi.personId)).toBe(1);
  const statsBefore = (await must<{ unit: { volunteerStats: Stats } }>(STATS, { id: yingbin.id }, stationAdmin)).unit.volunteerStats;

  // The wrong password changes nothing; the right one closes.
  const wrong = await platform.query(CLOSE, { input: { confirm: true, password: 'wrong2026' } }, { token: heYi.token });
  expect(errorCodes(wrong)).toEqual(['BAD_USER_INPUT']);
  const closed = await must<{ closeMyAccount: { personId: string; volunteerId: string } }>(CLOSE, { input: { confirm: true, password: DEMO_PASSWORD } }, heYi.token);
  expect(closed.closeMyAccount).toMatchObject({ personId: heYi.personId, volunteerId: heYi.volunteerId });

  // No sign-in: the old number and password answer as for an unknown account; the old token no longer reads `me`.
  const login = await platform.query(LOGIN, { input: { phone: VOLUNTEER_HE_YI, password: DEMO_PASSWORD } });
  expect(errorCodes(login)).toEqual(['UNAUTHENTICATED']);
  expect(login.errors![0]!.extensions).toMatchObject({ reason: 'invalidCredentials' });
  const me = await platform.query(`{ me { id } }`, {}, { token: heYi.token });
  expect(errorCodes(me)).toEqual(['UNAUTHENTICATED']);
  expect(me.errors![0]!.extensions).toMatchObject({ reason: 'accountClosed' });
  // Closing twice does nothing more.
  expect(errorCodes(await platform.query(CLOSE, { input: { confirm: true, password: DEMO_PASSWORD } }, { token: heYi.token }))).toEqual(['UNAUTHENTICATED']);

  // The station's list keeps the record, verified, under the pseudonym; no contact data travels with it.
  const records = await must<RecordsPage>(RECORDS, { filter: { volunteerId: heYi.volunteerId } }, stationAdmin);
  expect(records.serviceRecords.edges.map((edge) => edge.node)).toContainEqual({
    id: recordId,
    status: 'VERIFIED',
    minutes: 90,
    volunteer: { id: heYi.volunteerId, status: 'CLOSED', person: { realName: '已注销用户', mobile: null } },
  });
  // The service figures do not move; he is no longer counted as active.
  const statsAfter = (await must<{ unit: { volunteerStats: Stats } }>(STATS, { id: yingbin.id }, stationAdmin)).unit.volunteerStats;
  expect(statsAfter).toEqual({ ...statsBefore, active: statsBefore.active - 1 });

  // The orders service learns he is never assignable again; the notification worker forgets his inbox.
  await eventually(
    async () => (await platform.orders.query(`SELECT status FROM volunteer_ref WHERE id = $1`, [heYi.volunteerId]))[0]?.status === 'CLOSED',
  );
  await eventually(async () => (await inboxSize(heYi.personId)) === 0 && (await preferencesOf(heYi.personId)) === 0);

  // His number and ID number open a new account: someone new, who has none of his records.
  const signedUp = await platform.query<{ signUp: { token: string; person: { id: string; realName: string } } }>(SIGN_UP, {
    input: { realName: '何毅', mobile: VOLUNTEER_HE_YI, idNumber: withCheckDigit('50023419750707007'), password: 'xinzhanghu2026', homeUnitId: yingbin.id },
  });
  expect(signedUp.errors).toBeUndefined();
  expect(signedUp.data!.signUp.person.id).not.toBe(heYi.personId);
  const again = await platform.login(VOLUNTEER_HE_YI, 'xinzhanghu2026');
  const mine = await must<{ me: { id: string; roles: string[]; realName: string } }>(`{ me { id roles realName } }`, {}, again);
  expect(mine.me).toEqual({ id: signedUp.data!.signUp.person.id, roles: ['RESIDENT'], realName: '何毅' });
});

const LOGIN_WECHAT = `mutation($input: LoginWithWeChatInput!) { loginWithWeChat(input: $input) { step ticket session { token person { id } } } }`;
const BIND_PHONE = `mutation($input: BindWeChatPhoneInput!) { bindWeChatPhone(input: $input) { step ticket session { token person { id } } } }`;
const COMPLETE = `mutation($input: CompleteWeChatSignUpInput!) { completeWeChatSignUp(input: $input) { token person { id } } }`;
type WeChatStep = { step: string; ticket: string | null; session: { token: string; person: { id: string } } | null };

/** Signs up a new resident through WeChat (wx.login, the phone number, the name) and returns their session. */
async function aWeChatResident(openid: string, mobile: string): Promise<{ token: string; person: { id: string } }> {
  const first = (await must<{ loginWithWeChat: WeChatStep }>(LOGIN_WECHAT, { input: { code: wechat.loginCode(openid) } }, '')).loginWithWeChat;
  expect(first.step).toBe('BIND_PHONE');
  const bound = (await must<{ bindWeChatPhone: WeChatStep }>(BIND_PHONE, { input: { ticket: first.ticket, phoneCode: wechat.phoneCode(mobile) } }, '')).bindWeChatPhone;
  expect(bound.step).toBe('COMPLETE_SIGN_UP');
  return (await must<{ completeWeChatSignUp: { token: string; person: { id: string } } }>(COMPLETE, { input: { ticket: bound.ticket, realName: '微信居民', homeUnitId: yingbin.id } }, ''))
    .completeWeChatSignUp;
}

it('a resident who signs in by WeChat only closes with the confirmation; their WeChat account and number then start afresh', async () => {
  const openid = `o-closing-${process.pid}`;
  const mobile = `1360${String(process.pid % 10_000).padStart(4, '0')}991`;
  const resident = await aWeChatResident(openid, mobile);
  const signedIn = (await must<{ loginWithWeChat: WeChatStep }>(LOGIN_WECHAT, { input: { code: wechat.loginCode(openid) } }, '')).loginWithWeChat;
  expect(signedIn).toMatchObject({ step: 'SIGNED_IN', session: { person: { id: resident.person.id } } });

  const closed = await must<{ closeMyAccount: { personId: string; volunteerId: string | null } }>(CLOSE, { input: { confirm: true } }, resident.token);
  expect(closed.closeMyAccount).toMatchObject({ personId: resident.person.id, volunteerId: null });

  // The same WeChat user is unknown now: the phone step, where the number belongs to nobody, then a new account.
  const again = await aWeChatResident(openid, mobile);
  expect(again.person.id).not.toBe(resident.person.id);
  expect(await platform.volunteers.query('SELECT real_name, mobile FROM person WHERE id = $1', [resident.person.id])).toEqual([{ real_name: '已注销用户', mobile: null }]);
});

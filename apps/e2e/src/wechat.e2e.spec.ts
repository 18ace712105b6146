import {
  BindWeChatPhoneDocument,
  CompleteWeChatSignUpDocument,
  LoginWithWeChatDocument,
  MeDocument,
  UnbindWeChatDocument,
} from '@kz/client';
import { startNotificationWorker, RunningNotificationWorker } from '@kz/notification-worker';
import { eventuallyValue, FakeWeChat } from '@kz/testing';
import { gatewayClient, refusal } from './client';
import { Platform, startPlatform } from './stack';

/**
 * Signing in from a WeChat mini-program against the real platform, with a local stand-in for WeChat's server API
 * (`FakeWeChat`: code2Session, stable_token, getuserphonenumber, subscribe messages) that the volunteers subgraph
 * reaches through WECHAT_API_BASE. Calls go through the gateway with the typed client's documents, by id.
 */
const PEOPLE = {
  stationAdmin: '13900230005', // 迎宾社区
  zhou: '13900230008', // 周建华, resident of 迎宾
};

const TEMPLATES = { 'order.dispatched': 'tmpl-order-dispatched-0001' };

let platform: Platform;
let wechat: FakeWeChat;
let worker: RunningNotificationWorker;
let yingbin: { id: string; path: string };

beforeAll(async () => {
  wechat = await FakeWeChat.start();
  platform = await startPlatform({
    seed: 'demo',
    clientManifest: true,
    env: { WECHAT_APP_ID: wechat.appId, WECHAT_APP_SECRET: wechat.appSecret, WECHAT_API_BASE: wechat.url, WECHAT_TEMPLATES: JSON.stringify(TEMPLATES) },
  });
  yingbin = await platform.unit('KZ-HANFENG-YINGBIN');
  // The notification worker sends WECHAT through the same WeChat stand-in (and SMS to the console: no webhook).
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
}, 120_000);

afterAll(async () => {
  await worker?.stop();
  await platform?.stop();
  await wechat?.stop();
});

const client = (token?: string, locale = 'zh-CN') => gatewayClient(platform.gatewayUrl, { token, locale });
const personIdOf = async (mobile: string): Promise<string> => (await platform.volunteers.query('SELECT id::text FROM person WHERE mobile = $1', [mobile]))[0].id;
const loginWith = (code: string, locale?: string) => client(undefined, locale).request(LoginWithWeChatDocument, { input: { code } });
let serial = 0;
const newMobile = () => `1360${String(process.pid % 10_000).padStart(4, '0')}${String((serial += 1)).padStart(3, '0')}`;
const openid = (label: string) => `o-${label}-${process.pid}-${(serial += 1)}`;

describe('signing in with WeChat', () => {
  it('opens a resident account from wx.login and the phone number, with a token that works on the graph, and signs the same WeChat user straight in next time', async () => {
    const user = openid('new-resident');
    const mobile = newMobile();
    const first = (await loginWith(wechat.loginCode(user, `u-${user}`))).loginWithWeChat;
    expect(first).toMatchObject({ step: 'BIND_PHONE', session: null, ticket: expect.any(String) });
    expect(new Date(first.ticketExpiresAt!).getTime()).toBeGreaterThan(Date.now());
    // The ticket carries the openid, never WeChat's session key.
    expect(Buffer.from(first.ticket!.split('.')[1]!, 'base64url').toString()).not.toContain('session');

    const bound = (await client().request(BindWeChatPhoneDocument, { input: { ticket: first.ticket!, phoneCode: wechat.phoneCode(mobile) } })).bindWeChatPhone;
    expect(bound).toMatchObject({ step: 'COMPLETE_SIGN_UP', session: null, ticket: expect.any(String) });

    const signedUp = (await client().request(CompleteWeChatSignUpDocument, { input: { ticket: bound.ticket!, realName: '微信居民', homeUnitId: yingbin.id } })).completeWeChatSignUp;
    expect(signedUp.person.roles).toEqual(['RESIDENT']);
    const { me } = await client(signedUp.token).request(MeDocument);
    expect(me).toMatchObject({ id: signedUp.person.id, realName: '微信居民', mobile, roles: ['RESIDENT'], homeUnit: { id: yingbin.id } });

    // The ticket once more: the number is taken now.
    const reused = await refusal(client().request(CompleteWeChatSignUpDocument, { input: { ticket: bound.ticket!, realName: '又一个', homeUnitId: yingbin.id } }));
    expect(reused.code).toBe('CONFLICT');
    expect(reused.errors[0]!.extensions).toMatchObject({ field: 'input.ticket', value: `${mobile.slice(0, 3)}****${mobile.slice(7)}` });

    const again = (await loginWith(wechat.loginCode(user, `u-${user}`))).loginWithWeChat;
    expect(again).toMatchObject({ step: 'SIGNED_IN', ticket: null, session: { person: { id: signedUp.person.id } } });
    expect((await client(again.session!.token).request(MeDocument)).me!.mobile).toBe(mobile);

    // Stored: the binding and its history; WeChat's session key nowhere.
    expect(await platform.volunteers.query('SELECT openid, unionid FROM wechat_binding WHERE person_id = $1', [signedUp.person.id])).toEqual([{ openid: user, unionid: `u-${user}` }]);
    expect(await platform.volunteers.query('SELECT action, actor FROM wechat_binding_history WHERE person_id = $1', [signedUp.person.id])).toEqual([{ action: 'BOUND', actor: 'self' }]);
    const [{ n }] = await platform.volunteers.query(
      `SELECT count(*)::int AS n FROM (SELECT row_to_json(b)::text AS t FROM wechat_binding b UNION ALL SELECT row_to_json(h)::text FROM wechat_binding_history h) x WHERE t LIKE '%session-key%'`,
    );
    expect(n).toBe(0);
    // An analytics-only event, without the openid.
    const events = await platform.volunteers.query(`SELECT type, payload FROM outbox WHERE type LIKE 'person.wechat.%' AND payload->>'personId' = $1`, [signedUp.person.id]);
    expect(events).toEqual([{ type: 'person.wechat.bound', payload: { personId: signedUp.person.id, homeUnitId: yingbin.id, signedUp: true } }]);
  });

  it('binds a known person by the phone number WeChat vouches for, and signs them in', async () => {
    const user = openid('zhou');
    const { loginWithWeChat } = await loginWith(wechat.loginCode(user));
    const { bindWeChatPhone } = await client().request(BindWeChatPhoneDocument, { input: { ticket: loginWithWeChat.ticket!, phoneCode: wechat.phoneCode(PEOPLE.zhou) } });
    expect(bindWeChatPhone).toMatchObject({ step: 'SIGNED_IN', ticket: null, session: { person: { id: await personIdOf(PEOPLE.zhou) } } });
    expect((await loginWith(wechat.loginCode(user))).loginWithWeChat.session!.person.id).toBe(await personIdOf(PEOPLE.zhou));
    // Another WeChat user cannot take the same person over.
    const intruder = (await loginWith(wechat.loginCode(openid('intruder')))).loginWithWeChat;
    const taken = await refusal(client().request(BindWeChatPhoneDocument, { input: { ticket: intruder.ticket!, phoneCode: wechat.phoneCode(PEOPLE.zhou) } }));
    expect(taken.code).toBe('CONFLICT');
    expect(taken.errors[0]!.extensions).toMatchObject({ field: 'input.phoneCode' });
  });

  it('binds a person to one WeChat account only, when several race for the same number', async () => {
    const gridWorker = '13900230006';
    const tickets = await Promise.all(
      Array.from({ length: 6 }, async () => (await loginWith(wechat.loginCode(openid('racer')))).loginWithWeChat.ticket!),
    );
    const outcomes = await Promise.all(
      tickets.map((ticket) =>
        client()
          .request(BindWeChatPhoneDocument, { input: { ticket, phoneCode: wechat.phoneCode(gridWorker) } })
          .then(({ bindWeChatPhone }) => bindWeChatPhone.step as string, (error: { code: string }) => error.code),
      ),
    );
    expect(outcomes.sort()).toEqual(['CONFLICT', 'CONFLICT', 'CONFLICT', 'CONFLICT', 'CONFLICT', 'SIGNED_IN']);
    const personId = await personIdOf(gridWorker);
    expect(await platform.volunteers.query('SELECT count(*)::int AS n FROM wechat_binding WHERE person_id = $1', [personId])).toEqual([{ n: 1 }]);
    expect(await platform.volunteers.query('SELECT count(*)::int AS n FROM wechat_binding_history WHERE person_id = $1', [personId])).toEqual([{ n: 1 }]);
  });

  it('answers a used or invalid code UNAUTHENTICATED, in the caller’s language', async () => {
    const code = wechat.loginCode(openid('twice'));
    await loginWith(code);
    const used = await refusal(loginWith(code));
    expect(used.code).toBe('UNAUTHENTICATED');
    expect(used.message).toContain('wx.login');
    expect(used.message).toMatch(/微信登录凭证/);
    const invalid = await refusal(loginWith('never-issued', 'en'));
    expect(invalid.code).toBe('UNAUTHENTICATED');
    expect(invalid.message).toMatch(/^The WeChat code is invalid/);
    expect(invalid.errors[0]!.extensions).toMatchObject({ wechatErrcode: 40029 });
  });

  it("maps WeChat's frequency limit to RATE_LIMITED, a blocked user to FORBIDDEN, a busy WeChat to SERVICE_UNAVAILABLE", async () => {
    wechat.failNext('jscode2session', 1, { errcode: 45011 });
    expect((await refusal(loginWith(wechat.loginCode(openid('busy'))))).code).toBe('RATE_LIMITED');
    wechat.failNext('jscode2session', 1, { errcode: 40226 });
    expect((await refusal(loginWith(wechat.loginCode(openid('blocked'))))).code).toBe('FORBIDDEN');
    wechat.failNext('jscode2session', 1, { errcode: -1 });
    expect((await refusal(loginWith(wechat.loginCode(openid('system-busy'))))).code).toBe('SERVICE_UNAVAILABLE');
    wechat.failNext('jscode2session', 1, { status: 502 });
    expect((await refusal(loginWith(wechat.loginCode(openid('bad-gateway'))))).code).toBe('SERVICE_UNAVAILABLE');
  });

  it('refuses a forged ticket, and a binding ticket passed as a sign-up ticket, as BAD_USER_INPUT', async () => {
    const { loginWithWeChat } = await loginWith(wechat.loginCode(openid('forger')));
    const [header, payload] = loginWithWeChat.ticket!.split('.');
    const forged = `${header}.${payload}.${Buffer.from('not the signature').toString('base64url')}`;
    const refused = await refusal(client().request(BindWeChatPhoneDocument, { input: { ticket: forged, phoneCode: wechat.phoneCode(newMobile()) } }));
    expect(refused.code).toBe('BAD_USER_INPUT');
    expect(refused.errors[0]!.extensions).toMatchObject({ field: 'input.ticket' });
    const wrongKind = await refusal(client().request(CompleteWeChatSignUpDocument, { input: { ticket: loginWithWeChat.ticket!, realName: '冒名', homeUnitId: yingbin.id } }));
    expect(wrongKind.code).toBe('BAD_USER_INPUT');
  });
});

/** A new resident of a station bound to a new WeChat user, signed in. */
async function boundResident(unitId = yingbin.id): Promise<{ openid: string; token: string; personId: string }> {
  const user = openid('resident');
  const { loginWithWeChat } = await loginWith(wechat.loginCode(user));
  const { bindWeChatPhone } = await client().request(BindWeChatPhoneDocument, { input: { ticket: loginWithWeChat.ticket!, phoneCode: wechat.phoneCode(newMobile()) } });
  const { completeWeChatSignUp } = await client().request(CompleteWeChatSignUpDocument, { input: { ticket: bindWeChatPhone.ticket!, realName: '微信测试', homeUnitId: unitId } });
  return { openid: user, token: completeWeChatSignUp.token, personId: completeWeChatSignUp.person.id };
}

describe('unbinding WeChat', () => {

  it('lets a person unbind themselves: the next sign-in asks for the phone again; the history says who and when', async () => {
    const resident = await boundResident();
    const { unbindWeChat } = await client(resident.token).request(UnbindWeChatDocument, { input: {} });
    expect(unbindWeChat).toEqual({ id: resident.personId, weChatBound: false });
    expect((await loginWith(wechat.loginCode(resident.openid))).loginWithWeChat.step).toBe('BIND_PHONE');
    const history = await platform.volunteers.query('SELECT action, actor, at FROM wechat_binding_history WHERE person_id = $1 ORDER BY id', [resident.personId]);
    expect(history.map((row: { action: string; actor: string }) => [row.action, row.actor])).toEqual([
      ['BOUND', 'self'],
      ['UNBOUND', resident.personId],
    ]);
  });

  it('lets station staff unbind a person of their station, and refuses staff of another station', async () => {
    const resident = await boundResident();
    const outside = await platform.tokenAs('STATION_ADMIN', 'KZ-YUNFENG-YONGXIAN');
    expect((await refusal(client(outside).request(UnbindWeChatDocument, { input: { personId: resident.personId } }))).code).toBe('FORBIDDEN');
    expect((await refusal(client(resident.token).request(UnbindWeChatDocument, { input: { personId: await personIdOf(PEOPLE.zhou) } }))).code).toBe('FORBIDDEN');
    expect(await platform.volunteers.query('SELECT count(*)::int AS n FROM wechat_binding WHERE person_id = $1', [resident.personId])).toEqual([{ n: 1 }]);

    const adminId = await personIdOf(PEOPLE.stationAdmin);
    const inside = await platform.tokenAs('STATION_ADMIN', 'KZ-HANFENG-YINGBIN', adminId);
    const { unbindWeChat } = await client(inside).request(UnbindWeChatDocument, { input: { personId: resident.personId } });
    expect(unbindWeChat).toEqual({ id: resident.personId, weChatBound: false });
    const [last] = await platform.volunteers.query('SELECT action, actor FROM wechat_binding_history WHERE person_id = $1 ORDER BY id DESC LIMIT 1', [resident.personId]);
    expect(last).toEqual({ action: 'UNBOUND', actor: adminId });
    const [event] = await platform.volunteers.query(`SELECT actor, payload FROM outbox WHERE type = 'person.wechat.unbound' AND payload->>'personId' = $1`, [resident.personId]);
    expect(event).toEqual({ actor: { personId: adminId, roles: ['STATION_ADMIN'] }, payload: { personId: resident.personId, homeUnitId: yingbin.id, byStaff: true } });
  });
});

describe('WeChat subscribe messages', () => {
  /** A resident who wants order news on WeChat places an order, and the dispatcher dispatches it: `order.dispatched`. */
  async function dispatchedOrderOfWeChatResident(beforeDispatch = () => {}): Promise<{ resident: Awaited<ReturnType<typeof boundResident>>; orderId: string; code: string }> {
    const resident = await boundResident();
    const must = async <T>(query: string, input: Record<string, unknown>, token: string): Promise<T> => {
      const result = await platform.query<T>(query, { input }, { token });
      if (!result.data || result.errors) throw new Error(JSON.stringify(result.errors));
      return result.data;
    };
    // What the mini-program records after wx.requestSubscribeMessage: WECHAT joins the kind's channels (SMS stays).
    const { recordWeChatSubscription } = await must<{ recordWeChatSubscription: { kind: string; channels: string[] }[] }>(
      `mutation($input: RecordWeChatSubscriptionInput!) { recordWeChatSubscription(input: $input) { kind channels } }`,
      { kinds: ['order.dispatched'] },
      resident.token,
    );
    expect(recordWeChatSubscription).toEqual([{ kind: 'order.dispatched', channels: ['INBOX', 'SMS', 'WECHAT'] }]);
    const { placeOrder } = await must<{ placeOrder: { id: string; code: string } }>(
      `mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { id code } }`,
      { title: '楼道灯不亮', category: 'ELDERLY_CARE', channel: 'WECHAT', stationHintId: yingbin.id },
      resident.token,
    );
    const dispatcher = await platform.tokenAs('DISPATCHER', 'KZ', await personIdOf('13900230002'));
    beforeDispatch();
    await must(`mutation($input: DispatchOrderInput!) { dispatchOrder(input: $input) { id } }`, { orderId: placeOrder.id, stationId: yingbin.id }, dispatcher);
    return { resident, orderId: placeOrder.id, code: placeOrder.code };
  }

  /** The WECHAT delivery of the order's `order.dispatched`, once it has settled (SENT or DEAD). */
  const settled = (orderId: string) =>
    eventuallyValue(async () => {
      const [row] = await platform.notifications.query(
        `SELECT d.id::text, d.status, d.attempts, d.address, d.last_error AS "lastError", n.id::text AS "notificationId"
           FROM delivery d JOIN notification n ON n.id = d.notification_id WHERE n.link = $1 AND n.kind = 'order.dispatched' AND d.channel = 'WECHAT'`,
        [`order:${orderId}`],
      );
      return row && (row.status === 'SENT' || row.status === 'DEAD') ? (row as { id: string; status: string; attempts: number; address: string; lastError: string | null; notificationId: string }) : undefined;
    });
  const sentTo = (touser: string) => wechat.messages.filter((message) => message.touser === touser);
  const sendsTo = (touser: string) => wechat.calls('send').filter((call) => call.body.touser === touser);

  it('go to the openid of the bound WeChat account with the template of the kind', async () => {
    const { resident, orderId, code } = await dispatchedOrderOfWeChatResident();
    const delivery = await settled(orderId);
    expect(delivery).toMatchObject({ status: 'SENT', attempts: 1, address: resident.openid });
    expect(sentTo(resident.openid)).toEqual([
      { touser: resident.openid, template_id: TEMPLATES['order.dispatched'], lang: 'zh_CN', data: { thing1: { value: '订单已派单' }, thing2: { value: expect.stringContaining('楼道灯不亮') } } },
    ]);
    expect(sendsTo(resident.openid)[0]!.query.access_token).toMatch(/^token-/);
    expect(code).toMatch(/^KZ-/);
  });

  it('fall back to the inbox when the user has not subscribed (43101): dead at once, no retry, listed among the failed', async () => {
    wechat.failNext('send', 1, { errcode: 43101 });
    const { resident, orderId } = await dispatchedOrderOfWeChatResident();
    const delivery = await settled(orderId);
    expect(delivery).toMatchObject({ status: 'DEAD', attempts: 1, lastError: expect.stringContaining('43101') });
    expect(sendsTo(resident.openid)).toHaveLength(1);
    expect(sentTo(resident.openid)).toEqual([]);
    // The inbox keeps the notification.
    const inbox = await platform.query<{ myNotifications: { edges: { node: { id: string; kind: string } }[] } }>(
      `{ myNotifications(first: 20) { edges { node { id kind } } } }`,
      {},
      { token: resident.token },
    );
    expect(inbox.data!.myNotifications.edges.map((edge) => edge.node)).toContainEqual({ id: delivery.notificationId, kind: 'order.dispatched' });
    const center = await platform.tokenAs('CENTER_ADMIN', 'KZ', await personIdOf('13900230001'));
    const failed = await platform.query<{ failedNotifications: { edges: { node: { id: string; channel: string; address: string } }[] } }>(
      `{ failedNotifications(first: 100) { edges { node { id channel address } } } }`,
      {},
      { token: center },
    );
    expect(failed.data!.failedNotifications.edges.map((edge) => edge.node)).toContainEqual({ id: delivery.id, channel: 'WECHAT', address: `${resident.openid.slice(0, 4)}****` });
  });

  it('are tried again after a transient failure (system busy, 5xx) until WeChat takes them', async () => {
    wechat.failNext('send', 1, { errcode: -1 });
    wechat.failNext('send', 1, { status: 503 });
    const { resident, orderId } = await dispatchedOrderOfWeChatResident();
    const delivery = await settled(orderId);
    expect(delivery).toMatchObject({ status: 'SENT', attempts: 3 });
    expect(sendsTo(resident.openid)).toHaveLength(3);
    expect(sentTo(resident.openid)).toHaveLength(1);
  });

  it('get a fresh access token when WeChat refuses the shared one (40001), and are sent', async () => {
    // Revoked after the resident's sign-up (which used the token for the phone number), before the message.
    const { resident, orderId } = await dispatchedOrderOfWeChatResident(() => wechat.revokeTokens());
    expect(await settled(orderId)).toMatchObject({ status: 'SENT', attempts: 1 });
    expect(sendsTo(resident.openid)).toHaveLength(2);
    expect(wechat.calls('stable_token').at(-1)!.body).toMatchObject({ force_refresh: true });
  });
});

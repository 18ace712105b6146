import { randomUUID } from 'node:crypto';
import { Job, Queue } from 'bullmq';
import IORedis from 'ioredis';
import { withCheckDigit } from '@kz/auth';
import { catalog, EventEnvelope } from '@kz/events';
import { errorCodes, GraphQLResult, eventually } from '@kz/testing';
import { Platform, startPlatform } from './stack';
import { readSupergraph } from './supergraph-schema';

/**
 * The six-order method (六单工作法) through the gateway, the article's case first: 周先生 (周建华) reports the rusty
 * fitness equipment of 腾龙广场小区, the center dispatches it to 迎宾社区, the station accepts, two volunteers fix it
 * with funding arranged, he rates it 5. Then every illegal move per role, returns, cancellations, a reopening,
 * follow-ups and who sees what. The dispatch worker is not running: its mutations are called with its claims.
 */
const PEOPLE = {
  centerAdmin: '13900230001',
  dispatcher: '13900230002',
  analyst: '13900230003',
  instituteAdmin: '13900230004',
  stationAdmin: '13900230005',
  gridWorker: '13900230006',
  heYi: '13900230007',
  zhou: '13900230008',
};

let platform: Platform;
let redis: IORedis;
let notifications: Queue;
let volunteersInbox: Queue;
let ordersInbox: Queue;
let yingbin: { id: string; path: string };
let yongxian: { id: string; path: string };
const tokens: Record<string, string> = {};
const personIds: Record<string, string> = {};
let heYiVolunteer: string;
let liVolunteer: string;


async function ok<T>(query: string, variables: Record<string, unknown>, token: string): Promise<T> {
  const result = await platform.query<T>(query, variables, { token });
  if (result.errors) throw new Error(JSON.stringify(result.errors));
  return result.data!;
}

beforeAll(async () => {
  platform = await startPlatform({ seed: 'demo' });
  yingbin = await platform.unit('KZ-HANFENG-YINGBIN');
  yongxian = await platform.unit('KZ-YUNFENG-YONGXIAN');
  for (const [name, mobile] of Object.entries(PEOPLE)) {
    tokens[name] = await platform.login(mobile);
    [{ id: personIds[name] }] = await platform.volunteers.query('SELECT id::text FROM person WHERE mobile = $1', [mobile]);
  }
  tokens.otherStationAdmin = await platform.tokenAs('STATION_ADMIN', 'KZ-YUNFENG-YONGXIAN');
  tokens.service = await platform.token({ sub: 'dispatch-worker', roles: ['SERVICE'] });
  [{ id: heYiVolunteer }] = await platform.volunteers.query('SELECT v.id::text FROM volunteer v JOIN person p ON p.id = v.person_id WHERE p.mobile = $1', [PEOPLE.heYi]);

  // A second volunteer of 迎宾: a resident signs up, registers and is approved through the gateway.
  const signedUp = await ok<{ signUp: { token: string; person: { id: string } } }>(
    `mutation($input: SignUpInput!) { signUp(input: $input) { token person { id } } }`,
    { input: { realName: '李志新', mobile: '13500230101', idNumber: withCheckDigit('50023419820301010'), password: 'zhiyuan2026', homeUnitId: yingbin.id } },
    '',
  );
  const registered = await ok<{ registerVolunteer: { id: string } }>(
    `mutation($input: RegisterVolunteerInput!) { registerVolunteer(input: $input) { id } }`,
    { input: { homeStationId: yingbin.id, skills: ['REPAIR'] } },
    signedUp.signUp.token,
  );
  await ok(`mutation($input: ReviewVolunteerInput!) { approveVolunteer(input: $input) { id status } }`, { input: { volunteerId: registered.registerVolunteer.id } }, tokens.stationAdmin!);
  liVolunteer = registered.registerVolunteer.id;
  tokens.li = await platform.login('13500230101', 'zhiyuan2026');
  // The orders service learns who the new volunteer is from volunteer.approved on its inbox.
  await eventually(async () => (await platform.orders.query(`SELECT 1 FROM volunteer_ref WHERE id = $1 AND status = 'ACTIVE'`, [liVolunteer])).length === 1);
  // Another resident, of another station.
  const other = await ok<{ signUp: { token: string } }>(
    `mutation($input: SignUpInput!) { signUp(input: $input) { token } }`,
    { input: { realName: '刘芳', mobile: '13500230102', idNumber: withCheckDigit('50023419850505020'), password: 'jumin20261', homeUnitId: yongxian.id } },
    '',
  );
  tokens.otherResident = other.signUp.token;

  redis = new IORedis(platform.config.REDIS_URL, { maxRetriesPerRequest: null });
  notifications = new Queue('notifications', { connection: redis, prefix: platform.config.QUEUE_PREFIX });
  volunteersInbox = new Queue('volunteers-inbox', { connection: redis, prefix: platform.config.QUEUE_PREFIX });
  ordersInbox = new Queue('orders-inbox', { connection: redis, prefix: platform.config.QUEUE_PREFIX });
});

afterAll(async () => {
  await Promise.all([notifications?.close(), volunteersInbox?.close(), ordersInbox?.close()]);
  redis?.disconnect();
  await platform?.stop();
});

const ORDER_FIELDS = `id code status source channel category title address location { lat lng } photos
  requester { id } placedBy { id } beneficiary { name phone specialGroup } specialGroup urgency
  station { id name } assignees { id } minutesByVolunteer { volunteer { id } minutes }
  resourcesNeeded fundingArranged fundingSource deadlines { acceptBy deliverBy evaluateBy } overdue
  outcome deliveryNote evaluation { rating resolved comment } returnCount
  timeline { action fromStatus toStatus actor { id } actorRole actorUnit { id name } note at }`;
const ORDER = `query($id: ID!) { order(id: $id) { ${ORDER_FIELDS} } }`;

/** The input type of each mutation, as the supergraph declares it. */
const MUTATIONS = readSupergraph().mutations;

type OrderView = Record<string, unknown> & { id: string; code: string; status: string };

function mutate(name: string, input: Record<string, unknown>, who: string, fields = 'id code status'): Promise<GraphQLResult<Record<string, OrderView>>> {
  return platform.query(`mutation($input: ${MUTATIONS.get(name)!.inputType}!) { ${name}(input: $input) { ${fields} } }`, { input }, { token: tokens[who] });
}

async function must(name: string, input: Record<string, unknown>, who: string, fields?: string): Promise<OrderView> {
  const result = await mutate(name, input, who, fields);
  if (result.errors) throw new Error(`${name} by ${who}: ${JSON.stringify(result.errors)}`);
  return result.data![name]!;
}

async function view(id: string, who: string): Promise<OrderView | null> {
  const result = await platform.query<{ order: OrderView | null }>(ORDER, { id }, { token: tokens[who] });
  if (result.errors) throw new Error(JSON.stringify(result.errors));
  return result.data!.order;
}

async function outboxOf(orderId: string): Promise<{ id: string; type: string; payload: Record<string, unknown>; unit_path: string | null }[]> {
  return platform.orders.query(`SELECT id::text, type, payload, unit_path FROM outbox WHERE payload->>'orderId' = $1 ORDER BY seq`, [orderId]);
}

/** A 迎宾 resident's order (周建华's), moved on to `status` the usual way. */
async function orderIn(status: string, title = '楼道灯不亮'): Promise<string> {
  const { id } = await must('placeOrder', { title, category: 'SAFETY_FACILITIES', channel: 'APP', stationHintId: yingbin.id }, 'zhou');
  const steps: [string, string, Record<string, unknown>][] = [
    ['dispatchOrder', 'dispatcher', { stationId: yingbin.id }],
    ['acceptOrder', 'stationAdmin', {}],
    ['assignVolunteers', 'stationAdmin', { volunteerIds: [heYiVolunteer] }],
    ['startService', 'stationAdmin', {}],
    ['deliverOrder', 'stationAdmin', { note: '已更换灯泡', outcome: 'FULL', minutes: [{ volunteerId: heYiVolunteer, minutes: 30 }] }],
    ['evaluateOrder', 'zhou', { rating: 4, resolved: 'YES' }],
    ['closeOrder', 'service', {}],
  ];
  const upTo: Record<string, number> = { SUBMITTED: 0, CANCELLED: 0, DISPATCHED: 1, ACCEPTED: 3, IN_PROGRESS: 4, DELIVERED: 5, EVALUATED: 6, CLOSED: 7 };
  for (const [name, who, input] of steps.slice(0, upTo[status])) await must(name, { orderId: id, ...input }, who);
  if (status === 'CANCELLED') await must('cancelOrder', { orderId: id }, 'zhou');
  return id;
}

describe('the article’s case: 周先生’s broken fitness equipment at 腾龙广场小区', () => {
  it('goes from his order to his rating of 5, each event once, the minutes to the volunteers, the funding in the ledger', async () => {
    // 点单: 周建华 reports it on the WeChat account.
    const placed = await must(
      'placeOrder',
      {
        title: '腾龙广场小区健身器材锈蚀损坏',
        description: '小区健身器材锈迹斑斑，部分已经损坏，存在安全隐患，希望尽快维修。',
        category: 'SAFETY_FACILITIES',
        channel: 'WECHAT',
        address: '开州区汉丰街道迎宾社区腾龙广场小区',
        location: { lat: 31.1612, lng: 108.3931 },
        photos: ['https://img.kz-practice.example/orders/tenglong-1.jpg'],
        stationHintId: yingbin.id,
      },
      'zhou',
    );
    expect(placed.code).toMatch(/^KZ-\d{8}-\d{4}$/);
    expect(placed.status).toBe('SUBMITTED');
    const orderId = placed.id;

    // 派单: the center (中转站) routes it to 迎宾社区.
    const dispatched = await must('dispatchOrder', { orderId, stationId: yingbin.id }, 'dispatcher', 'id status station { id name } deadlines { acceptBy }');
    expect(dispatched).toMatchObject({ status: 'DISPATCHED', station: { id: yingbin.id, name: expect.stringContaining('迎宾') } });
    // 接单: the station accepts and opens its demand ledger entry.
    await must('acceptOrder', { orderId }, 'stationAdmin');
    await must('updateDemandLedger', { orderId, resourcesNeeded: '更换锈蚀健身器材一套，新增乒乓球台 4 张' }, 'stationAdmin');
    // Two volunteers inspect and fix it.
    const assigned = await must('assignVolunteers', { orderId, volunteerIds: [heYiVolunteer, liVolunteer] }, 'stationAdmin', 'id assignees { id }');
    expect(assigned.assignees).toEqual([{ id: heYiVolunteer }, { id: liVolunteer }]);
    await must('startService', { orderId }, 'stationAdmin');
    // 送单: delivered, with the funding recorded and the minutes of each volunteer.
    const delivered = await must(
      'deliverOrder',
      {
        orderId,
        note: '更换健身器材一套，新增乒乓球台 4 张',
        outcome: 'FULL',
        minutes: [
          { volunteerId: heYiVolunteer, minutes: 180 },
          { volunteerId: liVolunteer, minutes: 150 },
        ],
        fundingArranged: 28000,
        fundingSource: '区新时代文明实践专项经费',
      },
      'stationAdmin',
      'id status fundingArranged minutesByVolunteer { volunteer { id } minutes }',
    );
    expect(delivered).toMatchObject({ status: 'DELIVERED', fundingArranged: 28000 });
    // 评单: he rates it 5, resolved.
    const evaluated = await must('evaluateOrder', { orderId, rating: 5, resolved: 'YES', comment: '器材换新了，还多了乒乓球台，感谢！' }, 'zhou');
    expect(evaluated.status).toBe('EVALUATED');

    const order = (await view(orderId, 'zhou'))!;
    expect(order).toMatchObject({
      source: 'RESIDENT',
      channel: 'WECHAT',
      category: 'SAFETY_FACILITIES',
      requester: { id: personIds.zhou },
      placedBy: null,
      resourcesNeeded: '更换锈蚀健身器材一套，新增乒乓球台 4 张',
      fundingSource: '区新时代文明实践专项经费',
      evaluation: { rating: 5, resolved: 'YES' },
      minutesByVolunteer: [
        { volunteer: { id: heYiVolunteer }, minutes: 180 },
        { volunteer: { id: liVolunteer }, minutes: 150 },
      ],
    });
    const timeline = order.timeline as { action: string; actor: { id: string } | null; actorRole: string; actorUnit: { id: string; name: string } | null }[];
    expect(timeline.map((entry) => entry.action)).toEqual([
      'SUBMITTED',
      'DISPATCHED',
      'ACCEPTED',
      'LEDGER_UPDATED',
      'ASSIGNED',
      'STARTED',
      'DELIVERED',
      'EVALUATED',
    ]);
    expect(timeline[0]).toMatchObject({ actor: { id: personIds.zhou }, actorRole: 'RESIDENT', actorUnit: null });
    expect(timeline[1]).toMatchObject({ actor: { id: personIds.dispatcher }, actorRole: 'DISPATCHER' });
    expect(timeline[2]).toMatchObject({ actor: { id: personIds.stationAdmin }, actorRole: 'STATION_ADMIN', actorUnit: { id: yingbin.id, name: expect.stringContaining('迎宾') } });

    // Each order event exactly once in the orders outbox, in order, and each once on the notifications queue.
    const events = await outboxOf(orderId);
    expect(events.map((event) => event.type)).toEqual([
      'order.submitted',
      'order.dispatched',
      'order.accepted',
      'order.assigned',
      'order.started',
      'order.delivered',
      'order.evaluated',
    ]);
    expect(events.find((event) => event.type === 'order.delivered')!.payload).toMatchObject({
      minutesByVolunteer: { [heYiVolunteer]: 180, [liVolunteer]: 150 },
      stationId: yingbin.id,
      category: 'SAFETY_FACILITIES',
      title: '腾龙广场小区健身器材锈蚀损坏',
      outcome: 'FULL',
    });
    await eventually(async () => (await Promise.all(events.map((event) => notifications.getJob(event.id)))).every(Boolean));
    const onQueue = (await notifications.getJobs(['waiting', 'active', 'completed', 'failed', 'delayed', 'prioritized'])).filter(
      (job: Job) => (job.data as EventEnvelope).payload && (job.data as EventEnvelope<'order.submitted'>).payload.orderId === orderId,
    );
    expect(onQueue.map((job) => job.name).sort()).toEqual(events.map((event) => event.type).sort());

    // The volunteers subgraph gets the minutes (order.delivered on volunteers-inbox) and books them as service records.
    const delivery = events.find((event) => event.type === 'order.delivered')!;
    await eventually(async () => (await volunteersInbox.getJob(delivery.id)) !== undefined);
    await eventually(async () => (await platform.volunteers.query('SELECT 1 FROM service_record WHERE order_id = $1', [orderId])).length === 2);
    const records = await platform.volunteers.query('SELECT volunteer_id::text, minutes FROM service_record WHERE order_id = $1 ORDER BY minutes DESC', [orderId]);
    expect(records).toEqual([
      { volunteer_id: heYiVolunteer, minutes: 180 },
      { volunteer_id: liVolunteer, minutes: 150 },
    ]);

    // The station's demand ledger (需求台账) holds it, also as a CSV for spreadsheets.
    type Ledger = { demandLedger: { unit: { id: string }; totalFunding: number; csv: string; rows: { code: string; status: string; fundingArranged: number; rating: number; order: { id: string } }[] } };
    const ledger = await ok<Ledger>(
      `query($unitId: ID!) { demandLedger(unitId: $unitId) { unit { id } totalFunding csv rows { code status fundingArranged rating order { id } } } }`,
      { unitId: yingbin.id },
      tokens.stationAdmin!,
    );
    expect(ledger.demandLedger.rows).toContainEqual({ code: placed.code, status: 'EVALUATED', fundingArranged: 28000, rating: 5, order: { id: orderId } });
    expect(ledger.demandLedger.totalFunding).toBeGreaterThanOrEqual(28000);
    const csv = ledger.demandLedger.csv;
    expect(csv.startsWith('\uFEFF订单编号,类别,需求,状态,所需资源,落实经费（元）,经费来源,办理结果,评分,提交时间,送达时间\r\n')).toBe(true);
    expect(csv).toContain(`${placed.code},安全隐患与设施,腾龙广场小区健身器材锈蚀损坏,已评单,更换锈蚀健身器材一套，新增乒乓球台 4 张,28000,区新时代文明实践专项经费,全部完成,5,`);
    // Only staff in scope keep or read it.
    expect(errorCodes(await platform.query(`query($unitId: ID!) { demandLedger(unitId: $unitId) { totalFunding } }`, { unitId: yingbin.id }, { token: tokens.zhou }))).toEqual(['FORBIDDEN']);
    expect(
      errorCodes(await platform.query(`query($unitId: ID!) { demandLedger(unitId: $unitId) { totalFunding } }`, { unitId: yingbin.id }, { token: tokens.otherStationAdmin })),
    ).toEqual(['FORBIDDEN']);

    // And the station's figures count it.
    type Stats = { unit: { orderStats: { total: number; byStatus: { status: string; count: number }[]; averageRating: number; satisfaction: number; medianMinutesToAccept: number } } };
    const stats = await ok<Stats>(
      `query($id: ID!) { unit(id: $id) { orderStats { total byStatus { status count } averageRating satisfaction medianMinutesToAccept } } }`,
      { id: yingbin.id },
      tokens.instituteAdmin!,
    );
    expect(stats.unit.orderStats.total).toBeGreaterThanOrEqual(1);
    expect(stats.unit.orderStats.byStatus.find((row) => row.status === 'EVALUATED')!.count).toBeGreaterThanOrEqual(1);
    expect(stats.unit.orderStats.medianMinutesToAccept).toBeGreaterThanOrEqual(0);
  });
});

describe('every illegal move, per role', () => {
  const STATUSES = ['SUBMITTED', 'DISPATCHED', 'ACCEPTED', 'IN_PROGRESS', 'DELIVERED', 'EVALUATED', 'CLOSED', 'CANCELLED'];
  const CALLERS = ['zhou', 'otherResident', 'heYi', 'gridWorker', 'stationAdmin', 'otherStationAdmin', 'instituteAdmin', 'dispatcher', 'centerAdmin', 'analyst', 'service'];
  const STATION_STAFF = ['stationAdmin', 'instituteAdmin', 'centerAdmin'];
  const ALIVE = ['SUBMITTED', 'DISPATCHED', 'ACCEPTED', 'IN_PROGRESS', 'DELIVERED', 'EVALUATED'];
  /** The rules as the issue and ROLES.md state them: who may make each move (on an order of 迎宾), from where. */
  const RULES: Record<string, { by: string[]; from: string[]; input: () => Record<string, unknown> }> = {
    dispatchOrder: { by: ['dispatcher', 'centerAdmin', 'service'], from: ['SUBMITTED'], input: () => ({ stationId: yingbin.id }) },
    acceptOrder: { by: STATION_STAFF, from: ['DISPATCHED'], input: () => ({}) },
    returnOrder: { by: STATION_STAFF, from: ['DISPATCHED'], input: () => ({ reason: '人手不足' }) },
    assignVolunteers: { by: STATION_STAFF, from: ['ACCEPTED', 'IN_PROGRESS'], input: () => ({ volunteerIds: [heYiVolunteer] }) },
    startService: { by: [...STATION_STAFF, 'assignee'], from: ['ACCEPTED'], input: () => ({}) },
    deliverOrder: {
      by: [...STATION_STAFF, 'assignee'],
      from: ['IN_PROGRESS'],
      input: () => ({ note: '完成', outcome: 'FULL', minutes: [{ volunteerId: heYiVolunteer, minutes: 10 }] }),
    },
    evaluateOrder: { by: ['requester'], from: ['DELIVERED'], input: () => ({ rating: 3, resolved: 'PARTLY' }) },
    cancelOrder: { by: ['requester'], from: ['SUBMITTED', 'DISPATCHED'], input: () => ({}) },
    addFollowUp: { by: ['requester'], from: ALIVE, input: () => ({ note: '进展如何？' }) },
    updateDemandLedger: { by: STATION_STAFF, from: ['ACCEPTED', 'IN_PROGRESS', 'DELIVERED', 'EVALUATED'], input: () => ({ fundingArranged: 100 }) },
    // An escalation is never refused for the state: one that no longer applies does nothing.
    escalateOrder: { by: ['service'], from: STATUSES, input: () => ({ stage: 'ACCEPT', level: 'INSTITUTE' }) },
    closeOrder: { by: ['service', 'centerAdmin'], from: ['DELIVERED', 'EVALUATED'], input: () => ({}) },
  };
  /** 何毅 is assigned from acceptance on. */
  const isMover = (caller: string, mutation: string, status: string) => {
    const { by } = RULES[mutation]!;
    if (caller === 'zhou' && by.includes('requester')) return true;
    if (caller === 'heYi' && by.includes('assignee')) return !['SUBMITTED', 'DISPATCHED', 'CANCELLED'].includes(status);
    return by.includes(caller);
  };

  it('is refused with FORBIDDEN (not the caller’s move) or INVALID_TRANSITION (not from this state), and changes nothing', async () => {
    const orders: Record<string, string> = {};
    for (const status of STATUSES) orders[status] = await orderIn(status, `非法操作检查 ${status}`);
    const expected: string[] = [];
    const calls: { status: string; mutation: string; caller: string }[] = [];
    for (const status of STATUSES) {
      for (const mutation of Object.keys(RULES)) {
        for (const caller of CALLERS) {
          if (!isMover(caller, mutation, status)) expected.push(`${status} ${mutation} by ${caller}: FORBIDDEN`);
          else if (!RULES[mutation]!.from.includes(status)) expected.push(`${status} ${mutation} by ${caller}: INVALID_TRANSITION`);
          else continue; // a legal move: the other tests make those
          calls.push({ status, mutation, caller });
        }
      }
    }
    const actual: string[] = new Array(calls.length);
    let next = 0;
    // Twelve callers at a time, as many clients would.
    await Promise.all(
      Array.from({ length: 12 }, async () => {
        while (next < calls.length) {
          const index = next++;
          const { status, mutation, caller } = calls[index]!;
          const result = await mutate(mutation, { orderId: orders[status], ...RULES[mutation]!.input() }, caller === 'zhou' ? 'zhou' : caller);
          actual[index] = `${status} ${mutation} by ${caller}: ${errorCodes(result).join(',') || 'OK'}`;
        }
      }),
    );
    expect(actual).toEqual(expected);
    expect(calls.length).toBeGreaterThan(700);
    // Nothing moved: every order is where it was.
    for (const status of STATUSES) expect((await view(orders[status]!, 'centerAdmin'))!.status).toBe(status);
    // The refusal names both states, in the caller's language.
    const refused = await platform.query(
      `mutation($input: OrderIdInput!) { acceptOrder(input: $input) { id } }`,
      { input: { orderId: orders.DELIVERED } },
      { token: tokens.stationAdmin, language: 'zh-CN' },
    );
    expect(refused.errors![0]!.extensions).toMatchObject({ code: 'INVALID_TRANSITION', from: 'DELIVERED', to: 'ACCEPTED', event: 'accept' });
    expect(refused.errors![0]!.message).toBe('服务订单处于“已送单”状态，不能执行“接单”（不能从“已送单”变为“已接单”）。');
  }, 120_000);
});

describe('returns, cancellations, reopenings and follow-ups', () => {
  it('a station returns an order with a reason: back to SUBMITTED, the station and the reason in the timeline', async () => {
    const id = await orderIn('DISPATCHED', '帮忙搬运家具');
    const returned = await must('returnOrder', { orderId: id, reason: '本站近期无搬运人手，请改派' }, 'stationAdmin', 'id status returnCount station { id }');
    expect(returned).toMatchObject({ status: 'SUBMITTED', returnCount: 1, station: null });
    const last = ((await view(id, 'dispatcher'))!.timeline as Record<string, unknown>[]).at(-1);
    expect(last).toMatchObject({
      action: 'RETURNED',
      fromStatus: 'DISPATCHED',
      toStatus: 'SUBMITTED',
      actor: { id: personIds.stationAdmin },
      actorRole: 'STATION_ADMIN',
      actorUnit: { id: yingbin.id },
      note: '本站近期无搬运人手，请改派',
    });
    expect((await outboxOf(id)).at(-1)).toMatchObject({ type: 'order.returned', payload: { orderId: id, stationId: yingbin.id, reason: '本站近期无搬运人手，请改派' } });
    // The center dispatches it again, elsewhere.
    expect((await must('dispatchOrder', { orderId: id, stationId: yongxian.id }, 'dispatcher')).status).toBe('DISPATCHED');
  });

  it('the requester cancels before acceptance only', async () => {
    const submitted = await orderIn('SUBMITTED', '咨询法律问题');
    expect((await must('cancelOrder', { orderId: submitted, reason: '已经解决' }, 'zhou')).status).toBe('CANCELLED');
    const dispatched = await orderIn('DISPATCHED', '咨询医保问题');
    expect((await must('cancelOrder', { orderId: dispatched }, 'zhou')).status).toBe('CANCELLED');
    const accepted = await orderIn('ACCEPTED', '咨询养老问题');
    const late = await mutate('cancelOrder', { orderId: accepted }, 'zhou');
    expect(late.errors![0]!.extensions).toMatchObject({ code: 'INVALID_TRANSITION', from: 'ACCEPTED', to: 'CANCELLED' });
    expect(errorCodes(await mutate('cancelOrder', { orderId: accepted }, 'otherResident'))).toEqual(['FORBIDDEN']);
  });

  it('an evaluation of NO reopens the order for the station', async () => {
    const id = await orderIn('DELIVERED', '下水道堵塞');
    const reopened = await must('evaluateOrder', { orderId: id, rating: 1, resolved: 'NO', comment: '还是堵的' }, 'zhou', 'id status deadlines { deliverBy evaluateBy }');
    expect(reopened).toMatchObject({ status: 'ACCEPTED', deadlines: { evaluateBy: null } });
    expect(new Date((reopened.deadlines as { deliverBy: string }).deliverBy).getTime()).toBeGreaterThan(Date.now());
    expect((await outboxOf(id)).slice(-2).map((event) => event.type)).toEqual(['order.evaluated', 'order.reopened']);
    expect(((await view(id, 'stationAdmin'))!.timeline as { action: string }[]).slice(-2).map((entry) => entry.action)).toEqual(['EVALUATED', 'REOPENED']);
    // The station serves it again.
    await must('startService', { orderId: id }, 'heYi');
    expect((await must('deliverOrder', { orderId: id, note: '疏通了', outcome: 'FULL', minutes: [{ volunteerId: heYiVolunteer, minutes: 40 }] }, 'heYi')).status).toBe('DELIVERED');
  });

  it('a follow-up reaches whoever holds the order', async () => {
    const id = await orderIn('ACCEPTED', '路灯不亮');
    await must('addFollowUp', { orderId: id, note: '已经三天了，什么时候来修？' }, 'zhou');
    const [followUp] = (await outboxOf(id)).filter((event) => event.type === 'order.followUp.added');
    expect(followUp).toMatchObject({ unit_path: yingbin.path, payload: { orderId: id, note: '已经三天了，什么时候来修？' } });
    await eventually(async () => (await notifications.getJob(followUp!.id)) !== undefined);
    const last = ((await view(id, 'stationAdmin'))!.timeline as Record<string, unknown>[]).at(-1);
    expect(last).toMatchObject({ action: 'FOLLOWED_UP', actor: { id: personIds.zhou }, note: '已经三天了，什么时候来修？' });
  });

  it('a service bought with love-bank points arrives as an order already dispatched to the station offering it', async () => {
    const event: EventEnvelope<'points.service.redeemed'> = {
      id: randomUUID(),
      type: 'points.service.redeemed',
      version: catalog['points.service.redeemed'].version,
      occurredAt: new Date().toISOString(),
      actor: { personId: personIds.zhou!, roles: ['RESIDENT'] },
      unitPath: yingbin.path,
      payload: { redemptionId: '9001', personId: personIds.zhou!, rewardId: '77', stationId: yingbin.id, description: '上门助老服务 1 小时 ×1' },
    };
    await ordersInbox.add(event.type, event, { jobId: event.id });
    await ordersInbox.add(event.type, { ...event, id: randomUUID() }, { jobId: randomUUID() }); // the same redemption again
    type Mine = { myOrders: { edges: { node: { id: string; title: string; status: string; category: string; station: { id: string } } }[] } };
    let mine: Mine['myOrders']['edges'] = [];
    await eventually(async () => {
      mine = (await ok<Mine>(`{ myOrders(first: 100) { edges { node { id title status category station { id } } } } }`, {}, tokens.zhou!)).myOrders.edges.filter(
        (edge) => edge.node.title === '上门助老服务 1 小时 ×1',
      );
      return mine.length > 0;
    });
    expect(mine.map((edge) => edge.node)).toEqual([expect.objectContaining({ status: 'DISPATCHED', category: 'ELDERLY_CARE', station: { id: yingbin.id } })]);
    expect(await platform.orders.query(`SELECT count(*)::int AS n FROM service_order WHERE redemption_id = '9001'`)).toEqual([{ n: 1 }]);
  });
});

describe('who sees an order', () => {
  it('the requester, the volunteers assigned, the staff in scope and the center; the personal data only for the entitled', async () => {
    const placed = await must(
      'placeOrder',
      {
        title: '帮独居的母亲买药',
        category: 'ELDERLY_CARE',
        channel: 'APP',
        stationHintId: yingbin.id,
        beneficiary: { name: '周桂芳', phone: '13900231234', specialGroup: 'EMPTY_NEST_ELDERLY' },
      },
      'zhou',
    );
    const id = placed.id;
    const seen = async () => {
      const out: Record<string, string> = {};
      for (const who of ['zhou', 'otherResident', 'heYi', 'li', 'gridWorker', 'stationAdmin', 'otherStationAdmin', 'instituteAdmin', 'dispatcher', 'centerAdmin', 'analyst']) {
        const order = await view(id, who);
        out[who] = order ? `${(order.beneficiary as { name: string }).name}/${(order.beneficiary as { phone: string }).phone}` : '-';
      }
      return out;
    };
    // Before dispatch it belongs to the requester's home station (迎宾).
    expect(await seen()).toEqual({
      zhou: '周桂芳/13900231234',
      otherResident: '-',
      heYi: '-',
      li: '-',
      gridWorker: '周桂芳/13900231234',
      stationAdmin: '周桂芳/13900231234',
      otherStationAdmin: '-',
      instituteAdmin: '周桂芳/13900231234',
      dispatcher: '周桂芳/13900231234',
      centerAdmin: '周桂芳/13900231234',
      analyst: '周**/139****1234',
    });
    await must('dispatchOrder', { orderId: id, stationId: yingbin.id }, 'dispatcher');
    await must('acceptOrder', { orderId: id }, 'stationAdmin');
    await must('assignVolunteers', { orderId: id, volunteerIds: [liVolunteer] }, 'stationAdmin');
    const after = await seen();
    expect(after).toMatchObject({ heYi: '-', li: '周**/139****1234', otherStationAdmin: '-' });

    // The lists follow the same rule.
    const LIST = `{ orders(first: 100) { edges { node { id } } } }`;
    const ids = async (who: string) => (await ok<{ orders: { edges: { node: { id: string } }[] } }>(LIST, {}, tokens[who]!)).orders.edges.map((edge) => edge.node.id);
    expect(await ids('li')).toContain(id);
    expect(await ids('heYi')).not.toContain(id);
    expect(await ids('otherStationAdmin')).not.toContain(id);
    expect(await ids('otherResident')).toEqual([]);
    expect(await ids('instituteAdmin')).toContain(id);
    const UNIT_ORDERS = `query($id: ID!) { unit(id: $id) { orders(first: 100) { totalCount edges { node { id } } } } }`;
    const atYingbin = await ok<{ unit: { orders: { totalCount: number; edges: { node: { id: string } }[] } } }>(UNIT_ORDERS, { id: yingbin.id }, tokens.stationAdmin!);
    expect(atYingbin.unit.orders.edges.map((edge) => edge.node.id)).toContain(id);
    // A unit's own list is its staff's: anyone else gets it refused at its path, not an empty list (docs/api.md).
    const asResident = await platform.query<{ unit: { orders: null } }>(UNIT_ORDERS, { id: yingbin.id }, { token: tokens.otherResident! });
    expect(asResident.data!.unit.orders).toBeNull();
    expect(asResident.errors?.map((error) => [error.extensions?.code, error.path])).toEqual([['FORBIDDEN', ['unit', 'orders']]]);
  });
});

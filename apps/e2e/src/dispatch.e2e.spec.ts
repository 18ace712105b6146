import { startDispatchWorker } from '@kz/dispatch-worker';
import { createRedis, Queues } from '@kz/events';
import { dataOf, eventuallyValue as eventually } from '@kz/testing';
import type { RunningWorkerService } from '@kz/worker';
import { Platform, startPlatform } from './stack';

/**
 * The dispatch worker against the real platform: it reads stations from the org subgraph and drives the orders
 * subgraph as SERVICE. Deadlines are 30 minutes at ORDER_TIMER_SCALE 0.001, i.e. 1.8 s, so every timer fires within
 * the test.
 */
const STATION_ADMIN = '13900230005'; // 迎宾社区
const VOLUNTEER_HE_YI = '13900230007';
const RESIDENT_ZHOU = '13900230008'; // 周先生, 腾龙广场小区
const STAGE_MS = 30 * 60_000 * 0.001;

let platform: Platform;
let worker: RunningWorkerService;
let yingbin: { id: string; path: string; lat: number; lng: number };
let resident: string;
let stationAdmin: string;
let centerAdmin: string;
let heYi: string;

beforeAll(async () => {
  platform = await startPlatform({
    seed: 'demo',
    env: {
      AUTO_DISPATCH: 'true',
      ORDER_TIMER_SCALE: '0.001',
      ORDER_ACCEPT_MINUTES: '30',
      ORDER_DELIVER_MINUTES: '30',
      ORDER_EVALUATE_MINUTES: '30',
    },
  });
  worker = await startDispatchWorker(
    { ...platform.config, ORG_SUBGRAPH_URL: platform.subgraphs.org.url, ORDERS_SUBGRAPH_URL: platform.subgraphs.orders.url },
    { port: 0 },
  );
  [yingbin] = await platform.org.query(`SELECT id::text, path, lat, lng FROM practice_unit WHERE code = 'KZ-HANFENG-YINGBIN'`);
  resident = await platform.login(RESIDENT_ZHOU);
  stationAdmin = await platform.login(STATION_ADMIN);
  centerAdmin = await platform.tokenAs('CENTER_ADMIN', 'KZ', '800002');
  [{ id: heYi }] = await platform.volunteers.query(
    'SELECT v.id::text FROM volunteer v JOIN person p ON p.id = v.person_id WHERE p.mobile = $1',
    [VOLUNTEER_HE_YI],
  );
}, 120_000);

afterAll(async () => {
  await worker?.stop();
  await platform?.stop();
});

type OrderView = { id: string; status: string; station: { id: string } | null; timeline: { action: string; note: string | null }[] };
const ORDER = `query($id: ID!) { order(id: $id) { id status station { id } timeline { action note } } }`;

/** The order as this caller sees it; null while it is not theirs to see (a station sees it once dispatched to it). */
const orderAs = async (token: string, id: string) => (await dataOf(platform.query<{ order: OrderView | null }>(ORDER, { id }, { token }))).order;


async function placeAt(location: { lat: number; lng: number }): Promise<string> {
  const { placeOrder } = await dataOf(
    platform.query<{ placeOrder: { id: string } }>(
      `mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { id } }`,
      { input: { title: '健身器材损坏', category: 'SAFETY_FACILITIES', channel: 'APP', address: '腾龙广场小区', location } },
      { token: resident },
    ),
  );
  return placeOrder.id;
}

describe('the dispatch worker on the platform', () => {
  it('dispatches a located order to the nearest station, then escalates it to the institute and the center when nobody accepts', async () => {
    const orderId = await placeAt({ lat: yingbin.lat, lng: yingbin.lng });
    const dispatched = await eventually(async () => {
      const order = await orderAs(centerAdmin, orderId);
      return order?.status === 'DISPATCHED' ? order : undefined;
    });
    expect(dispatched.station?.id).toBe(yingbin.id);

    const escalations = async () =>
      (await platform.orders.query('SELECT stage, level FROM order_escalation WHERE order_id = $1 ORDER BY escalated_at', [orderId])) as {
        stage: string;
        level: string;
      }[];
    await eventually(async () => ((await escalations()).length === 2 ? true : undefined), 3 * STAGE_MS + 10_000);
    expect(await escalations()).toEqual([
      { stage: 'ACCEPT', level: 'INSTITUTE' },
      { stage: 'ACCEPT', level: 'CENTER' },
    ]);
    const order = (await orderAs(centerAdmin, orderId))!;
    expect(order.status).toBe('DISPATCHED');
    expect(order.timeline.filter((entry) => entry.action === 'ESCALATED')).toHaveLength(2);
  });

  it('closes a delivered order the resident does not evaluate in time', async () => {
    const orderId = await placeAt({ lat: yingbin.lat, lng: yingbin.lng });
    await eventually(async () => ((await orderAs(stationAdmin, orderId))?.status === 'DISPATCHED' ? true : undefined));
    const move = (mutation: string, type: string, input: Record<string, unknown>) =>
      dataOf(platform.query(`mutation($input: ${type}!) { ${mutation}(input: $input) { id status } }`, { input: { orderId, ...input } }, { token: stationAdmin }));
    await move('acceptOrder', 'OrderIdInput', {});
    await move('assignVolunteers', 'AssignVolunteersInput', { volunteerIds: [heYi] });
    await move('startService', 'OrderIdInput', {});
    await move('deliverOrder', 'DeliverOrderInput', { note: '已紧固器材', outcome: 'FULL', minutes: [{ volunteerId: heYi, minutes: 60 }] });

    const closed = await eventually(async () => {
      const order = await orderAs(stationAdmin, orderId);
      return order?.status === 'CLOSED' ? order : undefined;
    }, STAGE_MS + 10_000);
    expect(closed.timeline.filter((entry) => entry.action === 'CLOSED')).toHaveLength(1);
  });

  it("turns a care plan's due visit into a patrol order and flags it missed when it is not delivered in time", async () => {
    const firstVisitAt = new Date(Date.now() + 500);
    const { createCarePlan } = await dataOf(
      platform.query<{ createCarePlan: { id: string } }>(
        `mutation($input: CreateCarePlanInput!) { createCarePlan(input: $input) { id } }`,
        {
          input: {
            beneficiary: { name: '王秀英', specialGroup: 'EMPTY_NEST_ELDERLY' },
            address: '迎宾社区3栋',
            stationId: yingbin.id,
            frequency: 'WEEKLY',
            firstVisitAt: firstVisitAt.toISOString(),
          },
        },
        { token: stationAdmin },
      ),
    );
    type PlanView = { nextVisitAt: string; missedVisits: number; visits: { totalCount: number; edges: { node: { source: string; status: string } }[] } };
    const plan = async () =>
      (
        await dataOf(
          platform.query<{ carePlan: PlanView }>(
            `query($id: ID!) { carePlan(id: $id) { nextVisitAt missedVisits visits { totalCount edges { node { source status } } } } }`,
            { id: createCarePlan.id },
            { token: stationAdmin },
          ),
        )
      ).carePlan;

    await eventually(async () => ((await plan()).visits.totalCount === 1 ? true : undefined));
    // One request reads the plan and then its visits: the visit's transaction (which also moves nextVisitAt) may
    // commit between the two reads. Once the visit is visible the transaction has committed, so read again.
    const visited = await plan();
    expect(visited.visits.totalCount).toBe(1);
    expect(visited.visits.edges[0]!.node.source).toBe('PATROL');
    expect(new Date(visited.nextVisitAt).getTime()).toBe(firstVisitAt.getTime() + 7 * 24 * 3600_000);

    const missed = await eventually(async () => {
      const current = await plan();
      return current.missedVisits === 1 ? current : undefined;
    }, STAGE_MS + 10_000);
    expect(missed.visits.totalCount).toBe(1);
  });

  it('left no job of the dispatch queue failed', async () => {
    const redis = createRedis(platform.config.REDIS_URL, 'worker');
    const queues = new Queues(redis, platform.config.QUEUE_PREFIX);
    try {
      const failed = await queues.get('dispatch').getFailed();
      expect(failed.map((job) => `${job.name}: ${job.failedReason}`)).toEqual([]);
    } finally {
      await queues.close();
      redis.disconnect();
    }
  });
});

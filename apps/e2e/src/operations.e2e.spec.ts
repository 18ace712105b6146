import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { startDispatchWorker } from '@kz/dispatch-worker';
import { startNotificationWorker } from '@kz/notification-worker';
import { createLogger } from '@kz/telemetry';
import { errorCodes, eventually, eventuallyValue, GraphQLResult, metricSample, WebhookServer } from '@kz/testing';
import type { RunningWorkerService } from '@kz/worker';
import { Platform, startPlatform } from './stack';

/**
 * Operations against the real platform: request ids from the gateway through the outbox into the worker's job and
 * back into the subgraph it calls, and the metrics of each kind of app (gateway, subgraph, worker) existing and
 * moving with the traffic. The ops dashboard's metrics are covered by its own test (apps/ops-dashboard).
 */
const RESIDENT_ZHOU = '13900230008';

let platform: Platform;
let dispatch: RunningWorkerService;
let notification: RunningWorkerService;
let webhook: WebhookServer;
let resident: string;
let yingbin: { lat: number; lng: number };
const dispatchLog: Record<string, unknown>[] = [];

beforeAll(async () => {
  platform = await startPlatform({ seed: 'demo', env: { AUTO_DISPATCH: 'true', QUIET_HOURS: 'off' } });
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) dispatchLog.push(JSON.parse(line));
      done();
    },
  });
  dispatch = await startDispatchWorker(
    { ...platform.config, ORG_SUBGRAPH_URL: platform.subgraphs.org.url, ORDERS_SUBGRAPH_URL: platform.subgraphs.orders.url },
    { port: 0, log: createLogger('dispatch-worker', 'debug', sink) },
  );
  webhook = await WebhookServer.start();
  notification = await startNotificationWorker(
    {
      ...platform.config,
      VOLUNTEERS_SUBGRAPH_URL: platform.subgraphs.volunteers.url,
      ORDERS_SUBGRAPH_URL: platform.subgraphs.orders.url,
      POINTS_SUBGRAPH_URL: platform.subgraphs.points.url,
      NOTIFICATION_WEBHOOK_URL: webhook.url,
    },
    { port: 0, retry: { baseMs: 50, capMs: 500 } },
  );
  [yingbin] = await platform.org.query(`SELECT lat, lng FROM practice_unit WHERE code = 'KZ-HANFENG-YINGBIN'`);
  resident = await platform.login(RESIDENT_ZHOU);
}, 120_000);

afterAll(async () => {
  await notification?.stop();
  await dispatch?.stop();
  await webhook?.stop();
  await platform?.stop();
});

const PLACE = `mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { id } }`;

async function placeOrder(headers: Record<string, string> = {}): Promise<GraphQLResult<{ placeOrder: { id: string } }>> {
  const result = await platform.query<{ placeOrder: { id: string } }>(
    PLACE,
    { input: { title: '路灯不亮', category: 'SAFETY_FACILITIES', channel: 'APP', address: '腾龙广场小区', location: { lat: yingbin.lat, lng: yingbin.lng } } },
    { token: resident, headers },
  );
  if (!result.data?.placeOrder) throw new Error(JSON.stringify(result.errors));
  return result;
}

const outboxOf = (orderId: string): Promise<{ type: string; request_id: string | null }[]> =>
  platform.orders.query(`SELECT type, request_id FROM outbox WHERE payload->>'orderId' = $1 ORDER BY seq`, [orderId]);

describe('request ids', () => {
  it('carries a client-supplied id from the gateway into the outbox envelope, the worker job logs and the calls the worker makes', async () => {
    const requestId = `ops-e2e-${randomUUID()}`;
    const result = await placeOrder({ 'x-request-id': requestId });
    expect(result.headers.get('x-request-id')).toBe(requestId);
    const orderId = result.data!.placeOrder.id;

    // The subgraph recorded the event under the id the gateway forwarded.
    expect(await outboxOf(orderId)).toEqual([{ type: 'order.submitted', request_id: requestId }]);

    // The dispatch worker handled the job in that request's scope: its log lines for the job carry the id…
    const jobLine = await eventuallyValue(async () =>
      dispatchLog.find((line) => line.msg === 'job done' && line.type === 'order.submitted' && line.queue === 'dispatch' && line.requestId === requestId),
    );
    expect(jobLine.jobId).toEqual(expect.any(String));
    // …and it forwarded the id to the orders subgraph it called, which recorded its own event under the same id.
    const dispatched = await eventuallyValue(async () => (await outboxOf(orderId)).find((row) => row.type === 'order.dispatched'));
    expect(dispatched.request_id).toBe(requestId);
  });

  it('replaces an unsafe client id with one of its own', async () => {
    const result = await placeOrder({ 'x-request-id': 'not safe <script>' });
    const given = result.headers.get('x-request-id')!;
    expect(given).toMatch(/^[0-9a-f-]{36}$/);
    expect((await outboxOf(result.data!.placeOrder.id))[0]!.request_id).toBe(given);
  });
});

const scrape = async (baseUrl: string): Promise<string> => {
  const response = await fetch(`${baseUrl}/metrics`);
  expect(response.status).toBe(200);
  return response.text();
};
const base = (graphqlUrl: string) => graphqlUrl.replace(/\/graphql$/, '');

describe('metrics of every kind of app', () => {
  it('gateway and subgraphs: requests, latency, GraphQL errors by code, outbox backlog', async () => {
    const gateway = base(platform.gatewayUrl);
    const notifications = base(platform.subgraphs.notifications.url);
    const orders = base(platform.subgraphs.orders.url);
    const [gwBefore, ntfBefore] = await Promise.all([scrape(gateway), scrape(notifications)]);

    // A 200 answer carrying FORBIDDEN (a resident reading the dead letters) and one carrying UNAUTHENTICATED.
    expect(errorCodes(await platform.query('{ failedNotifications { totalCount } }', {}, { token: resident }))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await platform.query('{ myNotifications { totalCount } }'))).toEqual(['UNAUTHENTICATED']);
    const [gwAfter, ntfAfter] = await Promise.all([scrape(gateway), scrape(notifications)]);

    const graphql200 = { route: 'graphql', status: '200' };
    expect(metricSample(gwAfter, 'http_requests_total', graphql200)! - (metricSample(gwBefore, 'http_requests_total', graphql200) ?? 0)).toBe(2);
    expect(metricSample(gwAfter, 'http_request_duration_seconds_count', { route: 'graphql' })).toBeGreaterThan(metricSample(gwBefore, 'http_request_duration_seconds_count', { route: 'graphql' }) ?? 0);
    for (const code of ['FORBIDDEN', 'UNAUTHENTICATED']) {
      expect(metricSample(gwAfter, 'graphql_errors_total', { code })! - (metricSample(gwBefore, 'graphql_errors_total', { code }) ?? 0)).toBe(1);
      expect(metricSample(ntfAfter, 'graphql_errors_total', { code })! - (metricSample(ntfBefore, 'graphql_errors_total', { code }) ?? 0)).toBe(1);
    }
    expect(metricSample(ntfAfter, 'http_requests_total', graphql200)).toBeGreaterThan(metricSample(ntfBefore, 'http_requests_total', graphql200) ?? 0);

    // The outbox backlog grows while the relay cannot publish, and drains when it can again.
    const relay = platform.subgraphs.orders.relay!;
    await relay.stop();
    try {
      await placeOrder();
      const held = await scrape(orders);
      expect(metricSample(held, 'outbox_events_unpublished')).toBeGreaterThanOrEqual(1);
      expect(metricSample(held, 'outbox_oldest_unpublished_age_seconds')).toBeGreaterThan(0);
    } finally {
      relay.start();
    }
    await eventually(async () => metricSample(await scrape(orders), 'outbox_events_unpublished') === 0);
  });

  it('workers: jobs processed, job duration, queue depth, failed set and notification dead letters', async () => {
    const [dspBefore, ntfBefore] = await Promise.all([scrape(dispatch.url), scrape(notification.url)]);
    for (const text of [dspBefore, ntfBefore]) {
      for (const name of ['queue_jobs_waiting', 'queue_jobs_active', 'queue_jobs_delayed', 'queue_jobs_failed']) expect(metricSample(text, name)).toBeDefined();
    }
    const dead = (text: string) => metricSample(text, 'notification_dead_letters') ?? Number.NaN;
    expect(dead(ntfBefore)).toBeGreaterThanOrEqual(0);

    // The message gateway refuses the next SMS for good: it becomes a dead letter.
    webhook.failNext(1, 400);
    const orderId = (await placeOrder()).data!.placeOrder.id;
    await eventually(async () => (await outboxOf(orderId)).some((row) => row.type === 'order.dispatched'));
    await eventually(async () => dead(await scrape(notification.url)) === dead(ntfBefore) + 1);

    const completed = { queue: 'dispatch', status: 'completed' };
    await eventually(async () => (metricSample(await scrape(dispatch.url), 'jobs_processed_total', completed) ?? 0) > (metricSample(dspBefore, 'jobs_processed_total', completed) ?? 0));
    const dspAfter = await scrape(dispatch.url);
    expect(metricSample(dspAfter, 'job_duration_seconds_count', { queue: 'dispatch' })).toBeGreaterThan(metricSample(dspBefore, 'job_duration_seconds_count', { queue: 'dispatch' }) ?? 0);
    // The dead letter is counted from the database, a job when it has finished (after its row is written): wait for it.
    const ntfAfter = await eventuallyValue(async () => {
      const text = await scrape(notification.url);
      return (metricSample(text, 'jobs_processed_total', { queue: 'notifications' }) ?? 0) > (metricSample(ntfBefore, 'jobs_processed_total', { queue: 'notifications' }) ?? 0) ? text : undefined;
    });
    expect(metricSample(ntfAfter, 'jobs_processed_total', { queue: 'notifications' })).toBeGreaterThan(metricSample(ntfBefore, 'jobs_processed_total', { queue: 'notifications' }) ?? 0);
    expect(metricSample(ntfAfter, 'notification_deliveries_unsent', { status: 'DEAD' })).toBe(dead(ntfAfter));
  });
});

import { randomBytes } from 'node:crypto';
import { startDispatchWorker } from '@kz/dispatch-worker';
import { RunningNotificationWorker, startNotificationWorker } from '@kz/notification-worker';
import { flushTracing, tracingActive, tracingSupported } from '@kz/telemetry';
import { dataOf, eventuallyValue, OtlpReceiver, ReceivedSpan, WebhookServer } from '@kz/testing';
import type { RunningWorkerService } from '@kz/worker';
import { Platform, startPlatform } from './stack';

/**
 * OpenTelemetry traces across the platform (docs/operations.md, "Traces"): the gateway, every subgraph and both
 * workers export to a real OTLP/HTTP receiver on this machine, and one resident's `placeOrder` is followed from the
 * gateway through the orders subgraph and its SQL, the outbox relay, the dispatch job, the orders subgraph again,
 * the notification job and its delivery, to the SMS webhook call, all under one trace id.
 *
 * Everything runs in this one process, so one tracer provider serves every app and its `service.name` is the first
 * app's: spans are told apart by their names and the `kz.app` attribute of the server spans, not by service.
 */
const RESIDENT_ZHOU = '13900230008'; // 周建华, resident of 迎宾

let platform: Platform;
let receiver: OtlpReceiver;
let webhook: WebhookServer;
let dispatch: RunningWorkerService;
let notifications: RunningNotificationWorker;
let yingbin: { id: string; lat: number; lng: number };
let resident: string;

const SERVER = 2;
const CLIENT = 3;
const PRODUCER = 4;
const CONSUMER = 5;

// The OpenTelemetry SDK needs Node 22.15+ (CI runs the end-to-end specs on Node 24 only).
(tracingSupported() ? describe : describe.skip)('one trace from placeOrder to the notification', () => {
  beforeAll(async () => {
    receiver = await OtlpReceiver.start();
    webhook = await WebhookServer.start();
    platform = await startPlatform({
      seed: 'demo',
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint, AUTO_DISPATCH: 'true' },
    });
    dispatch = await startDispatchWorker(
      { ...platform.config, ORG_SUBGRAPH_URL: platform.subgraphs.org.url, ORDERS_SUBGRAPH_URL: platform.subgraphs.orders.url },
      { port: 0 },
    );
    notifications = await startNotificationWorker(
      {
        ...platform.config,
        VOLUNTEERS_SUBGRAPH_URL: platform.subgraphs.volunteers.url,
        ORDERS_SUBGRAPH_URL: platform.subgraphs.orders.url,
        POINTS_SUBGRAPH_URL: platform.subgraphs.points.url,
        NOTIFICATION_WEBHOOK_URL: webhook.url,
        QUIET_HOURS: 'off',
      },
      { port: 0, retry: { baseMs: 50, capMs: 500 } },
    );
    [yingbin] = await platform.org.query(`SELECT id::text, lat, lng FROM practice_unit WHERE code = 'KZ-HANFENG-YINGBIN'`);
    resident = await platform.login(RESIDENT_ZHOU);
  }, 120_000);

  afterAll(async () => {
    await notifications?.stop();
    await dispatch?.stop();
    await platform?.stop();
    // The last app to stop flushed and shut the tracer provider down.
    expect(tracingActive()).toBe(false);
    await webhook?.stop();
    await receiver?.stop();
  });

  it('covers the gateway, the orders subgraph and its SQL, the relay, the dispatch and notification jobs and the webhook call', async () => {
    // The caller traces too (a mini-program backend, say): its traceparent is the root of the platform's spans.
    const traceId = randomBytes(16).toString('hex');
    const callerSpan = randomBytes(8).toString('hex');
    const { placeOrder } = await dataOf(
      platform.query<{ placeOrder: { id: string; code: string } }>(
        `mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { id code } }`,
        { input: { title: '楼道扶手松动', category: 'SAFETY_FACILITIES', channel: 'APP', address: '腾龙广场小区', location: { lat: yingbin.lat, lng: yingbin.lng } } },
        { token: resident, headers: { traceparent: `00-${traceId}-${callerSpan}-01` } },
      ),
    );

    // The resident's SMS about the dispatch: the webhook call that ends the chain, carrying the trace.
    const [sms] = await eventuallyValue(async () => {
      const sent = webhook.received.filter((request) => request.body.template === 'order.dispatched.RESIDENT' && (request.body.params as { code?: string }).code === placeOrder.code);
      return sent.length > 0 ? sent : undefined;
    });
    expect(String(sms!.headers.traceparent)).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));

    // Spans end after what the test sees (a job finishes after its effect); flush until the last has arrived.
    const spans = await eventuallyValue(async () => {
      await flushTracing();
      const trace = receiver.trace(traceId);
      // Complete once the webhook call's ancestry in the trace runs back to the caller's span (every span between
      // the request and the delivery job has ended and been exported).
      const ids = new Map(trace.map((span) => [span.spanId, span]));
      let at = trace.find((span) => span.name === 'webhook POST' && sms!.headers.traceparent === `00-${traceId}-${span.spanId}-01`);
      while (at && at.parentSpanId !== callerSpan) at = ids.get(at.parentSpanId);
      return at ? trace : undefined;
    });
    expect(receiver.refused).toEqual([]);
    const named = (name: string, more: (span: ReceivedSpan) => boolean = () => true) => spans.filter((span) => span.name === name && more(span));
    const one = (name: string, more?: (span: ReceivedSpan) => boolean): ReceivedSpan => {
      const found = named(name, more);
      if (found.length === 0) throw new Error(`no span ${name} in the trace: ${[...new Set(spans.map((span) => span.name))].join(', ')}`);
      return found[0]!;
    };
    const byId = new Map(spans.map((span) => [span.spanId, span]));
    /** Whether `span` descends from `ancestor` within the trace. */
    const descends = (span: ReceivedSpan, ancestor: ReceivedSpan): boolean => {
      for (let at = byId.get(span.parentSpanId); at; at = byId.get(at.parentSpanId)) if (at.spanId === ancestor.spanId) return true;
      return false;
    };

    // The gateway: its server span (child of the caller's), Apollo's own request, plan and fetch spans below it.
    const gatewayRequest = one('graphql mutation placeOrder', (span) => span.attributes['kz.app'] === 'gateway');
    expect(gatewayRequest).toMatchObject({ kind: SERVER, parentSpanId: callerSpan });
    for (const name of ['gateway.request', 'gateway.plan', 'gateway.fetch']) expect(descends(one(name), gatewayRequest)).toBe(true);

    // The orders subgraph: a server span per operation (the gateway's generated operation name), below a fetch.
    const ordersOperation = one('graphql mutation placeOrder', (span) => span.attributes['kz.app'] === 'orders-subgraph' && descends(span, gatewayRequest));
    expect(ordersOperation.kind).toBe(SERVER);
    expect(byId.get(ordersOperation.parentSpanId)?.name).toBe('gateway.fetch');

    // SQL statements below the orders operation (instrumentation-pg), the outbox insert among them.
    const sql = spans.filter((span) => span.scope.includes('instrumentation-pg') && descends(span, ordersOperation));
    expect(sql.length).toBeGreaterThan(0);
    expect(sql.some((span) => String(span.attributes['db.query.text'] ?? span.attributes['db.statement'] ?? '').includes('INSERT INTO outbox'))).toBe(true);

    // The outbox: the relay continues the trace of the request that wrote order.submitted…
    const relaySubmitted = one('outbox.relay order.submitted');
    expect(relaySubmitted.kind).toBe(PRODUCER);
    expect(descends(relaySubmitted, ordersOperation)).toBe(true);
    // …and the dispatch worker's job is its child; it dispatches through the orders subgraph, in the same trace.
    const dispatchJob = one('job dispatch order.submitted');
    expect(dispatchJob).toMatchObject({ kind: CONSUMER, parentSpanId: relaySubmitted.spanId });
    const dispatchCall = one('call dispatchOrder', (span) => descends(span, dispatchJob));
    expect(dispatchCall.kind).toBe(CLIENT);
    const dispatchOperation = one('graphql DispatchOrder', (span) => span.attributes['kz.app'] === 'orders-subgraph' && span.parentSpanId === dispatchCall.spanId);
    expect(dispatchOperation.kind).toBe(SERVER);

    // order.dispatched: relayed, consumed by the notification worker, delivered by its delivery job to the webhook.
    const relayDispatched = one('outbox.relay order.dispatched', (span) => descends(span, dispatchOperation));
    const notificationJob = one('job notifications order.dispatched', (span) => span.parentSpanId === relayDispatched.spanId);
    expect(notificationJob.kind).toBe(CONSUMER);
    // The SMS request names the webhook span as its parent.
    const webhookCall = one('webhook POST', (span) => sms!.headers.traceparent === `00-${traceId}-${span.spanId}-01`);
    expect(webhookCall).toMatchObject({ kind: CLIENT, attributes: expect.objectContaining({ 'kz.outcome': 'sent', 'kz.channel': 'SMS' }) });
    const ancestry: string[] = [];
    for (let at = byId.get(webhookCall.parentSpanId); at; at = byId.get(at.parentSpanId)) ancestry.push(at.name);
    expect(ancestry).toContain('job notifications order.dispatched');
    expect(descends(webhookCall, notificationJob)).toBe(true);
    // The delivery ran as a job of its own (notification.delivery.due), a child of the notification job's trace.
    expect(named('job notifications notification.delivery.due').some((span) => descends(webhookCall, span) && descends(span, notificationJob))).toBe(true);
  });
});

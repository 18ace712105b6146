import { webhookSignature } from '@kz/notifications';
import { eventuallyValue } from '@kz/testing';
import { anEvent, Harness } from './testing/harness';
import { anOrder, P } from './testing/world';

const dispatched = (harness: Harness, overrides: Parameters<typeof anOrder>[1] = {}) => {
  const order = anOrder(harness.fake, overrides);
  return { order, event: anEvent('order.dispatched', { orderId: order.id, stationId: '123' }, { actor: { personId: P.dispatcher, roles: ['DISPATCHER'] } }) };
};

/** The one outbound delivery of an event (the resident's SMS), once it exists. */
async function onlyDelivery(harness: Harness, eventId: string) {
  return eventuallyValue(async () => {
    const rows = await harness.deliveriesOf(eventId);
    return rows.length > 0 ? rows : undefined;
  }).then((rows) => {
    expect(rows).toHaveLength(1);
    return rows[0]!;
  });
}

describe('outbound deliveries through a real webhook', () => {
  let harness: Harness;

  beforeAll(async () => {
    harness = await Harness.start();
    await harness.replica();
  });

  afterAll(() => harness?.stop());

  it('turns an event delivered 5 times into one notification per person and one SMS', async () => {
    const { event } = dispatched(harness);
    await Promise.all([0, 1, 2, 3, 4].map((copy) => harness.publish(event, copy === 0 ? event.id : `${event.id}-again-${copy}`)));
    for (const copy of [0, 1, 2, 3, 4]) await harness.settled(copy === 0 ? event.id : `${event.id}-again-${copy}`);
    expect((await harness.notificationsOf(event.id)).map((row) => [row.recipient, row.title])).toEqual([
      [P.yingbinAdmin, '新订单'],
      [P.zhou, '订单已派单'],
    ]);
    const sms = await onlyDelivery(harness, event.id);
    expect(sms).toMatchObject({ recipient: P.zhou, channel: 'SMS' });
    await harness.deliveryIn(sms.id, 'SENT');
    expect(await harness.settled(`delivery-${sms.id}-0`)).toBe('completed');
    expect(harness.webhook.requestsFor(sms.id)).toHaveLength(1);
  });

  it('signs the webhook body and sends the template, its parameters and the text', async () => {
    const { order, event } = dispatched(harness);
    await harness.publish(event);
    const sms = await onlyDelivery(harness, event.id);
    await harness.deliveryIn(sms.id, 'SENT');
    const [request] = harness.webhook.requestsFor(sms.id);
    expect(request!.headers['x-kz-signature']).toBe(webhookSignature(harness.config.NOTIFICATION_WEBHOOK_SECRET, request!.raw));
    expect(request!.headers['x-kz-timestamp']).toBe(request!.body.timestamp);
    expect(request!.body).toMatchObject({
      to: '13900230908',
      channel: 'SMS',
      template: 'order.dispatched.RESIDENT',
      params: { code: order.code, title: '楼道灯不亮', orderId: order.id },
      title: '订单已派单',
      eventId: event.id,
      deliveryId: sms.id,
    });
    expect(request!.body.body).toContain(order.code);
  });

  it('retries a gateway answering 500 twice with exponential backoff, and delivers once', async () => {
    harness.webhook.failNext(2, 500);
    const { event } = dispatched(harness);
    await harness.publish(event);
    const sms = await onlyDelivery(harness, event.id);
    const sent = await harness.deliveryIn(sms.id, 'SENT');
    expect(sent).toMatchObject({ attempts: 3, revision: 2 });
    const requests = harness.webhook.requestsFor(sms.id);
    expect(requests).toHaveLength(3);
    // 50 ms after the first failure, 100 ms after the second (the harness's backoff base is 50 ms).
    expect(requests[1]!.at - requests[0]!.at).toBeGreaterThanOrEqual(45);
    expect(requests[2]!.at - requests[1]!.at).toBeGreaterThanOrEqual(95);
    expect(await harness.settled(`delivery-${sms.id}-2`)).toBe('completed');
  });

  it('takes a 400 as final: a dead letter at once, never retried', async () => {
    harness.webhook.failNext(1, 400);
    const { event } = dispatched(harness);
    await harness.publish(event);
    const sms = await onlyDelivery(harness, event.id);
    const dead = await harness.deliveryIn(sms.id, 'DEAD');
    expect(dead).toMatchObject({ attempts: 1, revision: 0 });
    expect(dead.last_error).toMatch(/^HTTP 400/);
    expect(await harness.settled(`delivery-${sms.id}-0`)).toBe('completed');
    expect(await harness.queues.get('notifications').getJobState(`delivery-${sms.id}-1`)).toBe('unknown');
    expect(harness.webhook.requestsFor(sms.id)).toHaveLength(1);
  });

  it('retries 408 and 429 like a 5xx', async () => {
    harness.webhook.failNext(1, 429);
    harness.webhook.failNext(1, 408);
    const { event } = dispatched(harness);
    await harness.publish(event);
    const sms = await onlyDelivery(harness, event.id);
    expect(await harness.deliveryIn(sms.id, 'SENT')).toMatchObject({ attempts: 3 });
  });

  it('makes an unreachable person a dead letter at once, with the reason', async () => {
    const { event } = dispatched(harness, { requester: P.noPhone });
    await harness.publish(event);
    const sms = await onlyDelivery(harness, event.id);
    expect(sms).toMatchObject({ status: 'DEAD', address: null, last_error: 'no mobile number on record' });
  });

  it('retries the event when a service it reads recipients from is overloaded, and writes the notifications once', async () => {
    harness.fake.outage('order', 1);
    const { event } = dispatched(harness);
    await harness.publish(event);
    expect(await harness.settled(event.id)).toBe('completed');
    const job = await harness.queues.get('notifications').getJob(event.id);
    expect(job!.attemptsMade).toBe(2);
    expect(await harness.notificationsOf(event.id)).toHaveLength(2);
  });

  it('follows preferences: a resident who wants only the inbox gets no SMS; a station admin who asks for WeChat gets it', async () => {
    await harness.db.query(`INSERT INTO notification_preference (person_id, kind, channels) VALUES ($1, '*', '{INBOX}'), ($2, 'order.dispatched', '{INBOX,WECHAT}')`, [
      P.zhou,
      P.yingbinAdmin,
    ]);
    try {
      const { event } = dispatched(harness);
      await harness.publish(event);
      const [wechat] = await onlyDelivery(harness, event.id).then((row) => [row]);
      expect(wechat).toMatchObject({ recipient: P.yingbinAdmin, channel: 'WECHAT' });
      await harness.deliveryIn(wechat!.id, 'SENT');
      expect(harness.webhook.requestsFor(wechat!.id)[0]!.body).toMatchObject({ channel: 'WECHAT', template: 'order.dispatched.STAFF', title: '新订单' });
    } finally {
      await harness.db.query('DELETE FROM notification_preference');
    }
  });
});

describe('quiet hours and the hourly limit', () => {
  let harness: Harness;
  /** 23:00 in Kaizhou (15:00 UTC), moving with real time from the start of the suite. */
  const night = Date.parse('2026-11-27T15:00:00Z');
  let offset = night - Date.now();

  beforeAll(async () => {
    harness = await Harness.start({ QUIET_HOURS: '22:00-07:00', NOTIFICATION_RATE_PER_HOUR: '2' }, { now: () => Date.now() + offset });
    await harness.replica();
  });

  afterAll(() => harness?.stop());

  it('holds a non-urgent SMS until 07:00 and lets an urgent one through at once; the inbox gets both now', async () => {
    const quiet = dispatched(harness);
    const urgent = anOrder(harness.fake);
    const escalated = anEvent('order.escalated', { orderId: urgent.id, stage: 'ACCEPT', level: 'INSTITUTE', dueAt: new Date(night).toISOString() }, { actor: { system: 'dispatch-worker' } });
    await harness.publish(quiet.event);
    await harness.publish(escalated);

    const alert = await onlyDelivery(harness, escalated.id);
    expect(alert).toMatchObject({ recipient: P.hanfengAdmin, channel: 'SMS' });
    await harness.deliveryIn(alert.id, 'SENT');

    const held = await onlyDelivery(harness, quiet.event.id);
    expect(held).toMatchObject({ recipient: P.zhou, status: 'SCHEDULED', next_attempt_at: new Date('2026-11-27T23:00:00Z') });
    expect(await harness.notificationsOf(quiet.event.id)).toHaveLength(2);
    // The worker adds the delayed job just after the row commits: wait for the job itself, not only the row.
    const job = await eventuallyValue(async () => (await harness.queues.get('notifications').getJob(`delivery-${held.id}-0`)) ?? undefined);
    expect(await job.getState()).toBe('delayed');
    expect(harness.webhook.requestsFor(held.id)).toHaveLength(0);

    // Woken early (promoted at night): nothing is sent, and the delivery is not lost but timed again.
    await job.promote();
    expect(await harness.settled(`delivery-${held.id}-0`)).toBe('completed');
    const retimed = await harness.queues.get('notifications').getJob(`delivery-${held.id}-1`);
    expect(await retimed!.getState()).toBe('delayed');
    expect(await harness.deliveryIn(held.id, 'SCHEDULED')).toMatchObject({ revision: 1, next_attempt_at: new Date('2026-11-27T23:00:00Z') });
    expect(harness.webhook.requestsFor(held.id)).toHaveLength(0);

    // Morning: the job comes due (promoted rather than waited for) and the message goes out.
    offset = Date.parse('2026-11-27T23:00:05Z') - Date.now();
    await retimed!.promote();
    await harness.deliveryIn(held.id, 'SENT');
    expect(harness.webhook.requestsFor(held.id)).toHaveLength(1);
  });

  it('keeps a third SMS to one person in an hour for the next hour instead of dropping it', async () => {
    offset = Date.parse('2026-11-28T02:10:00Z') - Date.now(); // 10:10 in Kaizhou: no quiet hours
    const events = [0, 1, 2].map(() => anEvent('order.accepted', { orderId: anOrder(harness.fake, { requester: P.liu }).id, stationId: '123' }));
    for (const event of events) {
      await harness.publish(event);
      await harness.settled(event.id);
    }
    const deliveries = await Promise.all(events.map((event) => onlyDelivery(harness, event.id)));
    const settled = await Promise.all(
      deliveries.map((delivery) =>
        eventuallyValue(async () => {
          const [row] = await harness.db.query('SELECT status, next_attempt_at FROM delivery WHERE id = $1', [delivery.id]);
          return row.status === 'SENT' || row.status === 'SCHEDULED' ? row : undefined;
        }),
      ),
    );
    expect(settled.map((row) => row.status).sort()).toEqual(['SCHEDULED', 'SENT', 'SENT']);
    expect(settled.find((row) => row.status === 'SCHEDULED')!.next_attempt_at).toEqual(new Date('2026-11-28T03:00:00Z'));
    expect(harness.webhook.received.filter((request) => request.body.to === '13900230918')).toHaveLength(2);
  });
});

import { anEvent, Harness } from './testing/harness';
import { anOrder, P } from './testing/world';

describe('two replicas racing on the same events', () => {
  let harness: Harness;

  beforeAll(async () => {
    harness = await Harness.start();
    await harness.replica();
    await harness.replica();
  });

  afterAll(() => harness?.stop());

  it('give each person one notification per event and send each SMS once, however many copies arrive', async () => {
    const completedBy = harness.workers.map((replica) => {
      const count = { jobs: 0 };
      replica.workers[0]!.on('completed', () => (count.jobs += 1));
      return count;
    });
    const events = Array.from({ length: 12 }, () => {
      const order = anOrder(harness.fake, { category: 'SAFETY_FACILITIES' }); // urgent: the station admin gets an SMS too
      return anEvent('order.dispatched', { orderId: order.id, stationId: '123' }, { actor: { personId: P.dispatcher, roles: ['DISPATCHER'] } });
    });
    const copies = events.flatMap((event) => [0, 1, 2].map((copy) => ({ event, jobId: copy === 0 ? event.id : `${event.id}-copy-${copy}` })));
    await Promise.all(copies.map(({ event, jobId }) => harness.publish(event, jobId)));
    for (const { jobId } of copies) expect(await harness.settled(jobId)).toBe('completed');

    let deliveries = 0;
    for (const event of events) {
      const rows = await harness.notificationsOf(event.id);
      expect(rows.map((row) => row.recipient)).toEqual([P.yingbinAdmin, P.zhou]);
      const sms = await harness.deliveriesOf(event.id);
      expect(sms.map((row) => row.recipient)).toEqual([P.yingbinAdmin, P.zhou]);
      deliveries += sms.length;
      for (const row of sms) await harness.deliveryIn(row.id, 'SENT');
    }
    await harness.webhook.waitFor(deliveries);
    const ids = harness.webhook.received.map((request) => String(request.body.deliveryId));
    expect(ids).toHaveLength(deliveries);
    expect(new Set(ids).size).toBe(deliveries);
    expect(completedBy.every((count) => count.jobs > 0)).toBe(true);
  });
});

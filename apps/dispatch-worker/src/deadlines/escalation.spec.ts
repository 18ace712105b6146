import type { EventEnvelope } from '@kz/events';
import { anEvent, eventually, Harness, iso, nextId, quietFor } from '../testing/harness';
import { escalationJobId } from './escalation';

let harness: Harness;

beforeAll(async () => {
  harness = await Harness.start();
  await harness.replica();
});

afterAll(() => harness.stop());

const escalationTimers = async (orderId: string) => (await harness.timers.pending(`order:${orderId}`)).filter((id) => id.startsWith('esc-'));
const escalations = (orderId: string) =>
  harness.fake.callsOf('escalateOrder').filter((call) => (call.variables.input as { orderId: string }).orderId === orderId);

describe('SLA escalation', () => {
  it('alerts the institute at the accept deadline and the center as long again after it, once each however often the dispatch arrives', async () => {
    const orderId = nextId();
    const dispatchedAt = Date.now();
    const due = dispatchedAt + 800;
    const dispatched = () => anEvent('order.dispatched', { orderId, stationId: '3', dueAt: iso(due) }, new Date(dispatchedAt));
    const copies = [dispatched(), dispatched(), dispatched()]; // the event and two redeliveries under other ids
    for (const copy of copies) await harness.publish(copy);
    for (const copy of copies) expect(await harness.settled(copy)).toBe('completed');
    // Two timers however often the dispatch arrived (the first may have fired already on a slow machine).
    expect(await harness.timers.scheduled(`order:${orderId}`)).toEqual([
      escalationJobId(orderId, 'ACCEPT', 'CENTER', due),
      escalationJobId(orderId, 'ACCEPT', 'INSTITUTE', due),
    ]);

    await eventually(async () => (escalations(orderId).length === 2 ? true : undefined));
    await quietFor(300);
    const [institute, center] = escalations(orderId);
    expect(escalations(orderId)).toHaveLength(2);
    expect(institute!.variables.input).toEqual({ orderId, stage: 'ACCEPT', level: 'INSTITUTE' });
    expect(center!.variables.input).toEqual({ orderId, stage: 'ACCEPT', level: 'CENTER' });
    expect(institute!.claims).toEqual({ sub: 'dispatch-worker', roles: ['SERVICE'] });
    expect(institute!.at).toBeGreaterThanOrEqual(due);
    expect(center!.at).toBeGreaterThanOrEqual(due + (due - dispatchedAt));

    // Both fired timers reach the event stream, once each, under the ids of their envelopes.
    const fired = await Promise.all(
      (['INSTITUTE', 'CENTER'] as const).map(async (level) => (await harness.queues.get('dispatch').getJob(escalationJobId(orderId, 'ACCEPT', level, due)))!.data as EventEnvelope),
    );
    for (const envelope of fired) {
      const streamed = await harness.queues.get('analytics').getJob(envelope.id);
      expect(streamed?.data).toEqual(envelope);
      expect(envelope.type).toBe('order.deadline.due');
    }
  });

  it('drops the accept timers when the station accepts, and sets the delivery ones from the new deadline', async () => {
    const orderId = nextId();
    const acceptBy = Date.now() + 3600_000;
    const deliverBy = acceptBy + 3600_000;
    const dispatched = anEvent('order.dispatched', { orderId, stationId: '3', dueAt: iso(acceptBy) });
    await harness.publish(dispatched);
    await harness.settled(dispatched);
    expect(await escalationTimers(orderId)).toHaveLength(2);

    const accepted = anEvent('order.accepted', { orderId, stationId: '3', dueAt: iso(deliverBy) });
    await harness.publish(accepted);
    await harness.settled(accepted);
    expect(await escalationTimers(orderId)).toEqual([
      escalationJobId(orderId, 'DELIVER', 'CENTER', deliverBy),
      escalationJobId(orderId, 'DELIVER', 'INSTITUTE', deliverBy),
    ]);
    expect(await harness.jobState(escalationJobId(orderId, 'ACCEPT', 'INSTITUTE', acceptBy))).toBe('unknown');

    const delivered = anEvent('order.delivered', { orderId });
    await harness.publish(delivered);
    await harness.settled(delivered);
    expect(await escalationTimers(orderId)).toEqual([]);
  });

  it('sets new delivery timers when an unresolved evaluation reopens the order', async () => {
    const orderId = nextId();
    const now = Date.now();
    const events = [
      anEvent('order.accepted', { orderId, stationId: '3', dueAt: iso(now + 3600_000) }, new Date(now - 3000)),
      anEvent('order.delivered', { orderId, dueAt: iso(now + 7200_000) }, new Date(now - 2000)),
      anEvent('order.evaluated', { orderId, rating: 1, resolved: 'NO' }, new Date(now - 1000)),
      anEvent('order.reopened', { orderId, rating: 1, resolved: 'NO', dueAt: iso(now + 5400_000) }, new Date(now - 1000)),
    ];
    for (const event of events) {
      await harness.publish(event);
      await harness.settled(event);
    }
    expect(await harness.timers.pending(`order:${orderId}`)).toEqual([
      escalationJobId(orderId, 'DELIVER', 'CENTER', now + 5400_000),
      escalationJobId(orderId, 'DELIVER', 'INSTITUTE', now + 5400_000),
    ]);
  });

  it('drops every escalation timer of a cancelled order, and those of a returned one', async () => {
    const cancelledOrder = nextId();
    const returnedOrder = nextId();
    const dueAt = iso(Date.now() + 3600_000);
    for (const orderId of [cancelledOrder, returnedOrder]) {
      const dispatched = anEvent('order.dispatched', { orderId, stationId: '3', dueAt });
      await harness.publish(dispatched);
      await harness.settled(dispatched);
    }
    const cancelled = anEvent('order.cancelled', { orderId: cancelledOrder });
    const returned = anEvent('order.returned', { orderId: returnedOrder, stationId: '3', reason: '不在本站服务范围' });
    await harness.publish(cancelled);
    await harness.publish(returned);
    await harness.settled(cancelled);
    await harness.settled(returned);
    expect(await escalationTimers(cancelledOrder)).toEqual([]);
    expect(await escalationTimers(returnedOrder)).toEqual([]);
  });

  it('keeps the timers of a second dispatch when the return before it is handled late, and sets none for a dispatch handled after its acceptance', async () => {
    const orderId = nextId();
    const t0 = Date.now() - 60_000;
    const secondDue = Date.now() + 3600_000;
    const first = anEvent('order.dispatched', { orderId, stationId: '3', dueAt: iso(t0 + 3600_000) }, new Date(t0));
    const returned = anEvent('order.returned', { orderId, stationId: '3', reason: '人手不足' }, new Date(t0 + 1000));
    const second = anEvent('order.dispatched', { orderId, stationId: '4', dueAt: iso(secondDue) }, new Date(t0 + 2000));
    for (const event of [first, second, returned]) {
      await harness.publish(event);
      await harness.settled(event);
    }
    expect(await escalationTimers(orderId)).toEqual([
      escalationJobId(orderId, 'ACCEPT', 'CENTER', secondDue),
      escalationJobId(orderId, 'ACCEPT', 'INSTITUTE', secondDue),
    ]);

    const lateOrder = nextId();
    const accepted = anEvent('order.accepted', { orderId: lateOrder, stationId: '3', dueAt: iso(Date.now() + 7200_000) }, new Date(t0 + 1000));
    const dispatched = anEvent('order.dispatched', { orderId: lateOrder, stationId: '3', dueAt: iso(Date.now() + 3600_000) }, new Date(t0));
    for (const event of [accepted, dispatched]) {
      await harness.publish(event);
      await harness.settled(event);
    }
    expect((await escalationTimers(lateOrder)).filter((id) => id.includes('-ACCEPT-'))).toEqual([]);
  });

  it('counts an order that moved on (INVALID_TRANSITION) as escalated: the timer completes without a retry', async () => {
    const orderId = nextId();
    const due = Date.now() + 300;
    harness.fake.script('escalateOrder', 1, () => ({ body: { data: null, errors: [{ message: 'accepted already', extensions: { code: 'INVALID_TRANSITION' } }] } }));
    // Dispatched an hour before the deadline: the center's timer is an hour later still, out of this test's way.
    const dispatched = anEvent('order.dispatched', { orderId, stationId: '3', dueAt: iso(due) }, new Date(due - 3600_000));
    await harness.publish(dispatched);
    const timer = escalationJobId(orderId, 'ACCEPT', 'INSTITUTE', due);
    await eventually(async () => ((await harness.jobState(timer)) === 'completed' ? true : undefined));
    const job = await harness.queues.get('dispatch').getJob(timer);
    expect(job?.attemptsMade).toBe(1);
    expect(escalations(orderId)).toHaveLength(1);
  });
});

import { escalationJobId } from './deadlines/escalation';
import { anEvent, eventually, Harness, iso, nextId, quietFor } from './testing/harness';

/** Short job locks, so a job of a dead replica goes to another within about a second and a half. */
const FAST_LOCKS = { lockDuration: 1000, stalledInterval: 500 };

describe('two replicas on one queue', () => {
  let harness: Harness;

  beforeAll(async () => {
    harness = await Harness.start();
    await harness.replica();
    await harness.replica();
  });

  afterAll(() => harness.stop());

  it('make each escalation call exactly once, even when every dispatch arrives twice', async () => {
    const completedBy = harness.workers.map((replica) => {
      const count = { jobs: 0 };
      replica.workers[0]!.on('completed', () => (count.jobs += 1));
      return count;
    });
    const orders = Array.from({ length: 12 }, () => nextId());
    const dispatchedAt = Date.now();
    const due = dispatchedAt + 700;
    const events = orders.flatMap((orderId) =>
      [1, 2].map(() => anEvent('order.dispatched', { orderId, stationId: '3', dueAt: iso(due) }, new Date(dispatchedAt))),
    );
    await Promise.all(events.map((event) => harness.publish(event)));

    const expected = orders.length * 2; // institute and center
    await eventually(async () => (harness.fake.callsOf('escalateOrder').length >= expected ? true : undefined), 15_000);
    // A job completes after its call returned: wait for every job, then a little more to see nothing else comes.
    const completed = () => completedBy.reduce((sum, count) => sum + count.jobs, 0);
    await eventually(async () => (completed() >= events.length + expected ? true : undefined), 15_000);
    await quietFor(300);
    const calls = harness.fake.callsOf('escalateOrder').map((call) => JSON.stringify(call.variables.input));
    expect(calls).toHaveLength(expected);
    expect(new Set(calls).size).toBe(expected);
    // Both replicas took part: 24 events and 24 timers between them.
    expect(completed()).toBe(events.length + expected);
    expect(completedBy.every((count) => count.jobs > 0)).toBe(true);
  });
});

describe('a replica killed in the middle of a job', () => {
  let harness: Harness;

  beforeAll(async () => {
    harness = await Harness.start();
  });

  afterAll(() => harness.stop());

  it('leaves its job to another replica, and the escalation takes effect once', async () => {
    const doomed = await harness.replica(FAST_LOCKS);
    const orderId = nextId();
    const due = Date.now() + 200;
    // The orders service escalates, then the replica dies before it hears back.
    const held = harness.fake.hold('escalateOrder');
    await harness.publish(anEvent('order.dispatched', { orderId, stationId: '3', dueAt: iso(due) }, new Date(due - 3600_000)));
    await held.arrived;
    await doomed.workers[0]!.close(true);

    await harness.replica(FAST_LOCKS);
    const timer = escalationJobId(orderId, 'ACCEPT', 'INSTITUTE', due);
    await eventually(async () => ((await harness.jobState(timer)) === 'completed' ? true : undefined), 15_000);
    expect(harness.fake.callsOf('escalateOrder')).toHaveLength(2);
    expect(harness.fake.effects.filter((effect) => effect === `escalate:${orderId}:ACCEPT:INSTITUTE`)).toHaveLength(1);

    // The dead replica's late answer changes nothing: the job is the survivor's now.
    held.release();
    await quietFor(300);
    expect(await harness.jobState(timer)).toBe('completed');
    expect(harness.fake.callsOf('escalateOrder')).toHaveLength(2);
  });
});

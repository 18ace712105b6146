import { anEvent, eventually, Harness, iso, nextId, quietFor } from '../testing/harness';
import { closeJobId } from './auto-close';

let harness: Harness;

beforeAll(async () => {
  harness = await Harness.start();
  await harness.replica();
});

afterAll(() => harness.stop());

const closes = (orderId: string) =>
  harness.fake.callsOf('closeOrder').filter((call) => (call.variables.input as { orderId: string }).orderId === orderId);

describe('closing orders nobody evaluated', () => {
  it('closes a delivered order when its evaluation window ends, once however often the delivery arrives', async () => {
    const orderId = nextId();
    const evaluateBy = Date.now() + 600;
    const copies = [1, 2, 3].map(() => anEvent('order.delivered', { orderId, outcome: 'FULL', dueAt: iso(evaluateBy) }));
    for (const copy of copies) await harness.publish(copy);
    for (const copy of copies) await harness.settled(copy);
    // One timer however often the delivery arrived (it may have fired already on a slow machine: set, not pending).
    expect(await harness.timers.scheduled(`order:${orderId}`)).toEqual([closeJobId(orderId, evaluateBy)]);

    await eventually(async () => (closes(orderId).length === 1 ? true : undefined));
    await eventually(async () => ((await harness.jobState(closeJobId(orderId, evaluateBy))) === 'completed' ? true : undefined));
    expect(closes(orderId)[0]!.at).toBeGreaterThanOrEqual(evaluateBy);
    expect(harness.fake.effects).toContain(`close:${orderId}`);
    await quietFor(200);
    expect(closes(orderId)).toHaveLength(1);
  });

  it('leaves an order the requester evaluated in time alone', async () => {
    const orderId = nextId();
    // Far enough ahead that handling both events on a loaded machine ends before it; the test waits it out.
    const evaluateBy = Date.now() + 2500;
    const delivered = anEvent('order.delivered', { orderId, outcome: 'PARTIAL', dueAt: iso(evaluateBy) });
    await harness.publish(delivered);
    await harness.settled(delivered);
    const evaluated = anEvent('order.evaluated', { orderId, rating: 5, resolved: 'YES' });
    await harness.publish(evaluated);
    await harness.settled(evaluated);
    expect(await harness.timers.pending(`order:${orderId}`)).toEqual([]);
    await quietFor(evaluateBy - Date.now() + 300);
    expect(closes(orderId)).toHaveLength(0);
  });

  it.each(['order.closed', 'order.cancelled', 'order.reopened'] as const)('drops the closing timer on %s', async (type) => {
    const orderId = nextId();
    const delivered = anEvent('order.delivered', { orderId, dueAt: iso(Date.now() + 3600_000) });
    await harness.publish(delivered);
    await harness.settled(delivered);
    expect(await harness.timers.pending(`order:${orderId}`)).toHaveLength(1);
    const next = anEvent(type, { orderId });
    await harness.publish(next);
    await harness.settled(next);
    expect(await harness.timers.pending(`order:${orderId}`)).toEqual([]);
  });
});

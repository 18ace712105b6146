import type { EventPayload } from '@kz/events';
import { anEvent, eventually, Harness, iso, nextId, quietFor } from '../testing/harness';
import { visitCheckJobId, visitJobId } from './care-visits';

/** 10 minutes to deliver, at ORDER_TIMER_SCALE 0.001: 600 ms. */
const DELIVER_MS = 600;
let harness: Harness;

beforeAll(async () => {
  harness = await Harness.start({ ORDER_DELIVER_MINUTES: '10' });
  await harness.replica();
});

afterAll(() => harness.stop());

const scheduled = (carePlanId: string, nextVisitAt: number, occurredAt = new Date(), active = true) =>
  anEvent('carePlan.scheduled', { carePlanId, stationId: '3', frequency: 'WEEKLY', nextVisitAt: iso(nextVisitAt), active }, occurredAt);

const callsFor = (operation: 'recordCarePlanVisit' | 'markVisitMissed', carePlanId: string) =>
  harness.fake.callsOf(operation).filter((call) => (call.variables.input as { carePlanId: string }).carePlanId === carePlanId);

async function handle(...events: ReturnType<typeof anEvent>[]): Promise<void> {
  for (const event of events) {
    await harness.publish(event);
    expect(await harness.settled(event)).toBe('completed');
  }
}

describe('care plan visits', () => {
  it('asks the orders service to record the visit when it comes due, once however often the plan is announced', async () => {
    const planId = nextId();
    const due = Date.now() + 500;
    const at = new Date();
    await handle(scheduled(planId, due, at), scheduled(planId, due, at), scheduled(planId, due, at));
    expect(await harness.timers.scheduled(`carePlan:${planId}`)).toEqual([visitJobId(planId, due)]); // pending or fired

    await eventually(async () => (callsFor('recordCarePlanVisit', planId).length === 1 ? true : undefined));
    const [call] = callsFor('recordCarePlanVisit', planId);
    expect(call!.variables.input).toEqual({ carePlanId: planId, dueAt: iso(due) });
    expect(call!.at).toBeGreaterThanOrEqual(due);
    await quietFor(200);
    expect(callsFor('recordCarePlanVisit', planId)).toHaveLength(1);
    // The fired timer reached the event stream before it was handled.
    const timer = (await harness.queues.get('dispatch').getJob(visitJobId(planId, due)))!.data as { id: string; type: string };
    expect(timer.type).toBe('carePlan.visit.timerDue');
    expect((await harness.queues.get('analytics').getJob(timer.id))?.data).toEqual(timer);
  });

  it('keeps only the timer of the newest announcement, whatever order the announcements are handled in', async () => {
    const planId = nextId();
    const now = Date.now();
    const older = scheduled(planId, now + 3600_000, new Date(now - 2000));
    const newer = scheduled(planId, now + 7200_000, new Date(now - 1000));
    await handle(newer, older);
    expect(await harness.timers.pending(`carePlan:${planId}`)).toEqual([visitJobId(planId, now + 7200_000)]);

    const moved = scheduled(planId, now + 1800_000, new Date(now));
    await handle(moved);
    expect(await harness.timers.pending(`carePlan:${planId}`)).toEqual([visitJobId(planId, now + 1800_000)]);
  });

  it('drops the timer of a paused plan, and an announcement older than the pause does not bring it back', async () => {
    const planId = nextId();
    const now = Date.now();
    await handle(scheduled(planId, now + 3600_000, new Date(now - 2000)));
    await handle(scheduled(planId, now + 3600_000, new Date(now - 1000), false));
    expect(await harness.timers.pending(`carePlan:${planId}`)).toEqual([]);
    await handle(scheduled(planId, now + 3600_000, new Date(now - 3000)));
    expect(await harness.timers.pending(`carePlan:${planId}`)).toEqual([]);
  });

  it('flags a visit missed when its order is not delivered within the delivery time', async () => {
    const planId = nextId();
    const orderId = nextId();
    harness.fake.statuses.set(orderId, 'ACCEPTED');
    const due = Date.now();
    const payload: EventPayload<'carePlan.visit.due'> = { carePlanId: planId, orderId, beneficiary: '王**', dueAt: iso(due) };
    await handle(anEvent('carePlan.visit.due', payload), anEvent('carePlan.visit.due', payload));
    expect(await harness.timers.scheduled(`carePlan:${planId}`)).toEqual([visitCheckJobId(planId, orderId, due)]); // pending or fired

    await eventually(async () => (callsFor('markVisitMissed', planId).length === 1 ? true : undefined));
    const [missed] = callsFor('markVisitMissed', planId);
    expect(missed!.variables.input).toEqual({ carePlanId: planId, orderId });
    expect(missed!.at).toBeGreaterThanOrEqual(due + DELIVER_MS);
    await quietFor(200);
    expect(callsFor('markVisitMissed', planId)).toHaveLength(1);
  });

  it.each(['DELIVERED', 'EVALUATED', 'CLOSED'])('does not flag a visit whose order is %s', async (status) => {
    const planId = nextId();
    const orderId = nextId();
    harness.fake.statuses.set(orderId, status);
    const due = Date.now();
    await handle(anEvent('carePlan.visit.due', { carePlanId: planId, orderId, beneficiary: '王**', dueAt: iso(due) }));
    const check = visitCheckJobId(planId, orderId, due);
    await eventually(async () => ((await harness.jobState(check)) === 'completed' ? true : undefined));
    expect(harness.fake.callsOf('order').some((call) => call.variables.id === orderId)).toBe(true);
    expect(callsFor('markVisitMissed', planId)).toHaveLength(0);
  });
});

import { metricSample, scrapeMetrics } from '@kz/testing';
import type { RunningWorkerService } from '@kz/worker';
import { visitCheckJobId, visitJobId } from './care-plans/care-visits';
import { closeJobId } from './deadlines/auto-close';
import { escalationJobId } from './deadlines/escalation';
import { expiryEventId, expiryJobId } from './redemption-timer';
import { anEvent, eventually, Harness, iso, nextId } from './testing/harness';

/**
 * Timers from the database (issue 22): the worker's delayed jobs are caches of rows in the orders and points services
 * (here their fakes' `dueTimers` and `redemptionExpiries`). Redis losing them is played by deleting every key of the
 * run's queue prefix while the worker runs, which is what FLUSHALL does to it (its marker key included).
 */
let harness: Harness;
let worker: RunningWorkerService;

beforeAll(async () => {
  harness = await Harness.start({ REDIS_LOSS_CHECK_SECONDS: '1', TIMER_RECONCILE_SECONDS: '3600' });
  worker = await harness.replica();
  await worker.reconciler!.idle(); // the start run, over the fakes' empty tables
});

afterAll(() => harness.stop());

const HOUR = 3600_000;
const recreated = async () => metricSample(await scrapeMetrics(worker.url), 'reconciled_jobs_total', { kind: 'dispatch-timers' }) ?? 0;
const dispatchJobs = () => harness.queues.get('dispatch').getJobCounts('delayed', 'waiting', 'active', 'completed', 'failed');
/** Deletes every key of the run's prefix in one DEL (a SCAN-and-delete loop could also take keys rebuilt meanwhile). */
async function emptyRedis(): Promise<void> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await harness.redis.scan(cursor, 'MATCH', `${harness.config.QUEUE_PREFIX}:*`, 'COUNT', 1000);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== '0');
  if (keys.length > 0) await harness.redis.del(...keys);
}
const exists = async (jobId: string) => (await harness.jobState(jobId)) !== 'unknown';

describe('the timer reconciler of the dispatch worker', () => {
  it('rebuilds every pending timer after Redis lost them, with the ids the events gave them, once, and fires the past ones at once', async () => {
    const now = Date.now();
    const [open, late, delivered, plan, visitOrder, kept, lapsed] = [nextId(), nextId(), nextId(), nextId(), nextId(), nextId(), nextId()];
    const acceptBy = now + HOUR;
    const lateDue = now - 1000; // its institute level is done; the center's is due 2 s after the deadline
    harness.fake.dueTimers = [
      { kind: 'STAGE_DEADLINE', orderId: late, carePlanId: null, stationId: '3', stage: 'DELIVER', dueAt: iso(lateDue), since: iso(lateDue - 2000), unitPath: '1/2/3', escalated: ['INSTITUTE'] },
      { kind: 'STAGE_DEADLINE', orderId: open, carePlanId: null, stationId: '3', stage: 'ACCEPT', dueAt: iso(acceptBy), since: iso(now), unitPath: '1/2/3', escalated: [] },
      { kind: 'EVALUATION', orderId: delivered, carePlanId: null, stationId: '3', stage: null, dueAt: iso(now + HOUR), since: iso(now), unitPath: '1/2/3', escalated: [] },
      { kind: 'CARE_VISIT', orderId: null, carePlanId: plan, stationId: '3', stage: null, dueAt: iso(now + HOUR), since: iso(now), unitPath: '1/2/3', escalated: [] },
      { kind: 'VISIT_CHECK', orderId: visitOrder, carePlanId: plan, stationId: '3', stage: null, dueAt: iso(now + HOUR), since: iso(now), unitPath: '1/2/3', escalated: [] },
    ];
    harness.fake.expiries = [
      { redemptionId: lapsed, expiresAt: iso(now - 5000), unitPath: '1/2/3' },
      { redemptionId: kept, expiresAt: iso(now + HOUR), unitPath: '1/2/3' },
    ];
    // The open order's timers were set by its event, as usual.
    const dispatched = anEvent('order.dispatched', { orderId: open, stationId: '3', dueAt: iso(acceptBy) }, new Date(now));
    await harness.publish(dispatched);
    await harness.settled(dispatched);
    const before = await recreated();

    await emptyRedis(); // Redis comes back empty
    const expected = [
      escalationJobId(open, 'ACCEPT', 'INSTITUTE', acceptBy),
      escalationJobId(open, 'ACCEPT', 'CENTER', acceptBy),
      escalationJobId(late, 'DELIVER', 'CENTER', lateDue),
      closeJobId(delivered, now + HOUR),
      visitJobId(plan, now + HOUR),
      visitCheckJobId(plan, visitOrder, now + HOUR),
      expiryJobId(kept),
      expiryJobId(lapsed),
    ];
    // Noticed through the marker key, without being asked.
    await eventually(async () => ((await recreated()) - before === expected.length ? true : undefined));
    for (const jobId of expected) expect(await exists(jobId)).toBe(true);
    expect(await exists(escalationJobId(late, 'DELIVER', 'INSTITUTE', lateDue))).toBe(false);
    expect(await harness.jobState(escalationJobId(open, 'ACCEPT', 'INSTITUTE', acceptBy))).toBe('delayed');
    expect(metricSample(await scrapeMetrics(worker.url), 'redis_data_loss_detected_total')).toBe(1);

    // Due times in the past fire at once: the lapsed redemption's expiry reaches the points inbox, the late order's
    // center level is escalated (and only it).
    await eventually(async () => (await harness.queues.get('points-credit').getJob(expiryEventId(lapsed))) ?? undefined);
    await eventually(async () => (harness.fake.effects.includes(`escalate:${late}:DELIVER:CENTER`) ? true : undefined));
    expect(harness.fake.effects).not.toContain(`escalate:${late}:DELIVER:INSTITUTE`);

    // Another full run finds every job in place (pending or fired) and adds nothing.
    const fired = [escalationJobId(late, 'DELIVER', 'CENTER', lateDue), expiryJobId(lapsed)];
    await eventually(async () => ((await Promise.all(fired.map((id) => harness.jobState(id)))).every((state) => state === 'completed') ? true : undefined));
    const counts = await dispatchJobs();
    const total = await recreated();
    await worker.reconciler!.trigger('redis-loss');
    expect(await recreated()).toBe(total);
    expect(await dispatchJobs()).toEqual(counts);
  });

  it('looks only at the window when run periodically, and at every pending timer after a loss', async () => {
    const now = Date.now();
    const [soon, later] = [nextId(), nextId()];
    harness.fake.dueTimers = [
      { kind: 'EVALUATION', orderId: soon, carePlanId: null, stationId: '3', stage: null, dueAt: iso(now + 10 * 60_000), since: iso(now), unitPath: '1/2/3', escalated: [] },
      { kind: 'EVALUATION', orderId: later, carePlanId: null, stationId: '3', stage: null, dueAt: iso(now + 5 * HOUR), since: iso(now), unitPath: '1/2/3', escalated: [] },
    ];
    harness.fake.expiries = [];
    await worker.reconciler!.trigger('interval'); // TIMER_RECONCILE_WINDOW_MINUTES: 60
    expect(await exists(closeJobId(soon, now + 10 * 60_000))).toBe(true);
    expect(await exists(closeJobId(later, now + 5 * HOUR))).toBe(false);
    await worker.reconciler!.trigger('redis-loss');
    expect(await exists(closeJobId(later, now + 5 * HOUR))).toBe(true);
  });
});

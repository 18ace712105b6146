import { errorCodes, GraphQLResult } from '@kz/testing';
import { OrdersFixture, startOrdersFixture } from '../testing/orders-fixture';

/**
 * `dueTimers` (issue 22): the dispatch worker's timers read back from the orders tables, so it can rebuild the
 * delayed jobs Redis lost. For the SERVICE role only.
 */
let fixture: OrdersFixture;

beforeAll(async () => {
  fixture = await startOrdersFixture();
});

afterAll(() => fixture?.stop());

interface DueTimer {
  kind: string;
  orderId: string | null;
  carePlanId: string | null;
  stationId: string | null;
  stage: string | null;
  dueAt: string;
  since: string;
  unitPath: string | null;
  escalated: string[];
}

const DUE_TIMERS = `query($before: DateTime, $after: String, $first: Int) {
  dueTimers(before: $before, after: $after, first: $first) {
    items { kind orderId carePlanId stationId stage dueAt since unitPath escalated }
    nextCursor
  }
}`;

/** Every page, two at a time. */
async function allTimers(before: string | null = null): Promise<DueTimer[]> {
  const items: DueTimer[] = [];
  let after: string | null = null;
  do {
    const result: GraphQLResult<{ dueTimers: { items: DueTimer[]; nextCursor: string | null } }> = await fixture.ask(DUE_TIMERS, { before, after, first: 2 }, 'service');
    if (!result.data?.dueTimers) throw new Error(JSON.stringify(result.errors));
    items.push(...result.data.dueTimers.items);
    after = result.data.dueTimers.nextCursor;
  } while (after);
  return items;
}

const columns = async (id: string) =>
  ((await fixture.query(
    'SELECT accept_by AS "acceptBy", dispatched_at AS "dispatchedAt", deliver_by AS "deliverBy", accepted_at AS "acceptedAt", evaluate_by AS "evaluateBy", delivered_at AS "deliveredAt" FROM service_order WHERE id = $1',
    [id],
  )) as Record<string, Date | null>[])[0]!;

describe('the timers the orders tables define', () => {
  it('lists each running deadline with the start of its stage, the levels already escalated, and nothing for orders without one', async () => {
    const dispatched = await fixture.orderIn('DISPATCHED');
    const escalated = await fixture.orderIn('DISPATCHED');
    const accepted = await fixture.orderIn('ACCEPTED');
    const delivered = await fixture.orderIn('DELIVERED');
    const submitted = await fixture.orderIn('SUBMITTED');
    const closed = await fixture.orderIn('CLOSED');
    await fixture.must('escalateOrder', { orderId: escalated, stage: 'ACCEPT', level: 'INSTITUTE' }, 'service');

    const timers = await allTimers();
    const of = (orderId: string) => timers.filter((timer) => timer.orderId === orderId);
    const [d, e, a, v] = await Promise.all([dispatched, escalated, accepted, delivered].map(columns));
    expect(of(dispatched)).toEqual([
      { kind: 'STAGE_DEADLINE', orderId: dispatched, carePlanId: null, stationId: '5', stage: 'ACCEPT', dueAt: d!.acceptBy!.toISOString(), since: d!.dispatchedAt!.toISOString(), unitPath: '1/2/5', escalated: [] },
    ]);
    expect(of(escalated)).toMatchObject([{ kind: 'STAGE_DEADLINE', stage: 'ACCEPT', dueAt: e!.acceptBy!.toISOString(), escalated: ['INSTITUTE'] }]);
    expect(of(accepted)).toMatchObject([{ kind: 'STAGE_DEADLINE', stage: 'DELIVER', dueAt: a!.deliverBy!.toISOString(), since: a!.acceptedAt!.toISOString() }]);
    expect(of(delivered)).toMatchObject([{ kind: 'EVALUATION', stage: null, dueAt: v!.evaluateBy!.toISOString(), since: v!.deliveredAt!.toISOString() }]);
    expect(of(submitted)).toEqual([]);
    expect(of(closed)).toEqual([]);
    // Each move's event carries the very time its row holds: the dispatch worker's timers (set from the event) and the
    // ones it rebuilds from this list agree on their stage's start to the millisecond, so neither looks older.
    const occurred = async (orderId: string, type: string) =>
      ((await fixture.query(`SELECT occurred_at FROM outbox WHERE type = $2 AND payload->>'orderId' = $1 ORDER BY seq DESC LIMIT 1`, [orderId, type])) as { occurred_at: Date }[])[0]!
        .occurred_at.toISOString();
    expect(await occurred(dispatched, 'order.dispatched')).toBe(d!.dispatchedAt!.toISOString());
    expect(await occurred(accepted, 'order.accepted')).toBe(a!.acceptedAt!.toISOString());
    expect(await occurred(delivered, 'order.delivered')).toBe(v!.deliveredAt!.toISOString());
    // Ordered by due time, whatever the page size.
    const dues = timers.map((timer) => Date.parse(timer.dueAt));
    expect(dues).toEqual([...dues].sort((x, y) => x - y));

    // `before` leaves out what comes due later.
    const cut = new Date(Math.min(d!.acceptBy!.getTime(), v!.evaluateBy!.getTime()) + 1).toISOString();
    const early = await allTimers(cut);
    expect(early.every((timer) => Date.parse(timer.dueAt) < Date.parse(cut))).toBe(true);
    expect(early.length).toBeLessThan(timers.length);
  });

  it('answers only the SERVICE role', async () => {
    for (const caller of ['centerAdmin', 'dispatcher', 'resident'] as const) {
      const result = await fixture.ask(DUE_TIMERS, { before: null, after: null, first: 10 }, caller);
      expect(errorCodes(result)).toEqual(['FORBIDDEN']);
    }
  });

  it('refuses a cursor it did not write', async () => {
    const result = await fixture.ask(DUE_TIMERS, { before: null, after: 'not-a-cursor', first: 10 }, 'service');
    expect(errorCodes(result)).toEqual(['BAD_USER_INPUT']);
  });
});

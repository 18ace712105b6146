import {
  checkAcknowledged,
  checkExactlyOnce,
  checkLedger,
  checkNotifications,
  checkOutboxDrained,
  checkQueues,
  checkStock,
  checkThat,
} from './invariants';
import { failuresByCode } from './probes';
import { summaryTable } from './report';
import type { DrillResult } from './drills';

/** The drills' judgements: each passes what is whole and catches a simulated loss, doubling or stuck job. */
describe('drill invariants', () => {
  it('finds every acknowledged write stored, and names the one that is not', () => {
    expect(checkAcknowledged('orders', ['1', '2', '3'], ['1', '2', '3', '4'])).toMatchObject({ expected: 3, found: 3, lost: 0, ok: true });
    const lost = checkAcknowledged('orders', ['1', '2', '3'], ['1', '3']);
    expect(lost).toMatchObject({ expected: 3, found: 2, lost: 1, ok: false });
    expect(lost.detail).toBe('missing: 2');
  });

  it('tells an effect that happened once from one that never happened or happened twice', () => {
    const ids = ['10', '11', '12'];
    expect(checkExactlyOnce('orders routed', ids, new Map(ids.map((id) => [id, 1])))).toMatchObject({ lost: 0, duplicated: 0, ok: true });
    const broken = checkExactlyOnce('orders routed', ids, new Map([['10', 1], ['12', 2]]));
    expect(broken).toMatchObject({ expected: 3, found: 2, lost: 1, duplicated: 1, ok: false });
    expect(broken.detail).toBe('missing: 11; more than once: 12');
  });

  describe('notifications', () => {
    const expected = { 'order.submitted': ['2'], 'order.dispatched': ['5', '8'] };
    const events = [
      { id: 'e1', type: 'order.submitted' },
      { id: 'e2', type: 'order.dispatched' },
    ];
    const all = new Set(['e1', 'e2']);

    it('pass when each event reached exactly its expected people', () => {
      const check = checkNotifications(events, expected, all, new Map([['e1', ['2']], ['e2', ['8', '5']]]));
      expect(check).toMatchObject({ expected: 3, found: 3, lost: 0, duplicated: 0, ok: true });
    });

    it('count a recipient left out, and an event never processed, as lost', () => {
      const missingPerson = checkNotifications(events, expected, all, new Map([['e1', ['2']], ['e2', ['5']]]));
      expect(missingPerson).toMatchObject({ found: 2, lost: 1, ok: false });
      expect(missingPerson.detail).toContain('order.dispatched e2 → 8');
      const unprocessed = checkNotifications(events, expected, new Set(['e2']), new Map([['e2', ['5', '8']]]));
      expect(unprocessed).toMatchObject({ lost: 1, ok: false });
    });

    it('count a person notified twice, or somebody unexpected, as a violation', () => {
      expect(checkNotifications(events, expected, all, new Map([['e1', ['2', '2']], ['e2', ['5', '8']]]))).toMatchObject({ duplicated: 1, ok: false });
      const extra = checkNotifications(events, expected, all, new Map([['e1', ['2', '9']], ['e2', ['5', '8']]]));
      expect(extra).toMatchObject({ lost: 0, duplicated: 1, ok: false });
      expect(extra.detail).toContain('unexpected recipients: order.submitted e1 → 9');
    });

    it('refuse to judge an event type nobody said whom to expect for', () => {
      expect(() => checkNotifications([{ id: 'e3', type: 'order.accepted' }], expected, all, new Map())).toThrow(/no expected recipients/);
    });
  });

  it('reports events left in an outbox', () => {
    expect(checkOutboxDrained({ orders: 0, points: 0 })).toMatchObject({ lost: 0, ok: true });
    expect(checkOutboxDrained({ orders: 3, points: 0 })).toMatchObject({ expected: 2, found: 1, lost: 3, ok: false });
  });

  it('reports jobs waiting, active or newly failed, not the failures from before the drill', () => {
    const calm = { dispatch: { waiting: 0, active: 0, failed: 2 }, notifications: { waiting: 0, active: 0, failed: 0 } };
    expect(checkQueues(calm, { dispatch: 2 })).toMatchObject({ lost: 0, ok: true });
    const stuck = checkQueues({ ...calm, notifications: { waiting: 1, active: 1, failed: 1 } }, { dispatch: 2 });
    expect(stuck).toMatchObject({ expected: 2, found: 1, lost: 3, ok: false });
  });

  it('passes a clean ledger and fails one with violations', () => {
    expect(checkLedger([], 40)).toMatchObject({ ok: true, detail: '40 transactions' });
    expect(checkLedger([{ check: 'balanced', detail: 'transaction 7: sums to 3' }], 40)).toMatchObject({ lost: 1, ok: false });
  });

  it('balances stock against what redemptions hold, both ways', () => {
    expect(checkStock(100, 90, 10)).toMatchObject({ ok: true });
    expect(checkStock(100, 88, 10)).toMatchObject({ lost: 2, ok: false });
    expect(checkStock(100, 91, 10)).toMatchObject({ duplicated: 1, ok: false });
  });

  it('turns a yes/no condition into a check', () => {
    expect(checkThat('recovered', true, 'x')).toMatchObject({ ok: true, lost: 0 });
    expect(checkThat('recovered', false, 'x')).toMatchObject({ ok: false, lost: 1 });
  });

  it('counts failures by code and prints a drill that lost something as FAILED', () => {
    const outcomes = [
      { ok: true, id: '1', ms: 5, at: 1 },
      { ok: false, code: 'INTERNAL_SERVER_ERROR', ms: 5, at: 2 },
      { ok: false, code: 'INTERNAL_SERVER_ERROR', ms: 5, at: 3 },
      { ok: false, code: 'TIMEOUT', ms: 5, at: 4 },
    ];
    expect(failuresByCode(outcomes)).toEqual({ INTERNAL_SERVER_ERROR: 2, TIMEOUT: 1 });
    const result: DrillResult = {
      name: 'Redis down 10 s',
      fault: 'f',
      sent: 4,
      acknowledged: 1,
      failed: failuresByCode(outcomes),
      recoverySeconds: 2.5,
      recovery: 'r',
      notes: [],
      checks: [checkAcknowledged('orders', ['1'], [])],
      lost: 1,
      ok: false,
    };
    expect(summaryTable([result]).split('\n')[2]).toBe('| Redis down 10 s | 4 | 1 | 2 INTERNAL_SERVER_ERROR, 1 TIMEOUT | 1 | 2.5 | FAILED |');
  });
});

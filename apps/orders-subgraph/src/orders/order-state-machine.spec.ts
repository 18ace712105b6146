import { InvalidTransition } from '@kz/errors';
import { catalog } from '@kz/events';
import { ORDER_STATUSES, OrderStatus } from './order-statuses';
import { findTransition, ORDER_MOVES, ORDER_TRANSITIONS, OrderMove, transitionFor, transitionTableMarkdown } from './order-state-machine';

/** The six orders as the issue states them, written out once more by hand: the table must say exactly this. */
const EXPECTED: Record<OrderMove, Partial<Record<OrderStatus, OrderStatus>>> = {
  dispatch: { SUBMITTED: 'DISPATCHED' },
  accept: { DISPATCHED: 'ACCEPTED' },
  return: { DISPATCHED: 'SUBMITTED' },
  assign: { ACCEPTED: 'ACCEPTED', IN_PROGRESS: 'IN_PROGRESS' },
  start: { ACCEPTED: 'IN_PROGRESS' },
  deliver: { IN_PROGRESS: 'DELIVERED' },
  evaluate: { DELIVERED: 'EVALUATED' },
  reopen: { EVALUATED: 'ACCEPTED' },
  cancel: { SUBMITTED: 'CANCELLED', DISPATCHED: 'CANCELLED' },
  followUp: { SUBMITTED: 'SUBMITTED', DISPATCHED: 'DISPATCHED', ACCEPTED: 'ACCEPTED', IN_PROGRESS: 'IN_PROGRESS', DELIVERED: 'DELIVERED', EVALUATED: 'EVALUATED' },
  updateLedger: { ACCEPTED: 'ACCEPTED', IN_PROGRESS: 'IN_PROGRESS', DELIVERED: 'DELIVERED', EVALUATED: 'EVALUATED' },
  escalate: { DISPATCHED: 'DISPATCHED', ACCEPTED: 'ACCEPTED', IN_PROGRESS: 'IN_PROGRESS' },
  close: { DELIVERED: 'CLOSED', EVALUATED: 'CLOSED' },
};

describe('the six-order state machine', () => {
  const pairs = ORDER_STATUSES.flatMap((status) => ORDER_MOVES.map((move) => [status, move] as const));

  it.each(pairs)('from %s, %s goes where the issue says or fails naming both states', (status, move) => {
    const expected = EXPECTED[move][status];
    if (expected) {
      expect(transitionFor(status, move).to).toBe(expected);
      return;
    }
    expect(findTransition(status, move)).toBeNull();
    let error: unknown;
    try {
      transitionFor(status, move);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InvalidTransition);
    const failure = error as InvalidTransition;
    expect(failure.code).toBe('INVALID_TRANSITION');
    expect(failure.extensions).toMatchObject({ entity: 'service order', from: status, event: move });
    expect(failure.message).toContain(status);
    expect(failure.localizedMessage('zh-CN')).toMatch(/服务订单处于“.+”状态，不能执行“.+”/);
  });

  it('has one row per state and move, each with a known event', () => {
    const keys = ORDER_TRANSITIONS.map((t) => `${t.from}|${t.move}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const t of ORDER_TRANSITIONS) if (t.event) expect(catalog[t.event]).toBeDefined();
    expect(ORDER_TRANSITIONS).toHaveLength(Object.values(EXPECTED).reduce((n, row) => n + Object.keys(row).length, 0));
  });

  it('names who may make each move: the station side, the center, the requester, the worker', () => {
    const by = (move: OrderMove) => [...new Set(ORDER_TRANSITIONS.filter((t) => t.move === move).flatMap((t) => t.by))].sort();
    expect(by('dispatch')).toEqual(['CENTER_ADMIN', 'DISPATCHER', 'SERVICE']);
    expect(by('accept')).toEqual(['CENTER_ADMIN', 'INSTITUTE_ADMIN', 'STATION_ADMIN']);
    expect(by('return')).toEqual(['CENTER_ADMIN', 'INSTITUTE_ADMIN', 'STATION_ADMIN']);
    expect(by('deliver')).toEqual(['ASSIGNEE', 'CENTER_ADMIN', 'INSTITUTE_ADMIN', 'STATION_ADMIN']);
    expect(by('evaluate')).toEqual(['REQUESTER']);
    expect(by('cancel')).toEqual(['REQUESTER']);
    expect(by('followUp')).toEqual(['REQUESTER']);
    expect(by('escalate')).toEqual(['SERVICE']);
    expect(by('close')).toEqual(['CENTER_ADMIN', 'SERVICE']);
    expect(by('reopen')).toEqual(['SYSTEM']);
  });

  it('reaches every state from SUBMITTED, and nothing leaves CLOSED or CANCELLED', () => {
    const reached = new Set<OrderStatus>(['SUBMITTED']);
    for (let grew = true; grew; ) {
      grew = false;
      for (const t of ORDER_TRANSITIONS) {
        if (reached.has(t.from) && !reached.has(t.to)) {
          reached.add(t.to);
          grew = true;
        }
      }
    }
    expect([...reached].sort()).toEqual([...ORDER_STATUSES].sort());
    expect(ORDER_TRANSITIONS.filter((t) => t.from === 'CLOSED' || t.from === 'CANCELLED')).toEqual([]);
  });

  it('prints itself as a Markdown table for the docs', () => {
    const table = transitionTableMarkdown();
    expect(table.split('\n')).toHaveLength(ORDER_TRANSITIONS.length + 2);
    expect(table).toContain('| DISPATCHED | return | SUBMITTED | STATION_ADMIN, INSTITUTE_ADMIN, CENTER_ADMIN | order.returned | a reason |');
  });
});

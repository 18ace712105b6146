/**
 * The judgements of the fault drills, as pure functions of what was observed: what a client was told (acknowledged
 * ids) against what the databases and queues hold afterwards. Every check answers how many items were expected, how
 * many were found, how many are lost and how many were applied more than once; `ok` only when nothing is lost,
 * doubled or stuck. Kept apart from the collecting (SQL, Redis) so that a simulated loss can be shown to be caught.
 */
export interface Check {
  check: string;
  expected: number;
  found: number;
  lost: number;
  duplicated: number;
  ok: boolean;
  /** What is wrong (the first few ids), or a note on what was checked. */
  detail: string;
}

const sample = (ids: string[]): string => (ids.length > 5 ? `${ids.slice(0, 5).join(', ')} … (${ids.length})` : ids.join(', '));

function result(check: string, expected: number, found: number, lost: string[], duplicated: string[], note = ''): Check {
  const problems = [lost.length > 0 ? `missing: ${sample(lost)}` : '', duplicated.length > 0 ? `more than once: ${sample(duplicated)}` : '']
    .filter(Boolean)
    .join('; ');
  return { check, expected, found, lost: lost.length, duplicated: duplicated.length, ok: lost.length === 0 && duplicated.length === 0, detail: problems || note };
}

/** Every acknowledged write (a mutation that answered with an id) is stored. */
export function checkAcknowledged(what: string, acknowledged: string[], stored: Iterable<string>): Check {
  const present = new Set(stored);
  const lost = acknowledged.filter((id) => !present.has(id));
  return result(`acknowledged ${what} stored`, acknowledged.length, acknowledged.length - lost.length, lost, []);
}

/**
 * An effect (a dispatch, a notification…) happened exactly once for each id: `counts` maps an id to how many times
 * it happened (absent: never).
 */
export function checkExactlyOnce(what: string, ids: string[], counts: ReadonlyMap<string, number>): Check {
  const lost = ids.filter((id) => (counts.get(id) ?? 0) === 0);
  const doubled = ids.filter((id) => (counts.get(id) ?? 0) > 1);
  return result(`${what} exactly once`, ids.length, ids.length - lost.length, lost, doubled);
}

export interface EventSeen {
  id: string;
  type: string;
}

/**
 * Every event reached its notification recipients exactly once: the set each event's notifications went to equals
 * the set expected for its type (learned from the same kind of event in calm conditions), with nobody twice and
 * nobody extra. An event the notification service has not processed counts as lost.
 */
export function checkNotifications(
  events: EventSeen[],
  expected: Readonly<Record<string, string[]>>,
  processed: ReadonlySet<string>,
  recipients: ReadonlyMap<string, string[]>,
): Check {
  const lost: string[] = [];
  const doubled: string[] = [];
  const extra: string[] = [];
  let expectedCount = 0;
  let found = 0;
  for (const event of events) {
    const want = expected[event.type];
    if (!want) throw new Error(`no expected recipients for ${event.type}`);
    expectedCount += want.length;
    const got = recipients.get(event.id) ?? [];
    if (!processed.has(event.id)) {
      lost.push(`${event.type} ${event.id}`);
      continue;
    }
    const gotSet = new Set(got);
    if (gotSet.size !== got.length) doubled.push(`${event.type} ${event.id}`);
    for (const person of want) {
      if (gotSet.has(person)) found += 1;
      else lost.push(`${event.type} ${event.id} → ${person}`);
    }
    for (const person of gotSet) if (!want.includes(person)) extra.push(`${event.type} ${event.id} → ${person}`);
  }
  const check = result('notifications exactly once, to the expected people', expectedCount, found, lost, [...doubled, ...extra], `${events.length} events`);
  return extra.length > 0 ? { ...check, detail: `${check.detail} (unexpected recipients: ${sample(extra)})` } : check;
}

/** No event left in any outbox once the drill is over (unpublished events would never reach their consumers). */
export function checkOutboxDrained(unpublished: Readonly<Record<string, number>>): Check {
  const stuck = Object.entries(unpublished).flatMap(([database, n]) => Array.from({ length: n }, (_, i) => `${database}#${i + 1}`));
  const total = Object.keys(unpublished).length;
  const note = `outboxes of ${Object.keys(unpublished).join(', ')}`;
  return result('outbox drained (unpublished events = 0)', total, total - Object.values(unpublished).filter((n) => n > 0).length, stuck, [], note);
}

export interface QueueCounts {
  waiting: number;
  active: number;
  failed: number;
}

/**
 * No job stuck or given up: nothing waiting or active once the work is done, and no job failed during the drill
 * (`failedBefore`: each queue's failed count at its start). Delayed jobs (timers) are expected and not counted.
 */
export function checkQueues(now: Readonly<Record<string, QueueCounts>>, failedBefore: Readonly<Record<string, number>>): Check {
  const stuck: string[] = [];
  for (const [queue, counts] of Object.entries(now)) {
    for (let i = 0; i < counts.waiting + counts.active; i += 1) stuck.push(`${queue} job ${i + 1} waiting/active`);
    for (let i = 0; i < counts.failed - (failedBefore[queue] ?? 0); i += 1) stuck.push(`${queue} job ${i + 1} failed`);
  }
  const queues = Object.keys(now);
  return result('no job stuck or failed', queues.length, queues.length - new Set(stuck.map((s) => s.split(' ')[0])).size, stuck, [], `queues ${queues.join(', ')}`);
}

/** The love bank's ledger is clean (`ledger:verify`). */
export function checkLedger(violations: { check: string; detail: string }[], transactions: number): Check {
  return result(
    'ledger:verify clean',
    transactions,
    transactions,
    violations.map((v) => `[${v.check}] ${v.detail}`),
    [],
    `${transactions} transactions`,
  );
}

/** A reward's stock went down by exactly what its live redemptions hold. */
export function checkStock(initial: number, now: number, held: number): Check {
  const missing = initial - held - now; // > 0: stock gone without a redemption; < 0: a redemption without stock
  const ids = Array.from({ length: Math.abs(missing) }, (_, i) => `item ${i + 1}`);
  return result('reward stock = initial − redeemed', initial - held, now, missing > 0 ? ids : [], missing < 0 ? ids : [], `${held} redeemed`);
}

/** A plain yes/no condition (a process recovered, a query answered as expected). */
export function checkThat(check: string, ok: boolean, detail: string): Check {
  return { check, expected: 1, found: ok ? 1 : 0, lost: ok ? 0 : 1, duplicated: 0, ok, detail };
}

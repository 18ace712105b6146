import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { Claims } from '@kz/auth';
import { EventEnvelope, EventHandler, PermanentFailure } from '@kz/events';
import { RunningSubgraph } from '@kz/subgraph';
import { aCaller, errorCodes, startSubgraphAlone, SubgraphAlone, eventually } from '@kz/testing';
import { ensurePersonAccount } from '../accounts/account-opening';
import { startPointsSubgraph } from '../app';
import { postTransaction, systemAccountId } from '../ledger/ledger';
import { pointsFor, shanghaiDay } from './earning-rule';
import { earningHandlers } from './earning.handlers';

const CENTER_ADMIN: Claims = aCaller.staff('CENTER_ADMIN', { id: '1', path: '1' }, '9001');
const STATION_ADMIN: Claims = aCaller.staff('STATION_ADMIN', { id: '3', path: '1/2/3' }, '9002');
const STATION_PATH = '1/2/3';
const HOUR = 3_600_000;

let alone: SubgraphAlone<RunningSubgraph>;
let db: DataSource;
let handlers: ReturnType<typeof earningHandlers>;

beforeAll(async () => {
  alone = await startSubgraphAlone('POINTS_DATABASE', (config) => startPointsSubgraph(config, { port: 0 }), CENTER_ADMIN);
  db = alone.running.dataSource;
  handlers = earningHandlers(db);
});
afterAll(() => alone?.stop());

// ---- builders -------------------------------------------------------------------------------------------------

let serial = 0;
const nextId = () => String(7000 + ++serial);

/** A person and a service record of theirs, unique to the test that asks. */
function aRecord() {
  return { personId: nextId(), volunteerId: nextId(), serviceRecordId: `sr-${nextId()}` };
}

type Verified = EventEnvelope<'volunteer.hours.verified'>['payload'];
type Corrected = EventEnvelope<'volunteer.hours.corrected'>['payload'];

function envelope<T extends 'volunteer.hours.verified' | 'volunteer.hours.corrected'>(
  type: T,
  payload: EventEnvelope<T>['payload'],
  occurredAt: Date = new Date(),
): EventEnvelope<T> {
  return {
    id: randomUUID(),
    type,
    version: 1,
    occurredAt: occurredAt.toISOString(),
    actor: { personId: '9002', roles: ['STATION_ADMIN'] },
    unitPath: STATION_PATH,
    payload,
  } as EventEnvelope<T>;
}

const hoursVerified = (record: ReturnType<typeof aRecord>, minutes: number, options: { category?: string; at?: Date } = {}) =>
  envelope(
    'volunteer.hours.verified',
    { ...record, minutes, category: options.category ?? 'ENVIRONMENT', verifiedBy: '9002' } satisfies Verified,
    options.at,
  );

const hoursCorrected = (record: ReturnType<typeof aRecord>, oldMinutes: number, newMinutes: number, options: { category?: string; at?: Date } = {}) =>
  envelope(
    'volunteer.hours.corrected',
    { ...record, category: options.category ?? 'ENVIRONMENT', oldMinutes, newMinutes, reason: '签到表更正' } satisfies Corrected,
    options.at,
  );

/** Delivers an event to the earning handler, as the points-credit worker does. */
function deliver(event: EventEnvelope<'volunteer.hours.verified' | 'volunteer.hours.corrected'>): Promise<void> {
  return (handlers[event.type] as EventHandler)(event, {} as never);
}

const SET_RULE = `mutation($input: SetEarningRuleInput!) {
  setEarningRule(input: $input) { id category pointsPerHour multiplier dailyCap effectiveFrom createdBy }
}`;
type RuleView = { id: string; category: string | null; pointsPerHour: number; multiplier: number; dailyCap: number | null; effectiveFrom: string; createdBy: string };

async function setRule(input: Record<string, unknown>): Promise<RuleView> {
  const result = await alone.ask<{ setEarningRule: RuleView }>(SET_RULE, { input });
  if (result.errors) throw new Error(JSON.stringify(result.errors));
  return result.data!.setEarningRule;
}


/** Midnight in Kaizhou (UTC+8, no daylight saving), `days` days from today. */
function shanghaiMidnight(days: number): Date {
  const today = shanghaiDay(new Date());
  return new Date(Date.parse(`${today}T00:00:00+08:00`) + days * 24 * HOUR);
}

// ---- what was stored ------------------------------------------------------------------------------------------

interface EarningTx {
  kind: string;
  amount: number;
  metadata: Record<string, unknown>;
  source_event_id: string;
}

/** The earning transactions of a record, as seen from the person's account, oldest first. */
async function earningsOf(serviceRecordId: string): Promise<EarningTx[]> {
  return db.query(
    `SELECT t.kind, p.amount::int AS amount, t.metadata, t.source_event_id
       FROM ledger_transaction t JOIN posting p ON p.transaction_id = t.id JOIN points_account a ON a.id = p.account_id
      WHERE t.service_record_id = $1 AND a.kind = 'PERSON' ORDER BY t.id`,
    [serviceRecordId],
  );
}

async function accountOf(personId: string): Promise<{ id: string; balance: number; reserved: number; lifetime_earned: number } | undefined> {
  const [row] = await db.query(
    'SELECT id::text, balance::int, reserved::int, lifetime_earned::int FROM points_account WHERE person_id = $1',
    [personId],
  );
  return row;
}

async function creditedEvents(serviceRecordId: string): Promise<{ payload: Record<string, unknown>; unit_path: string }[]> {
  return db.query(`SELECT payload, unit_path FROM outbox WHERE type = 'points.credited' AND payload->>'serviceRecordId' = $1`, [serviceRecordId]);
}

async function defaultRuleId(): Promise<string> {
  const [row] = await db.query(`SELECT id::text FROM earning_rule WHERE category IS NULL ORDER BY id LIMIT 1`);
  return row.id;
}

// ---- the tests ------------------------------------------------------------------------------------------------

describe('points for verified hours', () => {
  it('credits 90 minutes at the default 10 points an hour as 15 points, with the rule and the event it came from', async () => {
    const record = aRecord();
    const event = hoursVerified(record, 90);

    await deliver(event);

    const account = await accountOf(record.personId);
    expect(account).toMatchObject({ balance: 15, reserved: 0, lifetime_earned: 15 });
    expect(await earningsOf(record.serviceRecordId)).toEqual([
      {
        kind: 'CREDIT',
        amount: 15,
        source_event_id: event.id,
        metadata: expect.objectContaining({ minutes: 90, category: 'ENVIRONMENT', ruleId: await defaultRuleId(), day: shanghaiDay(new Date(event.occurredAt)) }),
      },
    ]);
    const events = await creditedEvents(record.serviceRecordId);
    expect(events).toEqual([
      { payload: { accountId: account!.id, personId: record.personId, amount: 15, serviceRecordId: record.serviceRecordId }, unit_path: STATION_PATH },
    ]);
    // The issuance account is the other side: the ledger still sums to zero.
    const [sum] = await db.query('SELECT coalesce(sum(amount), 0)::int AS total FROM posting');
    expect(sum.total).toBe(0);
  });

  it('rounds down to whole points, computed exactly', () => {
    expect(pointsFor(90, { pointsPerHour: 10, multiplier: 1 })).toBe(15);
    expect(pointsFor(7, { pointsPerHour: 10, multiplier: 1 })).toBe(1); // 1.17
    expect(pointsFor(5, { pointsPerHour: 10, multiplier: 1 })).toBe(0); // 0.83
    expect(pointsFor(55, { pointsPerHour: 12, multiplier: 1.5 })).toBe(16); // 16.5
    expect(pointsFor(60, { pointsPerHour: 0.1, multiplier: 3 })).toBe(0); // 0.30000000000000004 in floating point
    expect(pointsFor(600, { pointsPerHour: 0.7, multiplier: 10 })).toBe(70); // 69.99999999999999 in floating point
  });

  it('credits a record once when the same event is delivered twice', async () => {
    const record = aRecord();
    const event = hoursVerified(record, 60);

    await deliver(event);
    await deliver(event);

    expect((await earningsOf(record.serviceRecordId)).map((tx) => [tx.kind, tx.amount])).toEqual([['CREDIT', 10]]);
    expect(await accountOf(record.personId)).toMatchObject({ balance: 10 });
    expect(await creditedEvents(record.serviceRecordId)).toHaveLength(1);
  });

  it('credits a record once when two consumers handle the same event at the same moment', async () => {
    const record = aRecord();
    const event = hoursVerified(record, 120);

    await Promise.all([deliver(event), deliver(event)]);

    expect((await earningsOf(record.serviceRecordId)).map((tx) => tx.amount)).toEqual([20]);
    expect(await accountOf(record.personId)).toMatchObject({ balance: 20 });
    expect(await creditedEvents(record.serviceRecordId)).toHaveLength(1);
  });

  it('credits a record once when different events for it arrive at once, and each event is marked handled', async () => {
    const record = aRecord();
    const events = Array.from({ length: 8 }, () => hoursVerified(record, 60));

    await Promise.all([...events, ...events].map(deliver));

    expect((await earningsOf(record.serviceRecordId)).map((tx) => tx.amount)).toEqual([10]);
    expect(await accountOf(record.personId)).toMatchObject({ balance: 10 });
    expect(await creditedEvents(record.serviceRecordId)).toHaveLength(1);
    const [handled] = await db.query(`SELECT count(*)::int AS n FROM processed_event WHERE consumer = 'points.earning' AND event_id = ANY($1::uuid[])`, [
      events.map((event) => event.id),
    ]);
    expect(handled.n).toBe(events.length);
  });

  it("falls back on the ledger's one-credit-per-record index when a credit of the record commits under its feet", async () => {
    // A credit of the record to another person, written by a transaction the account lock does not see.
    const record = aRecord();
    const elsewhere = await db.transaction((m) => ensurePersonAccount(m, nextId()));
    const issuance = await systemAccountId(db.manager, 'ISSUANCE');
    const runner = db.createQueryRunner();
    await runner.connect();
    await runner.startTransaction();
    try {
      await postTransaction(runner.manager, {
        kind: 'CREDIT',
        description: 'test credit',
        createdBy: 'test',
        serviceRecordId: record.serviceRecordId,
        postings: [
          { accountId: issuance, amount: -7 },
          { accountId: elsewhere.id, amount: 7 },
        ],
      });
      const event = hoursVerified(record, 60);
      const handling = deliver(event);
      await eventually(async () => {
        const [row] = await db.query(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE 'INSERT INTO ledger_transaction%'`,
        );
        return row.n > 0;
      });
      await runner.commitTransaction();
      await handling;
      const [handled] = await db.query('SELECT count(*)::int AS n FROM processed_event WHERE event_id = $1', [event.id]);
      expect(handled.n).toBe(1);
    } finally {
      if (runner.isTransactionActive) await runner.rollbackTransaction();
      await runner.release();
    }
    const [credits] = await db.query(`SELECT count(*)::int AS n FROM ledger_transaction WHERE service_record_id = $1`, [record.serviceRecordId]);
    expect(credits.n).toBe(1);
    expect(await creditedEvents(record.serviceRecordId)).toEqual([]);
    // The person of the event got an account (opened before the race was lost) but no points.
    expect(await accountOf(record.personId)).toMatchObject({ balance: 0 });
  });

  it('writes no transaction and opens no account for hours worth no points, but marks the event handled', async () => {
    const record = aRecord();
    const event = hoursVerified(record, 5);

    await deliver(event);

    expect(await earningsOf(record.serviceRecordId)).toEqual([]);
    expect(await accountOf(record.personId)).toBeUndefined();
    const [handled] = await db.query('SELECT count(*)::int AS n FROM processed_event WHERE event_id = $1', [event.id]);
    expect(handled.n).toBe(1);
  });

  it('refuses invalid payloads permanently and writes nothing', async () => {
    const record = aRecord();
    const bad = [
      hoursVerified({ ...record, personId: 'p-not-a-person' }, 60),
      hoursVerified(record, -5),
      hoursVerified(record, 1.5),
      envelope('volunteer.hours.verified', { serviceRecordId: record.serviceRecordId, minutes: 60 } as never),
      hoursCorrected(record, 60, -1),
      envelope('volunteer.hours.corrected', { ...record, category: 'ENVIRONMENT', oldMinutes: 60, newMinutes: 30, reason: '' }),
    ];
    for (const event of bad) await expect(deliver(event)).rejects.toBeInstanceOf(PermanentFailure);
    expect(await earningsOf(record.serviceRecordId)).toEqual([]);
    const [handled] = await db.query('SELECT count(*)::int AS n FROM processed_event WHERE event_id = ANY($1::uuid[])', [bad.map((event) => event.id)]);
    expect(handled.n).toBe(0);
  });
});

describe('earning rules', () => {
  it('credits by the category rule in force, with its multiplier, rounding down', async () => {
    const rule = await setRule({ category: 'ELDERLY_CARE', pointsPerHour: 12, multiplier: 1.5 });
    expect(rule).toMatchObject({ category: 'ELDERLY_CARE', pointsPerHour: 12, multiplier: 1.5, dailyCap: null, createdBy: CENTER_ADMIN.sub });
    const after = new Date(Date.parse(rule.effectiveFrom) + 1000);
    const record = aRecord();
    const other = aRecord();

    await deliver(hoursVerified(record, 55, { category: 'ELDERLY_CARE', at: after }));
    await deliver(hoursVerified(other, 55, { category: 'ENVIRONMENT', at: after }));

    expect(await earningsOf(record.serviceRecordId)).toEqual([expect.objectContaining({ amount: 16, metadata: expect.objectContaining({ ruleId: rule.id }) })]);
    expect((await earningsOf(other.serviceRecordId)).map((tx) => tx.amount)).toEqual([9]); // the default: 9.17
  });

  it('caps what a person earns under a capped rule per Kaizhou day, and credits only the remainder', async () => {
    const day = shanghaiMidnight(2);
    const rule = await setRule({ category: 'CAPPED_WORK', pointsPerHour: 10, dailyCap: 25, effectiveFrom: new Date(day.getTime() + HOUR).toISOString() });
    const person = aRecord().personId;
    const records = [aRecord(), aRecord(), aRecord(), aRecord(), aRecord()].map((record) => ({ ...record, personId: person }));
    const at = (hours: number) => ({ category: 'CAPPED_WORK', at: new Date(day.getTime() + hours * HOUR) });

    await deliver(hoursVerified(records[0]!, 120, at(2))); // 20
    await deliver(hoursVerified(records[1]!, 120, at(10))); // 20, capped to 5
    await deliver(hoursVerified(records[2]!, 60, at(23.5))); // the cap is used up
    await deliver(hoursVerified(records[3]!, 60, { category: 'ENVIRONMENT', at: new Date(day.getTime() + 11 * HOUR) })); // default: not capped
    await deliver(hoursVerified(records[4]!, 120, at(24.5))); // the next day in Kaizhou (16:30 UTC the same day)

    const amounts = await Promise.all(records.map(async (record) => (await earningsOf(record.serviceRecordId)).map((tx) => tx.amount)));
    expect(amounts).toEqual([[20], [5], [], [10], [20]]);
    const [capped] = await earningsOf(records[1]!.serviceRecordId);
    expect(capped!.metadata).toMatchObject({ ruleId: rule.id, points: 20, cappedBy: 15, day: shanghaiDay(day) });
    expect(await accountOf(person)).toMatchObject({ balance: 55 });
  });

  it('holds the daily cap when many records of one person are credited at once', async () => {
    const day = shanghaiMidnight(3);
    await setRule({ category: 'CAPPED_RUSH', pointsPerHour: 10, dailyCap: 25, effectiveFrom: day.toISOString() });
    const person = aRecord().personId;
    const events = Array.from({ length: 10 }, (_, i) =>
      hoursVerified({ ...aRecord(), personId: person }, 60, { category: 'CAPPED_RUSH', at: new Date(day.getTime() + (i + 1) * HOUR) }),
    );

    await Promise.all(events.map(deliver));

    expect(await accountOf(person)).toMatchObject({ balance: 25 });
    const [credits] = await db.query(
      `SELECT count(*)::int AS n FROM ledger_transaction WHERE kind = 'CREDIT' AND service_record_id = ANY($1::text[])`,
      [events.map((event) => event.payload.serviceRecordId)],
    );
    expect(credits.n).toBe(3); // 10 + 10 + 5
  });

  it('keeps credits under the rule of their time: a rule set after the service changes neither an earlier credit nor its correction', async () => {
    const served = new Date();
    const record = aRecord();
    const late = aRecord();
    await deliver(hoursVerified(record, 60, { category: 'REPAIR', at: served }));

    await setRule({ category: 'REPAIR', pointsPerHour: 100 });

    // The hours of another record verified before the change arrive only now (a retry): still the old rule.
    await deliver(hoursVerified(late, 60, { category: 'REPAIR', at: served }));
    // The earlier credit is corrected after the change: recomputed with the rule it was made under.
    await deliver(hoursCorrected(record, 60, 120, { category: 'REPAIR' }));

    expect((await earningsOf(record.serviceRecordId)).map((tx) => [tx.kind, tx.amount])).toEqual([
      ['CREDIT', 10],
      ['CREDIT_CORRECTION', 10],
    ]);
    expect((await earningsOf(late.serviceRecordId)).map((tx) => tx.amount)).toEqual([10]);
    // And a record verified from now on earns by the new rule.
    const next = aRecord();
    await deliver(hoursVerified(next, 60, { category: 'REPAIR', at: new Date(Date.now() + 1000) }));
    expect((await earningsOf(next.serviceRecordId)).map((tx) => tx.amount)).toEqual([100]);
  });

  it('adds a version for each change and never updates one; lists the rules in force now, the default first', async () => {
    const [before] = await db.query('SELECT count(*)::int AS n FROM earning_rule');
    const first = await setRule({ category: 'THEORY', pointsPerHour: 8 });
    const second = await setRule({ category: 'THEORY', pointsPerHour: 9, multiplier: 1.25, dailyCap: 40 });
    await setRule({ pointsPerHour: 50, effectiveFrom: new Date(Date.now() + 30 * 24 * HOUR).toISOString() }); // a default from next month

    const [after] = await db.query('SELECT count(*)::int AS n FROM earning_rule');
    expect(after.n).toBe(before.n + 3);
    const [kept] = await db.query('SELECT points_per_hour::float AS pph FROM earning_rule WHERE id = $1', [first.id]);
    expect(kept.pph).toBe(8);

    const listed = await alone.ask<{ earningRules: RuleView[] }>('{ earningRules { id category pointsPerHour multiplier dailyCap } }', {}, aCaller.resident('9003'));
    expect(listed.errors).toBeUndefined();
    const rules = listed.data!.earningRules;
    expect(rules[0]).toMatchObject({ category: null, pointsPerHour: 10, multiplier: 1, dailyCap: null });
    expect(rules.filter((rule) => rule.category === null)).toHaveLength(1);
    expect(rules.find((rule) => rule.category === 'THEORY')).toEqual({ id: second.id, category: 'THEORY', pointsPerHour: 9, multiplier: 1.25, dailyCap: 40 });
    const categories = rules.slice(1).map((rule) => rule.category!);
    expect(categories).toEqual([...categories].sort());
    expect(categories).not.toContain('CAPPED_WORK'); // effective only from a later day
  });

  it('lets only the center set rules, and refuses bad input naming the field', async () => {
    const [before] = await db.query('SELECT count(*)::int AS n FROM earning_rule');
    const ask = (input: Record<string, unknown>, claims: Claims | null = CENTER_ADMIN) => alone.ask(SET_RULE, { input }, claims);

    expect(errorCodes(await ask({ pointsPerHour: 20 }, STATION_ADMIN))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await ask({ pointsPerHour: 20 }, aCaller.resident('9004')))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await ask({ pointsPerHour: 20 }, null))).toEqual(['UNAUTHENTICATED']);
    const cases: [Record<string, unknown>, string][] = [
      [{ pointsPerHour: 20, effectiveFrom: new Date(Date.now() - HOUR).toISOString() }, 'input.effectiveFrom'],
      [{ pointsPerHour: 0 }, 'input.pointsPerHour'],
      [{ pointsPerHour: 1000.5 }, 'input.pointsPerHour'],
      [{ pointsPerHour: 10.125 }, 'input.pointsPerHour'],
      [{ pointsPerHour: 10, multiplier: 11 }, 'input.multiplier'],
      [{ pointsPerHour: 10, dailyCap: 0 }, 'input.dailyCap'],
      [{ pointsPerHour: 10, category: 'environment' }, 'input.category'],
      [{ pointsPerHour: 10, category: 'X' }, 'input.category'],
    ];
    for (const [input, field] of cases) {
      const result = await ask(input);
      expect([input, result.errors?.[0]?.extensions]).toEqual([input, expect.objectContaining({ code: 'BAD_USER_INPUT', field })]);
    }
    const past = await alone.ask(SET_RULE, { input: { pointsPerHour: 20, effectiveFrom: new Date(Date.now() - HOUR).toISOString() } });
    expect(past.errors?.[0]?.message).toContain('must not be in the past');
    const [after] = await db.query('SELECT count(*)::int AS n FROM earning_rule');
    expect(after.n).toBe(before.n);
  });
});

describe('corrected hours', () => {
  it('credits the difference when hours go up and debits it when they go down, each correction once', async () => {
    const record = aRecord();
    await deliver(hoursVerified(record, 60));
    const up = hoursCorrected(record, 60, 150);
    const down = hoursCorrected(record, 150, 90);

    await Promise.all([deliver(up), deliver(up)]);
    await deliver(down);
    await deliver(down);

    expect((await earningsOf(record.serviceRecordId)).map((tx) => [tx.kind, tx.amount, tx.source_event_id])).toEqual([
      ['CREDIT', 10, expect.any(String)],
      ['CREDIT_CORRECTION', 15, up.id],
      ['CREDIT_CORRECTION', -10, down.id],
    ]);
    expect(await accountOf(record.personId)).toMatchObject({ balance: 15 });
    const [, , debit] = await earningsOf(record.serviceRecordId);
    expect(debit!.metadata).toMatchObject({ minutes: 90, oldMinutes: 150, points: -10, reason: '签到表更正' });
    expect(debit!.metadata.shortfall).toBeUndefined();
    // Corrections are not new credits: one points.credited, for the credit.
    expect(await creditedEvents(record.serviceRecordId)).toHaveLength(1);
  });

  it('debits only what is available and records the shortfall when the points were spent', async () => {
    const record = aRecord();
    await deliver(hoursVerified(record, 120)); // 20
    const account = (await accountOf(record.personId))!;
    const sink = await systemAccountId(db.manager, 'REDEMPTION');
    await db.transaction((m) =>
      postTransaction(m, {
        kind: 'REDEMPTION',
        description: '兑换 大米 ×1',
        createdBy: 'test',
        postings: [
          { accountId: account.id, amount: -15 },
          { accountId: sink, amount: 15 },
        ],
      }),
    );

    await deliver(hoursCorrected(record, 120, 0));

    const [, debit] = await earningsOf(record.serviceRecordId);
    expect(debit).toMatchObject({ kind: 'CREDIT_CORRECTION', amount: -5, metadata: expect.objectContaining({ points: -20, shortfall: 15 }) });
    expect(await accountOf(record.personId)).toMatchObject({ balance: 0, reserved: 0 });

    // Nothing left: the next debit cannot move anything, and nothing is written.
    const other = { ...aRecord(), personId: record.personId };
    await deliver(hoursVerified(other, 60));
    await db.transaction((m) =>
      postTransaction(m, { kind: 'REDEMPTION', description: '兑换 洗洁精 ×1', createdBy: 'test', postings: [{ accountId: account.id, amount: -10 }, { accountId: sink, amount: 10 }] }),
    );
    await deliver(hoursCorrected(other, 60, 30));
    expect((await earningsOf(other.serviceRecordId)).map((tx) => tx.kind)).toEqual(['CREDIT']);
    expect(await accountOf(record.personId)).toMatchObject({ balance: 0 });
  });

  it('never takes back more than the record earned', async () => {
    const day = shanghaiMidnight(4);
    await setRule({ category: 'CAPPED_FIX', pointsPerHour: 10, dailyCap: 15, effectiveFrom: day.toISOString() });
    const record = aRecord();
    const at = { category: 'CAPPED_FIX', at: new Date(day.getTime() + 2 * HOUR) };
    await deliver(hoursVerified(record, 180, at)); // 30, capped to 15
    await deliver(hoursVerified({ ...aRecord(), personId: record.personId }, 600)); // other points: 100

    await deliver(hoursCorrected(record, 180, 0, at));

    expect((await earningsOf(record.serviceRecordId)).map((tx) => tx.amount)).toEqual([15, -15]);
    const [, debit] = await earningsOf(record.serviceRecordId);
    expect(debit!.metadata).toMatchObject({ points: -30, notEarned: 15 });
    expect(debit!.metadata.shortfall).toBeUndefined();
    expect(await accountOf(record.personId)).toMatchObject({ balance: 100 });
  });

  it('credits a correction of a record never credited as a credit of the new minutes, and then ignores its late verification', async () => {
    const record = aRecord();

    await deliver(hoursCorrected(record, 120, 90));
    await deliver(hoursVerified(record, 120, { at: new Date(Date.now() - HOUR) }));

    expect((await earningsOf(record.serviceRecordId)).map((tx) => [tx.kind, tx.amount])).toEqual([['CREDIT_CORRECTION', 15]]);
    expect(await accountOf(record.personId)).toMatchObject({ balance: 15 });
    // A further correction builds on it, with the rule it used.
    await deliver(hoursCorrected(record, 90, 120));
    expect(await accountOf(record.personId)).toMatchObject({ balance: 20 });
  });
});

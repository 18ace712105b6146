import type { DataSource, EntityManager } from 'typeorm';
import type { SeedOrder, SeedPointsAccount } from '@kz/seed-data';

/** Who a seeded mobile is in the volunteers database: the person, and their volunteer profile if any. */
export interface PersonByMobile {
  personId: string;
  volunteerId: string | null;
}

export interface UnitRow {
  id: string;
  code: string;
  path: string;
}

export interface OrdersSeedCounts {
  /** Orders of the data set now in the database (inserted by this run or an earlier one). */
  orders: number;
  inserted: number;
  timeline: number;
  assignees: number;
}

export interface PointsSeedCounts {
  accounts: number;
  accountsOpened: number;
  credits: number;
  points: number;
}

const CHUNK = 2_000;

function chunks<T>(items: readonly T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Loads the order history in bulk (unnest), in one transaction: orders are inserted by their natural key, the code,
 * and only the ones this run inserted get their assignees and timeline, so a re-run changes nothing. The daily code
 * counters are raised past the seeded numbers, so an order placed later on a seeded day gets the next free code.
 */
export async function seedOrders(
  orders: DataSource,
  dataset: readonly SeedOrder[],
  units: ReadonlyMap<string, UnitRow>,
  people: ReadonlyMap<string, PersonByMobile>,
): Promise<OrdersSeedCounts> {
  if (dataset.length === 0) return { orders: 0, inserted: 0, timeline: 0, assignees: 0 };
  const person = (mobile: string): string => {
    const found = people.get(mobile);
    if (!found) throw new Error(`seed order: no person with mobile ${mobile} (volunteers not seeded?)`);
    return found.personId;
  };
  const volunteer = (mobile: string): string => {
    const found = people.get(mobile)?.volunteerId;
    if (!found) throw new Error(`seed order: no volunteer with mobile ${mobile}`);
    return found;
  };
  return orders.transaction(async (manager) => {
    let inserted = 0;
    let timeline = 0;
    let assignees = 0;
    for (const batch of chunks(dataset)) {
      const station = batch.map((order) => {
        const unit = units.get(order.stationCode);
        if (!unit) throw new Error(`seed order ${order.code}: unknown station ${order.stationCode}`);
        return unit;
      });
      // Before dispatch an order has no station; it belongs to the requester's home station (their volunteers' station).
      const dispatched = batch.map((order) => order.dispatchedAt !== null);
      const column = <T>(pick: (order: SeedOrder, index: number) => T): T[] => batch.map(pick);
      const rows: { id: string; code: string }[] = await manager.query(
        `INSERT INTO service_order (code, title, status, station_id, station_path, created_at, source, channel, category, description,
                                    requester_person_id, requester_home_path, special_group, urgency, accept_by, deliver_by, evaluate_by,
                                    dispatched_at, accepted_at, started_at, delivered_at, evaluated_at, closed_at, cancelled_at,
                                    outcome, delivery_note, rating, resolved, comment, updated_at)
         SELECT code, title, status, station_id, station_path, created_at, 'RESIDENT', channel, category, description,
                requester, home_path, special_group, urgency, accept_by, deliver_by, evaluate_by,
                dispatched_at, accepted_at, started_at, delivered_at, evaluated_at, closed_at, cancelled_at,
                outcome, delivery_note, rating, resolved, comment,
                greatest(created_at, dispatched_at, accepted_at, started_at, delivered_at, evaluated_at, closed_at, cancelled_at)
           FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[], $6::timestamptz[], $7::text[], $8::text[], $9::text[],
                       $10::text[], $11::text[], $12::text[], $13::text[], $14::timestamptz[], $15::timestamptz[], $16::timestamptz[],
                       $17::timestamptz[], $18::timestamptz[], $19::timestamptz[], $20::timestamptz[], $21::timestamptz[], $22::timestamptz[],
                       $23::timestamptz[], $24::text[], $25::text[], $26::int[], $27::text[], $28::text[])
                AS o(code, title, status, station_id, station_path, created_at, channel, category, description, requester, home_path,
                     special_group, urgency, accept_by, deliver_by, evaluate_by, dispatched_at, accepted_at, started_at, delivered_at,
                     evaluated_at, closed_at, cancelled_at, outcome, delivery_note, rating, resolved, comment)
         ON CONFLICT (code) DO NOTHING
         RETURNING id::text, code`,
        [
          column((o) => o.code),
          column((o) => o.title),
          column((o) => o.status),
          column((_, i) => (dispatched[i] ? station[i]!.id : null)),
          column((_, i) => (dispatched[i] ? station[i]!.path : null)),
          column((o) => o.createdAt),
          column((o) => o.channel),
          column((o) => o.category),
          column((o) => o.description),
          column((o) => person(o.requesterMobile)),
          column((_, i) => station[i]!.path),
          column((o) => o.specialGroup),
          column((o) => o.urgency),
          column((o) => o.acceptBy),
          column((o) => o.deliverBy),
          column((o) => o.evaluateBy),
          column((o) => o.dispatchedAt),
          column((o) => o.acceptedAt),
          column((o) => o.startedAt),
          column((o) => o.deliveredAt),
          column((o) => o.evaluatedAt),
          column((o) => o.closedAt),
          column((o) => o.cancelledAt),
          column((o) => o.outcome),
          column((o) => o.deliveryNote),
          column((o) => o.rating),
          column((o) => o.resolved),
          column((o) => o.comment),
        ],
      );
      inserted += rows.length;
      if (rows.length === 0) continue;
      const byCode = new Map(batch.map((order, i) => [order.code, { order, station: station[i]! }]));
      const assigneeRows = { order: [] as string[], volunteer: [] as string[], at: [] as string[] };
      // A seeded order is delivered at most once: its minutes are delivery round 1.
      const deliveryRows = {
        order: [] as string[],
        at: [] as string[],
        outcome: [] as string[],
        note: [] as (string | null)[],
        rating: [] as (number | null)[],
        resolved: [] as (string | null)[],
        comment: [] as (string | null)[],
        evaluatedAt: [] as (string | null)[],
      };
      const minuteRows = { order: [] as string[], volunteer: [] as string[], minutes: [] as number[] };
      const eventRows = {
        order: [] as string[],
        action: [] as string[],
        from: [] as (string | null)[],
        to: [] as string[],
        person: [] as (string | null)[],
        role: [] as string[],
        unit: [] as (string | null)[],
        at: [] as string[],
      };
      for (const { id, code } of rows) {
        const { order, station: unit } = byCode.get(code)!;
        const assignedAt = order.timeline.find((event) => event.action === 'ASSIGNED')?.at ?? order.createdAt;
        for (const assignee of order.assignees) {
          assigneeRows.order.push(id);
          assigneeRows.volunteer.push(volunteer(assignee.mobile));
          assigneeRows.at.push(assignedAt);
        }
        if (order.deliveredAt !== null && order.outcome !== null) {
          deliveryRows.order.push(id);
          deliveryRows.at.push(order.deliveredAt);
          deliveryRows.outcome.push(order.outcome);
          deliveryRows.note.push(order.deliveryNote);
          const evaluated = order.evaluatedAt !== null && order.rating !== null && order.resolved !== null;
          deliveryRows.rating.push(evaluated ? order.rating : null);
          deliveryRows.resolved.push(evaluated ? order.resolved : null);
          deliveryRows.comment.push(evaluated ? order.comment : null);
          deliveryRows.evaluatedAt.push(evaluated ? order.evaluatedAt : null);
          for (const assignee of order.assignees) {
            if (assignee.minutes === null || assignee.minutes <= 0) continue;
            minuteRows.order.push(id);
            minuteRows.volunteer.push(volunteer(assignee.mobile));
            minuteRows.minutes.push(assignee.minutes);
          }
        }
        for (const event of order.timeline) {
          eventRows.order.push(id);
          eventRows.action.push(event.action);
          eventRows.from.push(event.from);
          eventRows.to.push(event.to);
          eventRows.person.push(event.actor === 'REQUESTER' ? person(order.requesterMobile) : null);
          eventRows.role.push(event.actor === 'REQUESTER' ? 'RESIDENT' : event.actor === 'STATION' ? 'STATION_ADMIN' : 'SYSTEM');
          eventRows.unit.push(event.actor === 'STATION' ? unit.id : null);
          eventRows.at.push(event.at);
        }
      }
      if (assigneeRows.order.length > 0) {
        await manager.query(
          `INSERT INTO order_assignee (order_id, volunteer_id, assigned_at)
           SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::timestamptz[])`,
          [assigneeRows.order, assigneeRows.volunteer, assigneeRows.at],
        );
      }
      if (deliveryRows.order.length > 0) {
        await manager.query(
          `INSERT INTO order_delivery (order_id, round, delivered_at, outcome, note, rating, resolved, comment, evaluated_at)
           SELECT o, 1, at, outcome, note, rating, resolved, comment, evaluated_at
             FROM unnest($1::bigint[], $2::timestamptz[], $3::text[], $4::text[], $5::int[], $6::text[], $7::text[], $8::timestamptz[])
               AS d(o, at, outcome, note, rating, resolved, comment, evaluated_at)`,
          [deliveryRows.order, deliveryRows.at, deliveryRows.outcome, deliveryRows.note, deliveryRows.rating, deliveryRows.resolved, deliveryRows.comment, deliveryRows.evaluatedAt],
        );
      }
      if (minuteRows.order.length > 0) {
        await manager.query(
          `INSERT INTO order_delivery_minutes (order_id, round, volunteer_id, minutes)
           SELECT o, 1, v, m FROM unnest($1::bigint[], $2::bigint[], $3::int[]) AS t(o, v, m)`,
          [minuteRows.order, minuteRows.volunteer, minuteRows.minutes],
        );
      }
      await manager.query(
        `INSERT INTO order_event (order_id, action, from_status, to_status, actor_person_id, actor_role, actor_unit_id, at)
         SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bigint[], $8::timestamptz[])`,
        [eventRows.order, eventRows.action, eventRows.from, eventRows.to, eventRows.person, eventRows.role, eventRows.unit, eventRows.at],
      );
      assignees += assigneeRows.order.length;
      timeline += eventRows.order.length;
    }
    await raiseCodeCounters(manager, dataset);
    const [{ n }] = await manager.query('SELECT count(*)::int AS n FROM service_order WHERE code = ANY($1::text[])', [dataset.map((o) => o.code)]);
    return { orders: n, inserted, timeline, assignees };
  });
}

/** Each seeded day's counter at least its highest seeded number (never lowered). */
async function raiseCodeCounters(manager: EntityManager, dataset: readonly SeedOrder[]): Promise<void> {
  const last = new Map<string, number>();
  for (const { code } of dataset) {
    const [, day, number] = /^KZ-(\d{8})-(\d+)$/.exec(code)!;
    last.set(day!, Math.max(last.get(day!) ?? 0, Number(number)));
  }
  await manager.query(
    `INSERT INTO order_code_counter (day, last) SELECT to_date(d, 'YYYYMMDD'), n FROM unnest($1::text[], $2::int[]) AS c(d, n)
     ON CONFLICT (day) DO UPDATE SET last = greatest(order_code_counter.last, excluded.last)`,
    [[...last.keys()], [...last.values()]],
  );
}

/** The printed love savings card number of an account id, as `apps/points-subgraph/src/accounts/card-number.ts` makes it. */
export function cardNumberOf(accountId: string): string {
  const body = BigInt(accountId).toString().padStart(10, '0');
  let sum = 0;
  for (let i = 0; i < body.length; i += 1) {
    let d = body.charCodeAt(body.length - 1 - i) - 48;
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return `KZ ${body.slice(0, 4)} ${body.slice(4, 8)} ${body.slice(8)}-${(10 - (sum % 10)) % 10}`;
}

/**
 * Opens the points accounts of the data set (the assignees', at their home station, so its staff see them) and
 * credits each once from ISSUANCE, in one transaction, in bulk: each credit is a balanced ledger transaction (the
 * account's posting and ISSUANCE's), keyed by a uuid derived from the holder (`source_event_id`), so a re-run finds
 * it and posts nothing. Cached balances and lifetime earned move by exactly the postings, so `npm run ledger:verify`
 * agrees.
 */
export async function seedPointsAccounts(
  points: DataSource,
  dataset: readonly SeedPointsAccount[],
  units: ReadonlyMap<string, UnitRow>,
  people: ReadonlyMap<string, PersonByMobile>,
): Promise<PointsSeedCounts> {
  if (dataset.length === 0) return { accounts: 0, accountsOpened: 0, credits: 0, points: 0 };
  return points.transaction(async (manager) => {
    const holders = dataset.map((account) => {
      const person = people.get(account.mobile);
      const unit = units.get(account.stationCode);
      if (!person || !unit) throw new Error(`seed account ${account.mobile}: unknown person or station`);
      return { ...account, personId: person.personId, unit };
    });
    const existing = new Set<string>(
      (await manager.query('SELECT person_id::text AS id FROM points_account WHERE person_id = ANY($1::bigint[])', [holders.map((h) => h.personId)])).map(
        (row: { id: string }) => row.id,
      ),
    );
    const missing = holders.filter((holder) => !existing.has(holder.personId));
    let accountsOpened = 0;
    if (missing.length > 0) {
      // Card numbers derive from the account id, so the ids are drawn from the sequence first (as the subgraph does).
      const ids: string[] = (
        await manager.query(`SELECT nextval(pg_get_serial_sequence('points_account', 'id'))::text AS id FROM generate_series(1, $1)`, [missing.length])
      ).map((row: { id: string }) => row.id);
      for (const batch of chunks(missing.map((holder, i) => ({ holder, id: ids[i]! })))) {
        const opened: unknown[] = await manager.query(
          `INSERT INTO points_account (id, kind, person_id, card_number, unit_id, unit_path, created_at)
           SELECT id, 'PERSON', person_id, card, unit_id, unit_path, $6 FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::bigint[], $5::text[])
             AS a(id, person_id, card, unit_id, unit_path)
           ON CONFLICT (person_id) DO NOTHING
           RETURNING id`,
          [
            batch.map((b) => b.id),
            batch.map((b) => b.holder.personId),
            batch.map((b) => cardNumberOf(b.id)),
            batch.map((b) => b.holder.unit.id),
            batch.map((b) => b.holder.unit.path),
            new Date(Date.UTC(2026, 10, 1)).toISOString(),
          ],
        );
        accountsOpened += opened.length;
      }
    }
    const accountOf = new Map<string, string>(
      (await manager.query('SELECT person_id::text AS person, id::text FROM points_account WHERE person_id = ANY($1::bigint[])', [holders.map((h) => h.personId)])).map(
        (row: { person: string; id: string }) => [row.person, row.id],
      ),
    );
    const [{ id: issuance }] = await manager.query(`SELECT id::text FROM points_account WHERE system_code = 'ISSUANCE'`);
    let credits = 0;
    let total = 0;
    for (const batch of chunks(holders)) {
      const posted: { id: string; key: string }[] = await manager.query(
        `INSERT INTO ledger_transaction (kind, status, description, created_by, source_event_id, metadata, created_at)
         SELECT 'CREDIT', 'POSTED', '历史服务积分迁入', 'seed', key, '{"seed": "kaizhou"}', $2 FROM unnest($1::uuid[]) AS k(key)
         ON CONFLICT (source_event_id) DO NOTHING
         RETURNING id::text, source_event_id::text AS key`,
        [batch.map((h) => h.creditKey), new Date(Date.UTC(2026, 10, 1)).toISOString()],
      );
      if (posted.length === 0) continue;
      const byKey = new Map(batch.map((holder) => [holder.creditKey, holder]));
      const credited = posted.map(({ id, key }) => ({ transaction: id, account: accountOf.get(byKey.get(key)!.personId)!, points: byKey.get(key)!.points }));
      await manager.query(
        `INSERT INTO posting (transaction_id, account_id, amount)
         SELECT t, a, m FROM unnest($1::bigint[], $2::bigint[], $3::bigint[]) AS p(t, a, m)
         UNION ALL SELECT t, $4::bigint, -m FROM unnest($1::bigint[], $3::bigint[]) AS q(t, m)`,
        [credited.map((c) => c.transaction), credited.map((c) => c.account), credited.map((c) => c.points), issuance],
      );
      await manager.query(
        `UPDATE points_account a SET balance = a.balance + c.m, lifetime_earned = a.lifetime_earned + c.m, updated_at = now()
           FROM unnest($1::bigint[], $2::bigint[]) AS c(id, m) WHERE a.id = c.id`,
        [credited.map((c) => c.account), credited.map((c) => c.points)],
      );
      const sum = credited.reduce((acc, c) => acc + c.points, 0);
      await manager.query('UPDATE points_account SET balance = balance - $2, updated_at = now() WHERE id = $1', [issuance, sum]);
      credits += credited.length;
      total += sum;
    }
    return { accounts: accountOf.size, accountsOpened, credits, points: total };
  });
}

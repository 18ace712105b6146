import type { DataSource } from 'typeorm';
import { catalog, EventEnvelope } from '@kz/events';
import { creditVerifiedHours } from '@kz/points-subgraph';
import { SeedReward, SeedVerifiedService, uuidFor } from '@kz/seed-data';
import type { UnitRow } from './orders-seed';

/** A verified service record of the volunteers database, with what its `volunteer.hours.verified` event carries. */
export interface VerifiedRecord {
  /** Natural keys of the record: the activity's and the volunteer's. */
  activityKey: string;
  mobile: string;
  serviceRecordId: string;
  volunteerId: string;
  personId: string;
  activityId: string;
  minutes: number;
  category: string;
  startedAt: Date;
  verifiedAt: Date;
  verifiedBy: string;
  unitPath: string;
  homeStationId: string | null;
  homeStationPath: string | null;
}

export interface EarningsSeedCounts {
  /** Verified records seeding credits by the earning rules (credited by this run or an earlier one). */
  records: number;
  /** Credits this run wrote. */
  credited: number;
  /** Points this run credited. */
  points: number;
}

export interface RewardsSeedCounts {
  rewards: number;
  inserted: number;
}

/**
 * Reads the verified service records of `service` (natural keys) from the volunteers database, with the fields
 * the volunteers service puts in `volunteer.hours.verified` when a station verifies a record.
 */
export async function verifiedRecords(volunteers: DataSource, service: readonly SeedVerifiedService[]): Promise<VerifiedRecord[]> {
  if (service.length === 0) return [];
  const rows: (Omit<VerifiedRecord, 'startedAt' | 'verifiedAt'> & { startedAt: Date | string; verifiedAt: Date | string })[] = await volunteers.query(
    `SELECT k.key AS "activityKey", k.mobile, r.id::text AS "serviceRecordId", r.volunteer_id::text AS "volunteerId",
            v.person_id::text AS "personId", r.activity_id::text AS "activityId", r.minutes, r.category,
            r.started_at AS "startedAt", r.verified_at AS "verifiedAt", r.verified_by AS "verifiedBy", r.unit_path AS "unitPath",
            v.home_station_id::text AS "homeStationId", v.home_station_path AS "homeStationPath"
       FROM unnest($1::text[], $2::text[]) AS k(key, mobile)
       JOIN activity a ON a.external_key = k.key
       JOIN person p ON p.mobile = k.mobile
       JOIN volunteer v ON v.person_id = p.id
       JOIN service_record r ON r.activity_id = a.id AND r.volunteer_id = v.id
      WHERE r.status = 'VERIFIED' AND r.minutes > 0
      ORDER BY r.started_at, r.id`,
    [service.map((s) => s.activityKey), service.map((s) => s.mobile)],
  );
  return rows.map((row) => ({ ...row, startedAt: new Date(row.startedAt), verifiedAt: new Date(row.verifiedAt) }));
}

/** The id of the `volunteer.hours.verified` seeding stands in for: derived from the record's natural keys. */
export const seededVerificationId = (record: Pick<VerifiedRecord, 'activityKey' | 'mobile'>): string =>
  uuidFor(`volunteer.hours.verified:${record.activityKey}:${record.mobile}`);

/**
 * Credits verified records through the earning path itself (`creditVerifiedHours`), as the points service does
 * when it consumes `volunteer.hours.verified`, in one transaction: the rule in force when the service was done,
 * the daily cap, the account opened at the volunteer's home station, one CREDIT per service record (the ledger's
 * unique index on the record), from ISSUANCE. A record credited before, by seeding or by a live event, is skipped,
 * and a live event for a seeded record later finds its credit. Two differences, because seeding is a bulk load:
 * no `points.credited` is written to the outbox (nobody is notified of history), and each credit is dated when
 * its record was verified.
 */
export async function seedEarnings(points: DataSource, records: readonly VerifiedRecord[]): Promise<EarningsSeedCounts> {
  if (records.length === 0) return { records: 0, credited: 0, points: 0 };
  const keys = records.map(seededVerificationId);
  return points.transaction(async (manager) => {
    const seededPoints = async (): Promise<number> => {
      const [row] = await manager.query(
        `SELECT coalesce(sum(p.amount), 0)::text AS total FROM ledger_transaction t JOIN posting p ON p.transaction_id = t.id
          JOIN points_account a ON a.id = p.account_id AND a.kind = 'PERSON'
         WHERE t.kind = 'CREDIT' AND t.source_event_id = ANY($1::uuid[])`,
        [keys],
      );
      return Number(row.total);
    };
    const before = await seededPoints();
    let credited = 0;
    for (const [index, record] of records.entries()) {
      const payload = catalog['volunteer.hours.verified'].payload.parse({
        serviceRecordId: record.serviceRecordId,
        volunteerId: record.volunteerId,
        personId: record.personId,
        minutes: record.minutes,
        category: record.category,
        activityId: record.activityId,
        verifiedBy: record.verifiedBy,
        startedAt: record.startedAt.toISOString(),
        ...(record.homeStationId && record.homeStationPath ? { homeStationId: record.homeStationId, homeStationPath: record.homeStationPath } : {}),
      });
      const event: EventEnvelope<'volunteer.hours.verified'> = {
        id: keys[index]!,
        type: 'volunteer.hours.verified',
        version: 1,
        occurredAt: record.verifiedAt.toISOString(),
        actor: { system: 'seed' },
        unitPath: record.unitPath,
        payload,
      };
      if ((await creditVerifiedHours(manager, event, undefined, { announce: false, at: record.verifiedAt })) === 'CREDITED') credited += 1;
    }
    return { records: records.length, credited, points: (await seededPoints()) - before };
  });
}

/**
 * Publishes the data set's rewards at their stations, by their natural key (`external_key`), each with its CREATED
 * audit line as `createReward` writes it. A reward already there is left alone: its stock moves with redemptions
 * and staff may have changed its price, so re-seeding never resets it.
 */
export async function seedRewards(points: DataSource, dataset: readonly SeedReward[], units: ReadonlyMap<string, UnitRow>): Promise<RewardsSeedCounts> {
  if (dataset.length === 0) return { rewards: 0, inserted: 0 };
  return points.transaction(async (manager) => {
    let inserted = 0;
    for (const reward of dataset) {
      const station = units.get(reward.stationCode);
      if (!station) throw new Error(`seed reward ${reward.key}: unknown station ${reward.stationCode}`);
      const rows: { id: string }[] = await manager.query(
        `INSERT INTO reward (external_key, name, description, kind, price, unit_id, unit_path, stock, per_person_limit, limit_period, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'seed')
         ON CONFLICT (external_key) DO NOTHING
         RETURNING id::text`,
        [
          reward.key,
          reward.name,
          reward.description,
          reward.kind,
          reward.price,
          station.id,
          station.path,
          reward.stock,
          reward.perPersonLimit?.count ?? null,
          reward.perPersonLimit?.period ?? null,
        ],
      );
      if (rows.length === 0) continue;
      inserted += 1;
      const created: Record<string, unknown> = {
        name: reward.name,
        description: reward.description,
        kind: reward.kind,
        price: reward.price,
        unitId: station.id,
        stock: reward.stock,
        perPersonLimit: reward.perPersonLimit?.count ?? null,
        limitPeriod: reward.perPersonLimit?.period ?? null,
      };
      const changes = Object.fromEntries(Object.entries(created).filter(([, to]) => to !== null).map(([field, to]) => [field, { from: null, to }]));
      await manager.query(`INSERT INTO reward_audit (reward_id, action, stock_delta, changes, changed_by) VALUES ($1, 'CREATED', $2, $3, 'seed')`, [
        rows[0]!.id,
        reward.stock,
        JSON.stringify(changes),
      ]);
    }
    const [{ n }] = await manager.query('SELECT count(*)::int AS n FROM reward WHERE external_key = ANY($1::text[])', [dataset.map((r) => r.key)]);
    return { rewards: n, inserted };
  });
}

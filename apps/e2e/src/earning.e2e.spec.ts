import { Queue } from 'bullmq';
import IORedis from 'ioredis';
import type { DataSource } from 'typeorm';
import { errorCodes, eventually } from '@kz/testing';
import { Platform, startPlatform } from './stack';

/**
 * Earning through the whole platform: a station admin verifies hours in the volunteers subgraph, the relay puts
 * the event on the points-credit queue, the points subgraph credits the love bank account once, and the volunteer
 * sees the points through the gateway. Earning rules are the center's to set.
 */
const CENTER_ADMIN = '13900230001';
const STATION_ADMIN = '13900230005';
const VOLUNTEER_HE_YI = '13900230007';

let platform: Platform;
let points: DataSource;
let yingbin: { id: string; path: string };
let stationAdmin: string;
let centerAdmin: string;
let heYi: { volunteerId: string; personId: string; token: string };
let redis: IORedis;
let pointsCredit: Queue;

beforeAll(async () => {
  platform = await startPlatform({ seed: 'demo' });
  points = platform.subgraphs.points.dataSource;
  yingbin = await platform.unit('KZ-HANFENG-YINGBIN');
  stationAdmin = await platform.login(STATION_ADMIN);
  centerAdmin = await platform.login(CENTER_ADMIN);
  const [row] = await platform.volunteers.query(
    'SELECT v.id::text AS volunteer_id, p.id::text AS person_id FROM volunteer v JOIN person p ON p.id = v.person_id WHERE p.mobile = $1',
    [VOLUNTEER_HE_YI],
  );
  heYi = { volunteerId: row.volunteer_id, personId: row.person_id, token: await platform.login(VOLUNTEER_HE_YI) };
  redis = new IORedis(platform.config.REDIS_URL, { maxRetriesPerRequest: null });
  pointsCredit = new Queue('points-credit', { connection: redis, prefix: platform.config.QUEUE_PREFIX });
});

afterAll(async () => {
  await pointsCredit?.close();
  redis?.disconnect();
  await platform?.stop();
});

const VERIFY = `mutation($input: ServiceRecordIdInput!) { verifyServiceRecord(input: $input) { id status minutes } }`;
const MY_ACCOUNT = `{ myAccount { id balance } }`;
const SET_RULE = `mutation($input: SetEarningRuleInput!) {
  setEarningRule(input: $input) { id category pointsPerHour multiplier dailyCap effectiveFrom createdBy }
}`;
const RULES = `{ earningRules { id category pointsPerHour multiplier dailyCap } }`;

let serial = 0;

/** A pending check-out record of 何毅 at a past activity of 迎宾社区, as the activities code makes it. */
async function aPendingRecord(minutes: number, category = 'ENVIRONMENT', startedAgo = '3 hours'): Promise<string> {
  serial += 1;
  const [activity] = await platform.volunteers.query(
    `INSERT INTO activity (title, category, organizing_unit_id, organizing_unit_path, starts_at, ends_at, place_name, lat, lng,
                           check_in_radius_m, capacity, status, created_by)
     VALUES ($1, $2, $3, $4, now() - interval '3 hours', now() - interval '1 hour', '腾龙广场', 31.16, 108.39, 200, 50, 'DONE', 'test')
     RETURNING id::text`,
    [`腾龙广场志愿服务 ${serial}`, category, yingbin.id, yingbin.path],
  );
  const [record] = await platform.volunteers.query(
    `INSERT INTO service_record (volunteer_id, activity_id, unit_id, unit_path, category, title, started_at, minutes, source, created_by)
     VALUES ($1, $2, $3, $4, $5, '腾龙广场志愿服务', now() - $7::interval, $6, 'CHECK_OUT', 'test') RETURNING id::text`,
    [heYi.volunteerId, activity.id, yingbin.id, yingbin.path, category, minutes, startedAgo],
  );
  await platform.volunteers.query(`INSERT INTO service_record_change (record_id, action, new_minutes, changed_by) VALUES ($1, 'CREATED', $2, 'test')`, [
    record.id,
    minutes,
  ]);
  return record.id;
}

async function verify(recordId: string): Promise<void> {
  const result = await platform.query(VERIFY, { input: { recordId } }, { token: stationAdmin });
  if (result.errors) throw new Error(JSON.stringify(result.errors));
}


/** The love bank's credits of a service record, with the amount that reached the person. */
async function creditsOf(recordId: string): Promise<{ kind: string; amount: number }[]> {
  return points.query(
    `SELECT t.kind, p.amount::int AS amount FROM ledger_transaction t
       JOIN posting p ON p.transaction_id = t.id JOIN points_account a ON a.id = p.account_id
      WHERE t.service_record_id = $1 AND a.kind = 'PERSON' ORDER BY t.id`,
    [recordId],
  );
}

async function creditedEvents(recordId: string): Promise<{ payload: Record<string, unknown> }[]> {
  return points.query(`SELECT payload FROM outbox WHERE type = 'points.credited' AND payload->>'serviceRecordId' = $1`, [recordId]);
}

/** 何毅's balance as he sees it in the app (0 before his account is opened). */
async function myBalance(): Promise<number> {
  const result = await platform.query<{ myAccount: { id: string; balance: number } | null }>(MY_ACCOUNT, {}, { token: heYi.token });
  if (result.errors) throw new Error(JSON.stringify(result.errors));
  return result.data!.myAccount?.balance ?? 0;
}

describe('earning points for verified hours', () => {
  it('credits the volunteer once for hours a station admin verifies, even when the event is delivered again', async () => {
    const before = await myBalance();
    const recordId = await aPendingRecord(90);

    await verify(recordId);

    await eventually(async () => (await creditsOf(recordId)).length > 0);
    expect(await creditsOf(recordId)).toEqual([{ kind: 'CREDIT', amount: 15 }]); // 90 minutes at the default 10 per hour
    expect(await myBalance()).toBe(before + 15);
    const [account] = await points.query('SELECT id::text FROM points_account WHERE person_id = $1', [heYi.personId]);
    expect((await creditedEvents(recordId)).map((event) => event.payload)).toEqual([
      { accountId: account.id, personId: heYi.personId, amount: 15, serviceRecordId: recordId },
    ]);

    // BullMQ delivers at least once: the same event again, as a new job, moves nothing.
    const [verified] = await platform.volunteers.query(`SELECT id FROM outbox WHERE type = 'volunteer.hours.verified' AND payload->>'serviceRecordId' = $1`, [
      recordId,
    ]);
    const job = await pointsCredit.getJob(verified.id); // the job id is the event id
    expect(job?.data).toMatchObject({ id: verified.id, payload: { serviceRecordId: recordId, minutes: 90 } });
    const again = await pointsCredit.add(job!.name, job!.data, { jobId: `redelivered-${job!.id}` });
    await eventually(async () => (await again.getState()) === 'completed');
    expect(await creditsOf(recordId)).toHaveLength(1);
    expect(await creditedEvents(recordId)).toHaveLength(1);
    expect(await myBalance()).toBe(before + 15);

    // The account learned his home station from the event, so the station's admin sees it; another station's does not.
    const query = `query($id: ID!) { pointsAccount(id: $id) { balance } }`;
    const station = await platform.query<{ pointsAccount: { balance: number } }>(query, { id: account.id }, { token: stationAdmin });
    expect(station.data!.pointsAccount.balance).toBe(before + 15);
    const other = await platform.query(query, { id: account.id }, { token: await platform.tokenAs('STATION_ADMIN', 'KZ-YUNFENG-YONGXIAN') });
    expect(other.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});

describe('earning rules', () => {
  it('are set by the center only, and credit service done after the change by the new rule', async () => {
    const refused = await platform.query(SET_RULE, { input: { category: 'CIVILITY', pointsPerHour: 50 } }, { token: stationAdmin });
    expect(errorCodes(refused)).toEqual(['FORBIDDEN']);
    const volunteer = await platform.query(SET_RULE, { input: { category: 'CIVILITY', pointsPerHour: 50 } }, { token: heYi.token });
    expect(errorCodes(volunteer)).toEqual(['FORBIDDEN']);

    const set = await platform.query<{ setEarningRule: { id: string; category: string; pointsPerHour: number; multiplier: number; createdBy: string } }>(
      SET_RULE,
      { input: { category: 'CIVILITY', pointsPerHour: 20, multiplier: 1.5 } },
      { token: centerAdmin },
    );
    expect(set.errors).toBeUndefined();
    const rule = set.data!.setEarningRule;
    expect(rule).toMatchObject({ category: 'CIVILITY', pointsPerHour: 20, multiplier: 1.5 });
    const [admin] = await platform.volunteers.query('SELECT id::text FROM person WHERE mobile = $1', [CENTER_ADMIN]);
    expect(rule.createdBy).toBe(admin.id);

    const rules = await platform.query<{ earningRules: { id: string; category: string | null }[] }>(RULES, {}, { token: heYi.token });
    expect(rules.errors).toBeUndefined();
    expect(rules.data!.earningRules[0]).toMatchObject({ category: null, pointsPerHour: 10 });
    expect(rules.data!.earningRules).toContainEqual({ id: rule.id, category: 'CIVILITY', pointsPerHour: 20, multiplier: 1.5, dailyCap: null });

    // Service done before the change keeps the old rule (history is not rewritten); service from now on earns by the new one.
    const earlier = await aPendingRecord(50, 'CIVILITY', '3 hours');
    await verify(earlier);
    await eventually(async () => (await creditsOf(earlier)).length > 0);
    expect(await creditsOf(earlier)).toEqual([{ kind: 'CREDIT', amount: 8 }]); // 50/60 × 10, rounded down
    const before = await myBalance();
    const recordId = await aPendingRecord(50, 'CIVILITY', '0 seconds');
    await verify(recordId);
    await eventually(async () => (await creditsOf(recordId)).length > 0);
    expect(await creditsOf(recordId)).toEqual([{ kind: 'CREDIT', amount: 25 }]); // 50/60 × 20 × 1.5
    expect(await myBalance()).toBe(before + 25);
  });
});

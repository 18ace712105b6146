import { Queue } from 'bullmq';
import IORedis from 'ioredis';
import { errorCodes, GraphQLResult, eventually } from '@kz/testing';
import { Platform, startPlatform } from './stack';

const STATION_ADMIN = '13900230005';
const VOLUNTEER_HE_YI = '13900230007';
const RESIDENT_ZHOU = '13900230008';

let platform: Platform;
let yingbin: { id: string; path: string };
let yongxian: { id: string; path: string };
let stationAdmin: string;
let stationAdminId: string;
let heYi: { volunteerId: string; personId: string; token: string };
let neighbour: string;
let pointsCredit: Queue;
let redis: IORedis;

beforeAll(async () => {
  platform = await startPlatform({ seed: 'demo' });
  yingbin = await platform.unit('KZ-HANFENG-YINGBIN');
  yongxian = await platform.unit('KZ-YUNFENG-YONGXIAN');
  stationAdmin = await platform.login(STATION_ADMIN);
  [{ id: stationAdminId }] = await platform.volunteers.query('SELECT id::text FROM person WHERE mobile = $1', [STATION_ADMIN]);
  const [row] = await platform.volunteers.query(
    'SELECT v.id::text AS volunteer_id, p.id::text AS person_id FROM volunteer v JOIN person p ON p.id = v.person_id WHERE p.mobile = $1',
    [VOLUNTEER_HE_YI],
  );
  heYi = { volunteerId: row.volunteer_id, personId: row.person_id, token: await platform.login(VOLUNTEER_HE_YI) };
  neighbour = await aVolunteer('13700031001', yingbin);
  redis = new IORedis(platform.config.REDIS_URL, { maxRetriesPerRequest: null });
  pointsCredit = new Queue('points-credit', {
    connection: redis,
    prefix: platform.config.QUEUE_PREFIX,
  });
});

afterAll(async () => {
  await pointsCredit?.close();
  redis?.disconnect();
  await platform?.stop();
});

const RECORD_FIELDS = `id status minutes source evidence rejectReason verifiedAt title
  volunteer { id } activity { id title } unit { id } category { code name } verifiedBy { id }
  history { action oldMinutes newMinutes reason changedBy { id } changedAt }`;
const VERIFY = `mutation($input: ServiceRecordIdInput!) { verifyServiceRecord(input: $input) { ${RECORD_FIELDS} } }`;
const VERIFY_ACTIVITY = `mutation($input: ActivityIdInput!) { verifyActivityRecords(input: $input) { id status minutes volunteer { id } } }`;
const REJECT = `mutation($input: RejectServiceRecordInput!) { rejectServiceRecord(input: $input) { ${RECORD_FIELDS} } }`;
const CORRECT = `mutation($input: CorrectServiceMinutesInput!) { correctServiceMinutes(input: $input) { ${RECORD_FIELDS} } }`;
const OFFLINE = `mutation($input: RecordOfflineServiceInput!) { recordOfflineService(input: $input) { ${RECORD_FIELDS} } }`;
const RECORD = `query($id: ID!) { serviceRecord(id: $id) { ${RECORD_FIELDS} } }`;
const RECORDS = `query($filter: ServiceRecordFilter, $first: Int, $after: String) {
  serviceRecords(filter: $filter, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id status volunteer { id } } }
  }
}`;

type RecordView = {
  id: string;
  status: string;
  minutes: number;
  source: string;
  evidence: string | null;
  rejectReason: string | null;
  verifiedAt: string | null;
  volunteer: { id: string };
  activity: { id: string; title: string } | null;
  unit: { id: string };
  category: { code: string; name: string };
  verifiedBy: { id: string } | null;
  history: { action: string; oldMinutes: number | null; newMinutes: number | null; reason: string | null; changedBy: { id: string } | null; changedAt: string }[];
};
type RecordsPage = {
  serviceRecords: {
    totalCount: number;
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
    edges: { cursor: string; node: { id: string; status: string; volunteer: { id: string } } }[];
  };
};

let serial = 0;

/** A volunteer of `station` with a person of their own; returns the volunteer id. */
async function aVolunteer(mobile: string, station: { id: string; path: string }): Promise<string> {
  const [person] = await platform.volunteers.query(
    `INSERT INTO person (real_name, mobile, home_unit_id, home_unit_path) VALUES ('邻居志愿者', $1, $2, $3) RETURNING id::text`,
    [mobile, station.id, station.path],
  );
  const [volunteer] = await platform.volunteers.query(
    `INSERT INTO volunteer (person_id, status, home_station_id, home_station_path) VALUES ($1, 'ACTIVE', $2, $3) RETURNING id::text`,
    [person.id, station.id, station.path],
  );
  return volunteer.id;
}

/** A past activity organized by `unit` (default 迎宾社区). */
async function anActivity(unit = yingbin): Promise<string> {
  serial += 1;
  const [activity] = await platform.volunteers.query(
    `INSERT INTO activity (title, category, organizing_unit_id, organizing_unit_path, starts_at, ends_at, place_name, lat, lng,
                           check_in_radius_m, capacity, status, created_by)
     VALUES ($1, 'ENVIRONMENT', $2, $3, now() - interval '3 hours', now() - interval '1 hour', '腾龙广场', 31.16, 108.39, 200, 50, 'DONE', 'test')
     RETURNING id::text`,
    [`腾龙广场环境整治 ${serial}`, unit.id, unit.path],
  );
  return activity.id;
}

/** A pending check-out record, as the activities code makes it, with its CREATED line. */
async function aPendingRecord(options: { volunteerId?: string; activityId?: string; minutes?: number; unit?: { id: string; path: string } } = {}) {
  const unit = options.unit ?? yingbin;
  const activityId = options.activityId ?? (await anActivity(unit));
  const minutes = options.minutes ?? 60;
  const [record] = await platform.volunteers.query(
    `INSERT INTO service_record (volunteer_id, activity_id, unit_id, unit_path, category, title, started_at, minutes, source, created_by)
     VALUES ($1, $2, $3, $4, 'ENVIRONMENT', '腾龙广场环境整治', now() - interval '3 hours', $5, 'CHECK_OUT', 'test') RETURNING id::text`,
    [options.volunteerId ?? heYi.volunteerId, activityId, unit.id, unit.path, minutes],
  );
  await platform.volunteers.query(`INSERT INTO service_record_change (record_id, action, new_minutes, changed_by) VALUES ($1, 'CREATED', $2, 'test')`, [
    record.id,
    minutes,
  ]);
  return { id: record.id as string, activityId };
}

async function totalsOf(volunteerId: string): Promise<{ verified_minutes: number; service_count: number }> {
  const [row] = await platform.volunteers.query('SELECT verified_minutes, service_count FROM volunteer WHERE id = $1', [volunteerId]);
  return row;
}

/** Outbox rows of an event type about one record. */
async function outboxEvents(type: string, recordId: string): Promise<{ payload: Record<string, unknown>; unit_path: string; published_at: Date | null }[]> {
  return platform.volunteers.query(`SELECT payload, unit_path, published_at FROM outbox WHERE type = $1 AND payload->>'serviceRecordId' = $2`, [
    type,
    recordId,
  ]);
}

/** What a failed attempt must leave as it was. */
async function stateOf(recordId: string) {
  const [record] = await platform.volunteers.query('SELECT status, minutes, verified_by FROM service_record WHERE id = $1', [recordId]);
  const [history] = await platform.volunteers.query('SELECT count(*)::int AS n FROM service_record_change WHERE record_id = $1', [recordId]);
  const [events] = await platform.volunteers.query(`SELECT count(*)::int AS n FROM outbox WHERE payload->>'serviceRecordId' = $1`, [recordId]);
  return { record, history: history.n, events: events.n, totals: await totalsOf(heYi.volunteerId) };
}

/** Jobs on the points-credit queue about one record, in any state. */
async function creditJobs(recordId: string, type = 'volunteer.hours.verified') {
  const jobs = await pointsCredit.getJobs(['waiting', 'active', 'delayed', 'completed', 'failed', 'prioritized']);
  return jobs.filter((job) => job?.name === type && job.data?.payload?.serviceRecordId === recordId);
}


function extensionsOf(result: GraphQLResult) {
  return result.errors?.[0]?.extensions;
}

describe('verifying service hours', () => {
  it('verifies a pending record once: totals move, one event in the outbox and one job on the points-credit queue', async () => {
    const { id, activityId } = await aPendingRecord({ minutes: 95 });
    const before = await totalsOf(heYi.volunteerId);
    const jobsBefore = await pointsCredit.getJobCounts();

    const result = await platform.query<{ verifyServiceRecord: RecordView }>(VERIFY, { input: { recordId: id } }, { token: stationAdmin });

    expect(result.errors).toBeUndefined();
    const record = result.data!.verifyServiceRecord;
    expect(record).toMatchObject({
      id,
      status: 'VERIFIED',
      minutes: 95,
      source: 'CHECK_OUT',
      volunteer: { id: heYi.volunteerId },
      activity: { id: activityId, title: expect.stringContaining('腾龙广场环境整治') },
      unit: { id: yingbin.id },
      category: { code: 'ENVIRONMENT', name: '环境整治' },
      verifiedBy: { id: stationAdminId },
    });
    expect(record.verifiedAt).toBeTruthy();
    expect(record.history.map((line) => [line.action, line.newMinutes, line.changedBy?.id ?? null])).toEqual([
      ['CREATED', 95, null],
      ['VERIFIED', 95, stationAdminId],
    ]);
    expect(await totalsOf(heYi.volunteerId)).toEqual({ verified_minutes: before.verified_minutes + 95, service_count: before.service_count + 1 });

    const events = await outboxEvents('volunteer.hours.verified', id);
    expect(events).toHaveLength(1);
    expect(events[0]!.unit_path).toBe(yingbin.path);
    expect(events[0]!.payload).toEqual({
      serviceRecordId: id,
      volunteerId: heYi.volunteerId,
      personId: heYi.personId,
      minutes: 95,
      category: 'ENVIRONMENT',
      activityId,
      verifiedBy: stationAdminId,
      startedAt: (await platform.volunteers.query('SELECT started_at FROM service_record WHERE id = $1', [id]))[0].started_at.toISOString(),
      homeStationId: yingbin.id,
      homeStationPath: yingbin.path,
    });

    // The relay publishes after the commit: wait for the job, then make sure it is the only one for this record.
    await eventually(async () => {
      const counts = await pointsCredit.getJobCounts();
      const total = (c: typeof counts) => Object.values(c).reduce((sum, n) => sum + n, 0);
      return total(counts) > total(jobsBefore) && (await creditJobs(id)).length > 0;
    });
    const jobs = await creditJobs(id);
    expect(jobs).toHaveLength(1);
    expect(jobs[0]!.data).toMatchObject({ type: 'volunteer.hours.verified', unitPath: yingbin.path, payload: { serviceRecordId: id, minutes: 95 } });
    // The relay adds the jobs, then marks the row published (a moment later): wait for the mark itself.
    await eventually(async () => (await outboxEvents('volunteer.hours.verified', id))[0]!.published_at !== null);
  });

  it('verifies a record exactly once when ten admins try at the same moment', async () => {
    const { id } = await aPendingRecord({ minutes: 40 });
    const before = await totalsOf(heYi.volunteerId);

    const attempts = await Promise.all(Array.from({ length: 10 }, () => platform.query(VERIFY, { input: { recordId: id } }, { token: stationAdmin })));

    expect(attempts.filter((attempt) => !attempt.errors)).toHaveLength(1);
    const refused = attempts.filter((attempt) => attempt.errors);
    expect(refused).toHaveLength(9);
    for (const attempt of refused) {
      expect(extensionsOf(attempt)).toMatchObject({ code: 'INVALID_TRANSITION', from: 'VERIFIED', to: 'VERIFIED', event: 'verify' });
    }
    expect(await totalsOf(heYi.volunteerId)).toEqual({ verified_minutes: before.verified_minutes + 40, service_count: before.service_count + 1 });
    expect(await outboxEvents('volunteer.hours.verified', id)).toHaveLength(1);
    const [history] = await platform.volunteers.query(`SELECT count(*)::int AS n FROM service_record_change WHERE record_id = $1 AND action = 'VERIFIED'`, [id]);
    expect(history.n).toBe(1);
    await eventually(async () => (await creditJobs(id)).length > 0);
    expect(await creditJobs(id)).toHaveLength(1);
  });

  it('verifies every pending record of an activity at once, each with its event, and leaves decided ones alone', async () => {
    const activityId = await anActivity();
    const other = await aVolunteer('13700031002', yingbin);
    const mine = await aPendingRecord({ activityId, minutes: 120 });
    const theirs = await aPendingRecord({ activityId, volunteerId: neighbour, minutes: 90 });
    const rejected = await aPendingRecord({ activityId, volunteerId: other, minutes: 30 });
    await platform.query(REJECT, { input: { recordId: rejected.id, reason: '未到场' } }, { token: stationAdmin });
    const before = { mine: await totalsOf(heYi.volunteerId), theirs: await totalsOf(neighbour) };

    const result = await platform.query<{ verifyActivityRecords: { id: string; status: string; minutes: number; volunteer: { id: string } }[] }>(
      VERIFY_ACTIVITY,
      { input: { activityId } },
      { token: stationAdmin },
    );

    expect(result.errors).toBeUndefined();
    expect(result.data!.verifyActivityRecords).toEqual([
      { id: mine.id, status: 'VERIFIED', minutes: 120, volunteer: { id: heYi.volunteerId } },
      { id: theirs.id, status: 'VERIFIED', minutes: 90, volunteer: { id: neighbour } },
    ]);
    expect(await totalsOf(heYi.volunteerId)).toEqual({ verified_minutes: before.mine.verified_minutes + 120, service_count: before.mine.service_count + 1 });
    expect(await totalsOf(neighbour)).toEqual({ verified_minutes: before.theirs.verified_minutes + 90, service_count: before.theirs.service_count + 1 });
    expect(await outboxEvents('volunteer.hours.verified', mine.id)).toHaveLength(1);
    expect(await outboxEvents('volunteer.hours.verified', theirs.id)).toHaveLength(1);
    expect(await outboxEvents('volunteer.hours.verified', rejected.id)).toHaveLength(0);
    const [status] = await platform.volunteers.query('SELECT status FROM service_record WHERE id = $1', [rejected.id]);
    expect(status.status).toBe('REJECTED');

    const again = await platform.query<{ verifyActivityRecords: unknown[] }>(VERIFY_ACTIVITY, { input: { activityId } }, { token: stationAdmin });
    expect(again.data!.verifyActivityRecords).toEqual([]);
    expect(await outboxEvents('volunteer.hours.verified', mine.id)).toHaveLength(1);
  });

  it('counts each record once when a whole activity and its records are verified at the same moment', async () => {
    const activityId = await anActivity();
    const volunteers = [heYi.volunteerId, neighbour, await aVolunteer('13700031005', yingbin)];
    const records = await Promise.all(volunteers.map((volunteerId, index) => aPendingRecord({ activityId, volunteerId, minutes: 30 + index })));
    const before = await Promise.all(volunteers.map(totalsOf));

    await Promise.all([
      platform.query(VERIFY_ACTIVITY, { input: { activityId } }, { token: stationAdmin }),
      platform.query(VERIFY_ACTIVITY, { input: { activityId } }, { token: stationAdmin }),
      ...records.map(({ id }) => platform.query(VERIFY, { input: { recordId: id } }, { token: stationAdmin })),
    ]);

    for (const [index, volunteerId] of volunteers.entries()) {
      expect(await totalsOf(volunteerId)).toEqual({
        verified_minutes: before[index]!.verified_minutes + 30 + index,
        service_count: before[index]!.service_count + 1,
      });
      expect(await outboxEvents('volunteer.hours.verified', records[index]!.id)).toHaveLength(1);
    }
  });

  it('credits nothing for a record of zero minutes, but still counts the service', async () => {
    const { id } = await aPendingRecord({ minutes: 0 });
    const before = await totalsOf(heYi.volunteerId);
    const result = await platform.query<{ verifyServiceRecord: RecordView }>(VERIFY, { input: { recordId: id } }, { token: stationAdmin });
    expect(result.data!.verifyServiceRecord.status).toBe('VERIFIED');
    expect(await totalsOf(heYi.volunteerId)).toEqual({ verified_minutes: before.verified_minutes, service_count: before.service_count + 1 });
    expect(await outboxEvents('volunteer.hours.verified', id)).toHaveLength(0);
  });

  it('refuses a station admin of another institute, and changes nothing', async () => {
    const { id, activityId } = await aPendingRecord({ minutes: 50 });
    const outsider = await platform.tokenAs('STATION_ADMIN', 'KZ-YUNFENG-YONGXIAN');
    const before = await stateOf(id);

    const attempts = [
      await platform.query(VERIFY, { input: { recordId: id } }, { token: outsider }),
      await platform.query(VERIFY_ACTIVITY, { input: { activityId } }, { token: outsider }),
      await platform.query(REJECT, { input: { recordId: id, reason: '不在本站' } }, { token: outsider }),
      await platform.query(CORRECT, { input: { recordId: id, minutes: 10, reason: '核对签到表' } }, { token: outsider }),
    ];

    expect(attempts.map(errorCodes)).toEqual([['FORBIDDEN'], ['FORBIDDEN'], ['FORBIDDEN'], ['FORBIDDEN']]);
    expect(await stateOf(id)).toEqual(before);
    expect((await platform.query<{ serviceRecord: null }>(RECORD, { id }, { token: outsider })).data!.serviceRecord).toBeNull();
  });

  it('answers an unknown record as it answers one out of scope, except to the center admin', async () => {
    const outsider = await platform.tokenAs('STATION_ADMIN', 'KZ-YUNFENG-YONGXIAN');
    const center = await platform.tokenAs('CENTER_ADMIN', 'KZ');
    expect(errorCodes(await platform.query(VERIFY, { input: { recordId: '987654321' } }, { token: outsider }))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await platform.query(VERIFY, { input: { recordId: '987654321' } }, { token: center }))).toEqual(['NOT_FOUND']);
  });

  it('lets neither the volunteer nor a grid worker verify', async () => {
    const { id } = await aPendingRecord();
    const gridWorker = await platform.tokenAs('GRID_WORKER', 'KZ-HANFENG-YINGBIN');
    expect(errorCodes(await platform.query(VERIFY, { input: { recordId: id } }, { token: heYi.token }))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await platform.query(VERIFY, { input: { recordId: id } }, { token: gridWorker }))).toEqual(['FORBIDDEN']);
    expect((await stateOf(id)).record.status).toBe('PENDING');
  });
});

describe('rejecting and correcting', () => {
  it('rejects a pending record with a reason, after which it can be neither verified nor corrected', async () => {
    const { id } = await aPendingRecord();
    const noReason = await platform.query(REJECT, { input: { recordId: id, reason: '  ' } }, { token: stationAdmin });
    expect(extensionsOf(noReason)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.reason' });

    const result = await platform.query<{ rejectServiceRecord: RecordView }>(REJECT, { input: { recordId: id, reason: '签到记录与现场不符' } }, { token: stationAdmin });
    expect(result.errors).toBeUndefined();
    expect(result.data!.rejectServiceRecord).toMatchObject({ status: 'REJECTED', rejectReason: '签到记录与现场不符', verifiedBy: { id: stationAdminId } });
    expect(result.data!.rejectServiceRecord.history.map((line) => [line.action, line.reason])).toEqual([
      ['CREATED', null],
      ['REJECTED', '签到记录与现场不符'],
    ]);

    const verify = await platform.query(VERIFY, { input: { recordId: id } }, { token: stationAdmin });
    expect(extensionsOf(verify)).toMatchObject({ code: 'INVALID_TRANSITION', from: 'REJECTED', to: 'VERIFIED' });
    const zh = await platform.query(VERIFY, { input: { recordId: id } }, { token: stationAdmin, language: 'zh-CN' });
    expect(zh.errors?.[0]?.message).toContain('已驳回');
    expect(zh.errors?.[0]?.message).toContain('已审核');
    const correct = await platform.query(CORRECT, { input: { recordId: id, minutes: 30, reason: '补录' } }, { token: stationAdmin });
    expect(extensionsOf(correct)).toMatchObject({ code: 'INVALID_TRANSITION', from: 'REJECTED', event: 'correct' });
    expect(await outboxEvents('volunteer.hours.verified', id)).toHaveLength(0);
  });

  it('corrects a pending record without telling the points service', async () => {
    const { id } = await aPendingRecord({ minutes: 60 });
    const before = await totalsOf(heYi.volunteerId);
    const result = await platform.query<{ correctServiceMinutes: RecordView }>(CORRECT, { input: { recordId: id, minutes: 45, reason: '提前离场' } }, { token: stationAdmin });
    expect(result.data!.correctServiceMinutes).toMatchObject({ status: 'PENDING', minutes: 45 });
    expect(await totalsOf(heYi.volunteerId)).toEqual(before);
    expect(await outboxEvents('volunteer.hours.corrected', id)).toHaveLength(0);
  });

  it('corrects a verified record with a reason: the history keeps who, when, why, old and new, and the points service hears of it', async () => {
    const { id } = await aPendingRecord({ minutes: 120 });
    await platform.query(VERIFY, { input: { recordId: id } }, { token: stationAdmin });
    const before = await totalsOf(heYi.volunteerId);

    const result = await platform.query<{ correctServiceMinutes: RecordView }>(
      CORRECT,
      { input: { recordId: id, minutes: 90, reason: '签到表显示 10:30 离场' } },
      { token: stationAdmin },
    );

    expect(result.errors).toBeUndefined();
    const record = result.data!.correctServiceMinutes;
    expect(record).toMatchObject({ status: 'VERIFIED', minutes: 90 });
    expect(record.history.map(({ action, oldMinutes, newMinutes, reason, changedBy }) => ({ action, oldMinutes, newMinutes, reason, changedBy }))).toEqual([
      { action: 'CREATED', oldMinutes: null, newMinutes: 120, reason: null, changedBy: null },
      { action: 'VERIFIED', oldMinutes: null, newMinutes: 120, reason: null, changedBy: { id: stationAdminId } },
      { action: 'CORRECTED', oldMinutes: 120, newMinutes: 90, reason: '签到表显示 10:30 离场', changedBy: { id: stationAdminId } },
    ]);
    expect(Date.now() - Date.parse(record.history[2]!.changedAt)).toBeLessThan(60_000);
    expect(await totalsOf(heYi.volunteerId)).toEqual({ verified_minutes: before.verified_minutes - 30, service_count: before.service_count });
    const events = await outboxEvents('volunteer.hours.corrected', id);
    expect(events.map((event) => event.payload)).toEqual([
      {
        serviceRecordId: id,
        volunteerId: heYi.volunteerId,
        personId: expect.stringMatching(/^\d+$/),
        category: expect.any(String),
        oldMinutes: 120,
        newMinutes: 90,
        reason: '签到表显示 10:30 离场',
      },
    ]);
    await eventually(async () => (await creditJobs(id, 'volunteer.hours.corrected')).length > 0);
    expect(await creditJobs(id, 'volunteer.hours.corrected')).toHaveLength(1);

    // A volunteer reads the same history of their own record.
    const own = await platform.query<{ serviceRecord: RecordView }>(RECORD, { id }, { token: heYi.token });
    expect(own.data!.serviceRecord.history.map((line) => line.action)).toEqual(['CREATED', 'VERIFIED', 'CORRECTED']);
  });

  it('refuses a correction without a reason or outside 0–1440 minutes', async () => {
    const { id } = await aPendingRecord();
    const before = await stateOf(id);
    const noReason = await platform.query(CORRECT, { input: { recordId: id, minutes: 30, reason: '' } }, { token: stationAdmin });
    expect(extensionsOf(noReason)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.reason' });
    const tooMany = await platform.query(CORRECT, { input: { recordId: id, minutes: 1441, reason: '录错' } }, { token: stationAdmin });
    expect(extensionsOf(tooMany)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.minutes', min: 0, max: 1440 });
    expect(await stateOf(id)).toEqual(before);
  });
});

describe('recording offline service', () => {
  const offline = (overrides: Record<string, unknown> = {}) => ({
    volunteerId: heYi.volunteerId,
    unitId: yingbin.id,
    category: 'CIVILITY',
    title: '腾龙广场文明劝导',
    place: '腾龙广场',
    content: '劝导游客文明游园',
    startedAt: new Date(Date.now() - 86_400_000).toISOString(),
    minutes: 150,
    evidence: '纸质签到表第 3 页，现场照片 4 张',
    ...overrides,
  });

  it('records a pending OFFLINE record with its evidence', async () => {
    const result = await platform.query<{ recordOfflineService: RecordView }>(OFFLINE, { input: offline() }, { token: stationAdmin });
    expect(result.errors).toBeUndefined();
    expect(result.data!.recordOfflineService).toMatchObject({
      status: 'PENDING',
      source: 'OFFLINE',
      minutes: 150,
      evidence: '纸质签到表第 3 页，现场照片 4 张',
      category: { code: 'CIVILITY', name: '文明劝导' },
      volunteer: { id: heYi.volunteerId },
      activity: null,
      unit: { id: yingbin.id },
    });
    expect(result.data!.recordOfflineService.history).toEqual([
      expect.objectContaining({ action: 'CREATED', newMinutes: 150, changedBy: { id: stationAdminId } }),
    ]);
  });

  it('refuses a record without evidence, naming input.evidence, and stores nothing', async () => {
    const [before] = await platform.volunteers.query('SELECT count(*)::int AS n FROM service_record');
    const empty = await platform.query(OFFLINE, { input: offline({ evidence: '   ' }) }, { token: stationAdmin });
    expect(extensionsOf(empty)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.evidence' });
    const { evidence: _omitted, ...withoutEvidence } = offline();
    const missing = await platform.query(OFFLINE, { input: withoutEvidence }, { token: stationAdmin });
    expect(errorCodes(missing)).toEqual(['BAD_USER_INPUT']);
    expect(missing.errors?.[0]?.message).toContain('evidence');
    const [after] = await platform.volunteers.query('SELECT count(*)::int AS n FROM service_record');
    expect(after.n).toBe(before.n);
  });

  it('refuses other bad input, naming the field', async () => {
    const future = await platform.query(OFFLINE, { input: offline({ startedAt: new Date(Date.now() + 86_400_000).toISOString() }) }, { token: stationAdmin });
    expect(extensionsOf(future)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.startedAt' });
    const category = await platform.query(OFFLINE, { input: offline({ category: 'NO_SUCH' }) }, { token: stationAdmin });
    expect(extensionsOf(category)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.category' });
    const minutes = await platform.query(OFFLINE, { input: offline({ minutes: 0 }) }, { token: stationAdmin });
    expect(extensionsOf(minutes)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.minutes' });
  });

  it('needs the unit and the volunteer both in the caller\'s subtree', async () => {
    const outsiderVolunteer = await aVolunteer('13700031003', yongxian);
    expect(errorCodes(await platform.query(OFFLINE, { input: offline({ unitId: yongxian.id }) }, { token: stationAdmin }))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await platform.query(OFFLINE, { input: offline({ volunteerId: outsiderVolunteer }) }, { token: stationAdmin }))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await platform.query(OFFLINE, { input: offline() }, { token: heYi.token }))).toEqual(['FORBIDDEN']);
  });
});

describe('who sees which records', () => {
  let neighbourRecord: string;
  let heYiRecord: string;

  beforeAll(async () => {
    heYiRecord = (await aPendingRecord()).id;
    neighbourRecord = (await aPendingRecord({ volunteerId: neighbour })).id;
  });

  it('shows a volunteer only their own records, whatever the filter says', async () => {
    const own = await platform.query<RecordsPage>(RECORDS, { first: 100 }, { token: heYi.token });
    expect(own.errors).toBeUndefined();
    const nodes = own.data!.serviceRecords.edges.map((edge) => edge.node);
    expect(nodes.map((node) => node.id)).toContain(heYiRecord);
    expect(nodes.every((node) => node.volunteer.id === heYi.volunteerId)).toBe(true);
    const [count] = await platform.volunteers.query('SELECT count(*)::int AS n FROM service_record WHERE volunteer_id = $1', [heYi.volunteerId]);
    expect(own.data!.serviceRecords.totalCount).toBe(count.n);

    const theirs = await platform.query<RecordsPage>(RECORDS, { filter: { volunteerId: neighbour } }, { token: heYi.token });
    expect(theirs.data!.serviceRecords).toMatchObject({ totalCount: 0, edges: [] });
    const single = await platform.query<{ serviceRecord: unknown }>(RECORD, { id: neighbourRecord }, { token: heYi.token });
    expect(single.data!.serviceRecord).toBeNull();
  });

  it('shows a resident without a volunteer profile nothing', async () => {
    const zhou = await platform.login(RESIDENT_ZHOU);
    const result = await platform.query<RecordsPage>(RECORDS, {}, { token: zhou });
    expect(result.data!.serviceRecords).toMatchObject({ totalCount: 0, edges: [] });
  });

  it('shows staff the records of their subtree only', async () => {
    const institute = await platform.tokenAs('INSTITUTE_ADMIN', 'KZ-HANFENG');
    const analyst = await platform.tokenAs('ANALYST', 'KZ-HANFENG-YINGBIN');
    const outsider = await platform.tokenAs('STATION_ADMIN', 'KZ-YUNFENG-YONGXIAN');
    for (const token of [stationAdmin, institute, analyst]) {
      const result = await platform.query<RecordsPage>(RECORDS, { filter: { volunteerId: neighbour } }, { token });
      expect(result.data!.serviceRecords.edges.map((edge) => edge.node.id)).toContain(neighbourRecord);
    }
    const outside = await platform.query<RecordsPage>(RECORDS, { filter: { withinUnitId: yingbin.id } }, { token: outsider });
    expect(outside.data!.serviceRecords).toMatchObject({ totalCount: 0, edges: [] });
  });

  it('pages through records newest first with cursors and filters', async () => {
    const activityId = await anActivity();
    const ids: string[] = [];
    for (const volunteerId of [heYi.volunteerId, neighbour, await aVolunteer('13700031004', yingbin)]) {
      ids.push((await aPendingRecord({ activityId, volunteerId })).id);
    }
    await platform.query(VERIFY, { input: { recordId: ids[1] } }, { token: stationAdmin });
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    do {
      const page: GraphQLResult<RecordsPage> = await platform.query<RecordsPage>(RECORDS, { filter: { activityId }, first: 2, after }, { token: stationAdmin });
      expect(page.errors).toBeUndefined();
      expect(page.data!.serviceRecords.totalCount).toBe(3);
      seen.push(...page.data!.serviceRecords.edges.map((edge) => edge.node.id));
      after = page.data!.serviceRecords.pageInfo.hasNextPage ? page.data!.serviceRecords.pageInfo.endCursor : null;
      pages += 1;
    } while (after);
    expect(pages).toBe(2);
    // Same start time: the newest record (highest id) first.
    expect(seen).toEqual([...ids].reverse());
    const pending = await platform.query<RecordsPage>(RECORDS, { filter: { activityId, status: 'PENDING' } }, { token: stationAdmin });
    expect(pending.data!.serviceRecords.edges.map((edge) => edge.node.id).sort()).toEqual([ids[0], ids[2]].sort());
    const bad = await platform.query(RECORDS, { after: 'bm90LWEtY3Vyc29y' }, { token: stationAdmin });
    expect(extensionsOf(bad)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
  });
});

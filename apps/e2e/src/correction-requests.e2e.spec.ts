import { startNotificationWorker, RunningNotificationWorker } from '@kz/notification-worker';
import { errorCodes, eventually, eventuallyValue } from '@kz/testing';
import { Platform, startPlatform } from './stack';

/**
 * Correction requests (办法 Art. 13) through the gateway and the whole platform: 何毅 disputes the minutes of his own
 * verified record, the station admin accepts or declines once, the points service credits the difference once (the
 * `volunteer.hours.corrected` path staff corrections take), and the notification worker puts the decision in his inbox.
 */
const STATION_ADMIN = '13900230005'; // 迎宾社区
const INSTITUTE_ADMIN = '13900230004'; // 汉丰街道
const VOLUNTEER_HE_YI = '13900230007';

let platform: Platform;
let worker: RunningNotificationWorker;
let yingbin: { id: string; path: string };
let stationAdmin: string;
let stationAdminId: string;
let instituteAdmin: string;
let heYi: { volunteerId: string; personId: string; token: string };

beforeAll(async () => {
  platform = await startPlatform({ seed: 'demo' });
  worker = await startNotificationWorker(
    {
      ...platform.config,
      VOLUNTEERS_SUBGRAPH_URL: platform.subgraphs.volunteers.url,
      ORDERS_SUBGRAPH_URL: platform.subgraphs.orders.url,
      POINTS_SUBGRAPH_URL: platform.subgraphs.points.url,
      QUIET_HOURS: 'off', // whatever the hour in Kaizhou when this runs
    },
    { port: 0, retry: { baseMs: 50, capMs: 500 } },
  );
  yingbin = await platform.unit('KZ-HANFENG-YINGBIN');
  stationAdmin = await platform.login(STATION_ADMIN);
  instituteAdmin = await platform.login(INSTITUTE_ADMIN);
  [{ id: stationAdminId }] = await platform.volunteers.query('SELECT id::text FROM person WHERE mobile = $1', [STATION_ADMIN]);
  const [row] = await platform.volunteers.query(
    'SELECT v.id::text AS volunteer_id, p.id::text AS person_id FROM volunteer v JOIN person p ON p.id = v.person_id WHERE p.mobile = $1',
    [VOLUNTEER_HE_YI],
  );
  heYi = { volunteerId: row.volunteer_id, personId: row.person_id, token: await platform.login(VOLUNTEER_HE_YI) };
}, 120_000);

afterAll(async () => {
  await worker?.stop();
  await platform?.stop();
});

const REQUEST_FIELDS = `id status currentMinutes proposedMinutes reason decisionReason requestedBy { id } decidedBy { id }
  record { id minutes history { action oldMinutes newMinutes reason changedBy { id } } }`;
const REQUEST = `mutation($input: RequestServiceRecordCorrectionInput!) { requestServiceRecordCorrection(input: $input) { ${REQUEST_FIELDS} } }`;
const ACCEPT = `mutation($input: DecideServiceRecordCorrectionInput!) { acceptServiceRecordCorrection(input: $input) { ${REQUEST_FIELDS} } }`;
const DECLINE = `mutation($input: DecideServiceRecordCorrectionInput!) { declineServiceRecordCorrection(input: $input) { ${REQUEST_FIELDS} } }`;
const VERIFY = `mutation($input: ServiceRecordIdInput!) { verifyServiceRecord(input: $input) { id status } }`;
const OPEN = `query($id: ID!) { unit(id: $id) { openServiceRecordCorrections(first: 50) { totalCount edges { node { id proposedMinutes record { id } } } } } }`;
const MINE = `{ myServiceRecordCorrections(first: 50) { totalCount edges { node { id status decisionReason } } } }`;
const INBOX = `{ myNotifications(first: 100) { edges { node { kind title body link } } } }`;

type RequestView = {
  id: string;
  status: string;
  currentMinutes: number;
  proposedMinutes: number;
  decisionReason: string | null;
  decidedBy: { id: string } | null;
  record: { id: string; minutes: number; history: { action: string; oldMinutes: number | null; newMinutes: number | null; reason: string | null; changedBy: { id: string } | null }[] };
};
type Notification = { kind: string; title: string; body: string; link: string | null };

async function must<T>(query: string, variables: Record<string, unknown>, token: string): Promise<T> {
  const result = await platform.query<T>(query, variables, { token });
  if (result.errors) throw new Error(`${query.slice(0, 60)}: ${JSON.stringify(result.errors)}`);
  return result.data!;
}

let serial = 0;

/** A record of 何毅 at a past activity of 迎宾, verified by the station admin through the gateway and credited. */
async function aCreditedRecord(minutes: number): Promise<string> {
  serial += 1;
  const [activity] = await platform.volunteers.query(
    `INSERT INTO activity (title, category, organizing_unit_id, organizing_unit_path, starts_at, ends_at, place_name, lat, lng,
                           check_in_radius_m, capacity, status, created_by)
     VALUES ($1, 'ENVIRONMENT', $2, $3, now() - interval '3 hours', now() - interval '1 hour', '腾龙广场', 31.16, 108.39, 200, 50, 'DONE', 'test')
     RETURNING id::text`,
    [`腾龙广场环境整治 ${serial}`, yingbin.id, yingbin.path],
  );
  const [record] = await platform.volunteers.query(
    `INSERT INTO service_record (volunteer_id, activity_id, unit_id, unit_path, category, title, started_at, minutes, source, created_by)
     VALUES ($1, $2, $3, $4, 'ENVIRONMENT', $5, now() - interval '3 hours', $6, 'CHECK_OUT', 'test') RETURNING id::text`,
    [heYi.volunteerId, activity.id, yingbin.id, yingbin.path, `腾龙广场环境整治 ${serial}`, minutes],
  );
  await must(VERIFY, { input: { recordId: record.id } }, stationAdmin);
  await eventually(async () => (await creditsOf(record.id)).length === 1);
  return record.id;
}

/** The love bank's credits of a service record to the person, oldest first. */
function creditsOf(recordId: string): Promise<{ kind: string; amount: number }[]> {
  return platform.points.query(
    `SELECT t.kind, p.amount::int AS amount FROM ledger_transaction t
       JOIN posting p ON p.transaction_id = t.id JOIN points_account a ON a.id = p.account_id
      WHERE t.service_record_id = $1 AND a.kind = 'PERSON' ORDER BY t.id`,
    [recordId],
  );
}

async function myBalance(): Promise<number> {
  return (await must<{ myAccount: { balance: number } | null }>(`{ myAccount { balance } }`, {}, heYi.token)).myAccount?.balance ?? 0;
}
async function verifiedMinutes(): Promise<number> {
  return (await platform.volunteers.query('SELECT verified_minutes FROM volunteer WHERE id = $1', [heYi.volunteerId]))[0].verified_minutes;
}
async function inboxAbout(recordId: string): Promise<Notification[]> {
  // In Chinese, as the app asks for it.
  const result = await platform.query<{ myNotifications: { edges: { node: Notification }[] } }>(INBOX, {}, { token: heYi.token, language: 'zh-CN' });
  if (result.errors) throw new Error(JSON.stringify(result.errors));
  return result.data!.myNotifications.edges.map((edge) => edge.node).filter((n) => n.kind === 'volunteer.record.correction.decided' && n.link === `serviceRecord:${recordId}`);
}

describe('a volunteer disputes a record (办法 Art. 13)', () => {
  it('a disputed record corrected once moves minutes, totals and points once, and the volunteer reads the decision in the inbox', async () => {
    const recordId = await aCreditedRecord(60);
    expect(await creditsOf(recordId)).toEqual([{ kind: 'CREDIT', amount: 10 }]); // 60 minutes at the default 10 per hour
    const [balance, minutes] = [await myBalance(), await verifiedMinutes()];

    const { requestServiceRecordCorrection: opened } = await must<{ requestServiceRecordCorrection: RequestView }>(
      REQUEST,
      { input: { recordId, minutes: 90, reason: '活动延长了半小时，签退时手机没电' } },
      heYi.token,
    );
    expect(opened).toMatchObject({ status: 'OPEN', currentMinutes: 60, proposedMinutes: 90 });
    // A second request waits for the first to be decided.
    const twice = await platform.query(REQUEST, { input: { recordId, minutes: 80, reason: '再次申请' } }, { token: heYi.token, language: 'zh-CN' });
    expect(errorCodes(twice)).toEqual(['CONFLICT']);
    expect(twice.errors![0]!.message).toContain('已有待处理的更正申请');

    // The station sees it among the open requests of its subtree, and so does the institute above.
    for (const token of [stationAdmin, instituteAdmin]) {
      const open = await must<{ unit: { openServiceRecordCorrections: { edges: { node: { id: string; record: { id: string } } }[] } } }>(OPEN, { id: yingbin.id }, token);
      expect(open.unit.openServiceRecordCorrections.edges.map((edge) => edge.node)).toContainEqual({ id: opened.id, proposedMinutes: 90, record: { id: recordId } });
    }

    // Five decisions at the same moment, by the station and the institute: one accepts, the others are told it is decided.
    const results = await Promise.all(
      [stationAdmin, instituteAdmin, stationAdmin, instituteAdmin, stationAdmin].map((token) =>
        platform.query<{ acceptServiceRecordCorrection: RequestView }>(ACCEPT, { input: { requestId: opened.id, reason: '核对签到表，属实' } }, { token }),
      ),
    );
    expect(results.filter((result) => !result.errors)).toHaveLength(1);
    expect(results.filter((result) => result.errors).flatMap(errorCodes)).toEqual(Array(4).fill('INVALID_TRANSITION'));
    const accepted = results.find((result) => !result.errors)!.data!.acceptServiceRecordCorrection;
    expect(accepted).toMatchObject({ status: 'ACCEPTED', decisionReason: '核对签到表，属实', record: { minutes: 90 } });
    // The history shows both actors and both reasons.
    expect(accepted.record.history.slice(-2)).toEqual([
      { action: 'CORRECTION_REQUESTED', oldMinutes: 60, newMinutes: 90, reason: '活动延长了半小时，签退时手机没电', changedBy: { id: heYi.personId } },
      { action: 'CORRECTED', oldMinutes: 60, newMinutes: 90, reason: '核对签到表，属实', changedBy: { id: accepted.decidedBy!.id } },
    ]);
    expect(await verifiedMinutes()).toBe(minutes + 30);

    // The points service credits the difference, once.
    await eventually(async () => (await creditsOf(recordId)).length === 2);
    expect(await creditsOf(recordId)).toEqual([
      { kind: 'CREDIT', amount: 10 },
      { kind: 'CREDIT_CORRECTION', amount: 5 },
    ]);
    expect(await myBalance()).toBe(balance + 5);
    const corrected = await platform.volunteers.query(`SELECT count(*)::int AS n FROM outbox WHERE type = 'volunteer.hours.corrected' AND payload->>'serviceRecordId' = $1`, [recordId]);
    expect(corrected[0].n).toBe(1);

    // 何毅 reads the decision, in Chinese, linked to the record.
    const [notice] = await eventuallyValue(async () => {
      const found = await inboxAbout(recordId);
      return found.length > 0 ? found : undefined;
    });
    expect(notice).toMatchObject({ title: '服务记录已更正' });
    expect(notice!.body).toContain('时长已更正为 90 分钟');
    expect(notice!.body).toContain('核对签到表，属实');
    const mine = await must<{ myServiceRecordCorrections: { edges: { node: { id: string; status: string } }[] } }>(MINE, {}, heYi.token);
    expect(mine.myServiceRecordCorrections.edges.map((edge) => edge.node)).toContainEqual({ id: opened.id, status: 'ACCEPTED', decisionReason: '核对签到表，属实' });
    // Nothing more arrives: the same points, one notice.
    expect(await creditsOf(recordId)).toHaveLength(2);
    expect(await inboxAbout(recordId)).toHaveLength(1);
  });

  it('a declined request keeps the minutes and the points, and tells the volunteer why', async () => {
    const recordId = await aCreditedRecord(60);
    const [balance, minutes] = [await myBalance(), await verifiedMinutes()];
    const { requestServiceRecordCorrection: opened } = await must<{ requestServiceRecordCorrection: RequestView }>(
      REQUEST,
      { input: { recordId, minutes: 120, reason: '我服务了两个小时' } },
      heYi.token,
    );
    const { declineServiceRecordCorrection: declined } = await must<{ declineServiceRecordCorrection: RequestView }>(
      DECLINE,
      { input: { requestId: opened.id, reason: '签到表显示 10:00 签退' } },
      stationAdmin,
    );
    expect(declined).toMatchObject({ status: 'DECLINED', decidedBy: { id: stationAdminId }, record: { minutes: 60 } });
    expect(declined.record.history.at(-1)).toEqual({ action: 'CORRECTION_DECLINED', oldMinutes: 60, newMinutes: 120, reason: '签到表显示 10:00 签退', changedBy: { id: stationAdminId } });

    const [notice] = await eventuallyValue(async () => {
      const found = await inboxAbout(recordId);
      return found.length > 0 ? found : undefined;
    });
    expect(notice).toMatchObject({ title: '更正申请未通过' });
    expect(notice!.body).toContain('签到表显示 10:00 签退');
    expect(await verifiedMinutes()).toBe(minutes);
    expect(await creditsOf(recordId)).toEqual([{ kind: 'CREDIT', amount: 10 }]);
    expect(await myBalance()).toBe(balance);
  });

  it('refuses a record of someone else and a decision by the volunteer or by staff of another institute', async () => {
    const recordId = await aCreditedRecord(30);
    // Another volunteer of 迎宾, signed in with a token of their own.
    const [person] = await platform.volunteers.query(
      `INSERT INTO person (real_name, mobile, home_unit_id, home_unit_path) VALUES ('邻居志愿者', '13700033001', $1, $2) RETURNING id::text`,
      [yingbin.id, yingbin.path],
    );
    await platform.volunteers.query(`INSERT INTO volunteer (person_id, status, home_station_id, home_station_path) VALUES ($1, 'ACTIVE', $2, $3)`, [
      person.id,
      yingbin.id,
      yingbin.path,
    ]);
    const neighbour = await platform.tokenAs('VOLUNTEER', undefined, person.id);
    expect(errorCodes(await platform.query(REQUEST, { input: { recordId, minutes: 45, reason: '替他申请' } }, { token: neighbour }))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await platform.query(REQUEST, { input: { recordId, minutes: 45, reason: '替他申请' } }, { token: stationAdmin }))).toEqual(['FORBIDDEN']);
    const { requestServiceRecordCorrection: opened } = await must<{ requestServiceRecordCorrection: RequestView }>(
      REQUEST,
      { input: { recordId, minutes: 45, reason: '少记了一刻钟' } },
      heYi.token,
    );
    const decide = (token: string) => platform.query(ACCEPT, { input: { requestId: opened.id, reason: '同意' } }, { token });
    expect(errorCodes(await decide(heYi.token))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await decide(await platform.tokenAs('STATION_ADMIN', 'KZ-YUNFENG-YONGXIAN')))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await decide(await platform.tokenAs('INSTITUTE_ADMIN', 'KZ-YUNFENG')))).toEqual(['FORBIDDEN']);
    const open = await platform.query(OPEN, { id: yingbin.id }, { token: await platform.tokenAs('STATION_ADMIN', 'KZ-YUNFENG-YONGXIAN') });
    expect(errorCodes(open)).toEqual(['FORBIDDEN']);
    const [{ status }] = await platform.volunteers.query('SELECT status FROM service_record_correction_request WHERE id = $1', [opened.id]);
    expect(status).toBe('OPEN');
  });
});

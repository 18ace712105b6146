import { errorCodes } from '@kz/testing';
import { Platform, startPlatform } from './stack';

/**
 * Exchange readiness (条例 Art. 19; 办法 Art. 4) through the gateway: the center admin's export after a correction has
 * the corrected minutes, a total is the sum of the exported per-record hours, identity columns wait for the EXPORT
 * consent, every export is logged, nobody else may export, and the exchange outbox holds one row per verified record
 * however often it is verified or corrected.
 */
const CENTER_ADMIN = '13900230001';
const INSTITUTE_ADMIN = '13900230004'; // 汉丰街道
const STATION_ADMIN = '13900230005'; // 迎宾社区
const VOLUNTEER_HE_YI = '13900230007';

/** A stretch of time the demo seed has no service in, so the export holds this spec's records only. */
const FROM = '2019-03-31T16:00:00Z';
const TO = '2019-04-30T16:00:00Z';

const VERIFY = `mutation($input: ServiceRecordIdInput!) { verifyServiceRecord(input: $input) { id status } }`;
const CORRECT = `mutation($input: CorrectServiceMinutesInput!) { correctServiceMinutes(input: $input) { id minutes hours } }`;
const EXPORT = `mutation($input: ExportServiceRecordsInput!) { exportServiceRecords(input: $input) {
  totalHours files { name mediaType content } log { id people peopleWithoutConsent records exportedBy { id } unit { id name } } } }`;
const LOG = `{ exportLog(limit: 5) { id people records format exportedBy { id } unit { id } } }`;
const SET_ID = `mutation($input: SetExternalIdInput!) { setExternalId(input: $input) { target externalId } }`;
const RECORD = `query($id: ID!) { serviceRecord(id: $id) { minutes externalIds { target externalId } volunteer { externalIds { target externalId } } } }`;

type ExportView = {
  totalHours: number;
  files: { name: string; mediaType: string; content: string }[];
  log: { id: string; people: number; peopleWithoutConsent: number; records: number; exportedBy: { id: string } | null; unit: { id: string; name: string } };
};

let platform: Platform;
let yingbin: { id: string; path: string };
let center: string;
let centerId: string;
let institute: string;
let station: string;
let heYi: { volunteerId: string; personId: string; token: string };

beforeAll(async () => {
  platform = await startPlatform({ seed: 'demo' });
  yingbin = await platform.unit('KZ-HANFENG-YINGBIN');
  center = await platform.login(CENTER_ADMIN);
  institute = await platform.login(INSTITUTE_ADMIN);
  station = await platform.login(STATION_ADMIN);
  [{ id: centerId }] = await platform.volunteers.query('SELECT id::text FROM person WHERE mobile = $1', [CENTER_ADMIN]);
  const [row] = await platform.volunteers.query(
    'SELECT v.id::text AS volunteer_id, p.id::text AS person_id FROM volunteer v JOIN person p ON p.id = v.person_id WHERE p.mobile = $1',
    [VOLUNTEER_HE_YI],
  );
  heYi = { volunteerId: row.volunteer_id, personId: row.person_id, token: await platform.login(VOLUNTEER_HE_YI) };
}, 120_000);

afterAll(() => platform?.stop());

async function must<T>(query: string, variables: Record<string, unknown>, token: string): Promise<T> {
  const result = await platform.query<T>(query, variables, { token });
  if (result.errors) throw new Error(`${query.slice(0, 60)}: ${JSON.stringify(result.errors)}`);
  return result.data!;
}

/** A pending check-out record of 何毅 at a past activity of 迎宾, on `day` of April 2019 (Beijing). */
async function aRecord(day: number, minutes: number): Promise<string> {
  const startsAt = `2019-04-${String(day).padStart(2, '0')}T01:00:00Z`;
  const [activity] = await platform.volunteers.query(
    `INSERT INTO activity (title, category, organizing_unit_id, organizing_unit_path, starts_at, ends_at, place_name, lat, lng,
                           check_in_radius_m, capacity, status, created_by, description)
     VALUES ($1, 'ENVIRONMENT', $2, $3, $4, $4::timestamptz + interval '2 hours', '汉丰湖滨', 31.16, 108.39, 200, 50, 'DONE', 'test', '清理湖岸垃圾') RETURNING id::text`,
    [`汉丰湖护湖 ${day}`, yingbin.id, yingbin.path, startsAt],
  );
  const [record] = await platform.volunteers.query(
    `INSERT INTO service_record (volunteer_id, activity_id, unit_id, unit_path, category, title, started_at, minutes, source, created_by, place, content)
     VALUES ($1, $2, $3, $4, 'ENVIRONMENT', $5, $6, $7, 'CHECK_OUT', 'test', '汉丰湖滨', '清理湖岸垃圾') RETURNING id::text`,
    [heYi.volunteerId, activity.id, yingbin.id, yingbin.path, `汉丰湖护湖 ${day}`, startsAt, minutes],
  );
  return record.id;
}

/** A file's rows as objects by their Chinese headers (the fixtures hold no commas or quotes). */
function table(view: ExportView, name: string): Record<string, string>[] {
  const content = view.files.find((file) => file.name === name)!.content;
  expect(content.startsWith('\uFEFF')).toBe(true);
  const [header, ...rows] = content.slice(1).replace(/\r\n$/, '').split('\r\n').map((line) => line.split(','));
  return rows.map((row) => Object.fromEntries(header!.map((column, index) => [column, row[index] ?? ''])));
}

const outboxRows = async (ids: string[]): Promise<number> =>
  (await platform.volunteers.query('SELECT count(*)::int AS n FROM exchange_outbox WHERE record_id = ANY($1::bigint[])', [ids]))[0].n;
const logCount = async (): Promise<number> => (await platform.volunteers.query('SELECT count(*)::int AS n FROM export_log'))[0].n;

describe('exchange readiness (条例 Art. 19; 办法 Art. 4)', () => {
  let first: string;
  let second: string;

  it('verified records are queued once each, however often they are verified or corrected', async () => {
    first = await aRecord(10, 50);
    second = await aRecord(11, 50);
    for (const recordId of [first, second]) await must(VERIFY, { input: { recordId } }, station);
    expect(await outboxRows([first, second])).toBe(2);
    expect(errorCodes(await platform.query(VERIFY, { input: { recordId: first } }, { token: station }))).toEqual(['INVALID_TRANSITION']);
    for (const minutes of [80, 75]) await must(CORRECT, { input: { recordId: first, minutes, reason: '核对签退时间' } }, station);
    expect(await outboxRows([first, second])).toBe(2);
    const [row] = await platform.volunteers.query(`SELECT target, status, revision FROM exchange_outbox WHERE record_id = $1`, [first]);
    expect(row).toEqual({ target: 'NATIONAL', status: 'PENDING', revision: 3 });
  });

  it('the center admin’s export has the corrected minutes, a total that is the sum of its hours, and is logged', async () => {
    const before = await logCount();
    const { exportServiceRecords: view } = await must<{ exportServiceRecords: ExportView }>(EXPORT, { input: { unitId: yingbin.id, from: FROM, to: TO } }, center);
    const records = table(view, 'service-records.csv');
    expect(records.map((row) => [row['记录编号'], row['服务时长（分钟）'], row['服务时长（小时）']])).toEqual([
      [first, '75', '1.25'],
      [second, '50', '0.83'],
    ]);
    expect(records[0]).toMatchObject({ 姓名: '何毅', 服务地点: '汉丰湖滨', 服务内容: '清理湖岸垃圾', 服务时间: '2019-04-10 09:00' });
    const sum = records.reduce((total, row) => total + Math.round(Number(row['服务时长（小时）']) * 100), 0) / 100;
    expect(view.totalHours).toBe(sum);
    const [volunteer] = table(view, 'volunteers.csv');
    expect(volunteer).toMatchObject({ 志愿者编号: heYi.volunteerId, 姓名: '何毅', 服务记录数: '2', '服务时长合计（小时）': '2.08' });
    expect(table(view, 'activities.csv')).toHaveLength(2);
    expect(view.log).toMatchObject({ people: 1, records: 2, exportedBy: { id: centerId }, unit: { id: yingbin.id } });
    expect(await logCount()).toBe(before + 1);
    const { exportLog } = await must<{ exportLog: { id: string; people: number; records: number; format: string }[] }>(LOG, {}, center);
    expect(exportLog[0]).toMatchObject({ id: view.log.id, people: 1, records: 2, format: 'CSV' });

    const { exportServiceRecords: xlsx } = await must<{ exportServiceRecords: ExportView }>(EXPORT, { input: { unitId: yingbin.id, from: FROM, to: TO, format: 'XLSX' } }, center);
    expect(xlsx.files.map((file) => [file.name, file.mediaType])).toEqual([['service-records.xlsx', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet']]);
    expect(Buffer.from(xlsx.files[0]!.content, 'base64').subarray(0, 4)).toEqual(Buffer.from('PK\u0003\u0004', 'latin1')); // a zip, as OOXML is
    expect(xlsx.totalHours).toBe(view.totalHours);
  });

  it('identity columns wait for the volunteer’s EXPORT consent', async () => {
    const exportNow = async () => (await must<{ exportServiceRecords: ExportView }>(EXPORT, { input: { unitId: yingbin.id, from: FROM, to: TO } }, center)).exportServiceRecords;
    // The demo seed records no EXPORT consent.
    const withheld = await exportNow();
    expect(table(withheld, 'volunteers.csv')[0]).toMatchObject({ 已同意导出: '否', 证件类型: '', '证件号码（脱敏）': '', 性别: '', 出生日期: '' });
    expect(withheld.log.peopleWithoutConsent).toBe(1);
    await must(`mutation($input: RecordConsentInput!) { recordConsent(input: $input) { id } }`, { input: { purpose: 'EXPORT', policyVersion: '2026-01' } }, heYi.token);
    const given = await exportNow();
    const [row] = table(given, 'volunteers.csv');
    expect(row).toMatchObject({ 已同意导出: '是', 证件类型: '居民身份证', 性别: '男', 出生日期: '1975-07-07' });
    expect(row!['证件号码（脱敏）']).toMatch(/^5002.+\*/);
    expect(given.log.peopleWithoutConsent).toBe(0);
  });

  it('nobody but the center admin exports or reads the register, an institute admin in their subtree included; nothing is logged', async () => {
    const before = await logCount();
    for (const token of [institute, station, heYi.token]) {
      expect(errorCodes(await platform.query(EXPORT, { input: { unitId: yingbin.id, from: FROM, to: TO } }, { token }))).toEqual(['FORBIDDEN']);
      expect(errorCodes(await platform.query(LOG, {}, { token }))).toEqual(['FORBIDDEN']);
    }
    const yongxian = await platform.unit('KZ-YUNFENG-YONGXIAN');
    expect(errorCodes(await platform.query(EXPORT, { input: { unitId: yongxian.id } }, { token: institute }))).toEqual(['FORBIDDEN']);
    expect(await logCount()).toBe(before);
  });

  it('external ids are set by the center admin, read on the record and the volunteer, and exported', async () => {
    await must(SET_ID, { input: { kind: 'RECORD', entityId: first, target: 'NATIONAL', externalId: 'E2E-JL-1' } }, center);
    await must(SET_ID, { input: { kind: 'VOLUNTEER', entityId: heYi.volunteerId, target: 'NATIONAL', externalId: 'E2E-ZY-1' } }, center);
    expect(errorCodes(await platform.query(SET_ID, { input: { kind: 'RECORD', entityId: second, target: 'NATIONAL', externalId: 'E2E-JL-1' } }, { token: center }))).toEqual([
      'CONFLICT',
    ]);
    expect(errorCodes(await platform.query(SET_ID, { input: { kind: 'RECORD', entityId: second, target: 'NATIONAL', externalId: 'E2E-JL-2' } }, { token: institute }))).toEqual([
      'FORBIDDEN',
    ]);
    const { serviceRecord } = await must<{ serviceRecord: { minutes: number; externalIds: unknown[]; volunteer: { externalIds: unknown[] } } }>(RECORD, { id: first }, station);
    expect(serviceRecord).toEqual({
      minutes: 75,
      externalIds: [{ target: 'NATIONAL', externalId: 'E2E-JL-1' }],
      volunteer: { externalIds: [{ target: 'NATIONAL', externalId: 'E2E-ZY-1' }] },
    });
    const { exportServiceRecords: view } = await must<{ exportServiceRecords: ExportView }>(EXPORT, { input: { unitId: yingbin.id, from: FROM, to: TO } }, center);
    expect(table(view, 'service-records.csv').map((row) => row['全国系统编号'])).toEqual(['E2E-JL-1', '']);
    expect(table(view, 'volunteers.csv')[0]!['全国系统编号']).toBe('E2E-ZY-1');
  });
});

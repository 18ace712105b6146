import { Workbook } from 'exceljs';
import type { Claims } from '@kz/auth';
import { RunningSubgraph } from '@kz/subgraph';
import { aCaller, errorCodes, startSubgraphAlone, SubgraphAlone } from '@kz/testing';
import { startVolunteersSubgraph } from '../app';
import { hoursFromMinutes } from '../records/hours';
import { upsertUnitRefs } from '../units/unit-ref';
import { CENTER, centerAdmin, INSTITUTE, OTHER_INSTITUTE, OTHER_STATION, STATION } from '../testing/unit-tree';

/** Exchange readiness (条例 Art. 19; 办法 Art. 4) in the volunteers subgraph, against its real database. */

const center = centerAdmin;
const instituteAdmin = aCaller.staff('INSTITUTE_ADMIN', INSTITUTE, 'p-institute');
const stationAdmin = aCaller.staff('STATION_ADMIN', STATION, 'p-station');

const VERIFY = `mutation($input: ServiceRecordIdInput!) { verifyServiceRecord(input: $input) { id status } }`;
const CORRECT = `mutation($input: CorrectServiceMinutesInput!) { correctServiceMinutes(input: $input) { id minutes } }`;
const EXPORT = `mutation($input: ExportServiceRecordsInput!) { exportServiceRecords(input: $input) {
  totalHours files { name mediaType encoding content }
  log { id format people peopleWithoutConsent records activities from to unit { id } } } }`;
const LOG = `query($limit: Int) { exportLog(limit: $limit) { id people records format unit { id } } }`;
const SET_ID = `mutation($input: SetExternalIdInput!) { setExternalId(input: $input) { kind entityId target externalId setAt } }`;
const RECORD_IDS = `query($id: ID!) { serviceRecord(id: $id) { id externalIds { target externalId } } }`;

type ExportView = {
  totalHours: number;
  files: { name: string; mediaType: string; encoding: string; content: string }[];
  log: { id: string; format: string; people: number; peopleWithoutConsent: number; records: number; activities: number; unit: { id: string } };
};

/** The rows of a CSV the export wrote (no quoted cells in these fixtures), header first; checks BOM and CRLF. */
function rowsOf(content: string): string[][] {
  expect(content.startsWith('\uFEFF')).toBe(true);
  expect(content.endsWith('\r\n')).toBe(true);
  expect(content.slice(1, -2).includes('\n')).toBe(content.slice(1, -2).includes('\r\n'));
  return content.slice(1, -2).split('\r\n').map((line) => line.split(','));
}

/** A file's rows as objects by their Chinese headers. */
function table(view: ExportView, name: string): Record<string, string>[] {
  const [header, ...rows] = rowsOf(view.files.find((file) => file.name === name)!.content);
  return rows.map((row) => Object.fromEntries(header!.map((column, index) => [column, row[index] ?? ''])));
}

describe('exchange readiness (条例 Art. 19; 办法 Art. 4)', () => {
  let alone: SubgraphAlone<RunningSubgraph>;
  let serial = 0;
  const db = () => alone.running.dataSource;

  /** A volunteer at `station` with a resident ID's basics; with `consent`, an EXPORT consent. */
  async function aVolunteer(name: string, consent: boolean, station: { id: string; path: string } = STATION): Promise<string> {
    serial += 1;
    const [person] = await db().query(
      `INSERT INTO person (real_name, mobile, document_type, id_number_masked, gender, birth_date)
       VALUES ($1, $2, 'RESIDENT_ID', '500234**********2X', 'F', '1985-03-12') RETURNING id::text`,
      [name, `1370044${String(serial).padStart(4, '0')}`],
    );
    const [row] = await db().query(
      `INSERT INTO volunteer (person_id, status, home_station_id, home_station_path, residence_area) VALUES ($1, 'ACTIVE', $2, $3, '汉丰街道迎宾社区') RETURNING id::text`,
      [person.id, station.id, station.path],
    );
    if (consent) {
      await db().query(
        `INSERT INTO consent (person_id, purpose, policy_version, method, given_by, given_at, recorded_by) VALUES ($1, 'EXPORT', '2026-01', 'SELF', 'SELF', now(), $2)`,
        [person.id, String(person.id)],
      );
    }
    return row.id;
  }

  /** A pending offline record at `unit`, started at `startedAt`. */
  async function aRecord(volunteerId: string, minutes: number, startedAt: string, unit: { id: string; path: string } = STATION): Promise<string> {
    const [record] = await db().query(
      `INSERT INTO service_record (volunteer_id, unit_id, unit_path, category, title, started_at, minutes, status, source, evidence, created_by, place, content, responsible_name)
       VALUES ($1, $2, $3, 'ENVIRONMENT', '腾龙广场环境整治', $4, $5, 'PENDING', 'OFFLINE', '签到表', 'test', '腾龙广场', '清扫广场垃圾', '王站长') RETURNING id::text`,
      [volunteerId, unit.id, unit.path, startedAt, minutes],
    );
    return record.id;
  }

  async function verify(recordId: string) {
    return alone.ask(VERIFY, { input: { recordId } }, stationAdmin);
  }
  async function mustExport(input: Record<string, unknown>): Promise<ExportView> {
    const result = await alone.ask<{ exportServiceRecords: ExportView }>(EXPORT, { input }, center);
    if (result.errors) throw new Error(JSON.stringify(result.errors));
    return result.data!.exportServiceRecords;
  }
  const outboxOf = (recordId: string): Promise<{ target: string; status: string; attempts: number; revision: number; external_id: string | null }[]> =>
    db().query('SELECT target, status, attempts, revision, external_id FROM exchange_outbox WHERE record_id = $1 ORDER BY target', [recordId]);
  const logCount = async (): Promise<number> => (await db().query('SELECT count(*)::int AS n FROM export_log'))[0].n;

  beforeAll(async () => {
    alone = await startSubgraphAlone('VOLUNTEERS_DATABASE', (config) => startVolunteersSubgraph(config, { port: 0 }), center);
    await db().transaction((manager) => upsertUnitRefs(manager, [CENTER, INSTITUTE, STATION, OTHER_INSTITUTE, OTHER_STATION], new Date(0).toISOString()));
  });

  afterAll(() => alone?.stop());

  it('queues each verified record once for the national system, and a correction re-opens that same row', async () => {
    const volunteerId = await aVolunteer('赵outbox', true);
    const recordId = await aRecord(volunteerId, 60, '2026-03-02T01:00:00Z');
    expect(await outboxOf(recordId)).toEqual([]);
    // A correction of a pending record is no exchange: it has not been verified.
    expect((await alone.ask(CORRECT, { input: { recordId, minutes: 70, reason: '按签到表' } }, stationAdmin)).errors).toBeUndefined();
    expect(await outboxOf(recordId)).toEqual([]);

    expect((await verify(recordId)).errors).toBeUndefined();
    expect(await outboxOf(recordId)).toEqual([{ target: 'NATIONAL', status: 'PENDING', attempts: 0, revision: 1, external_id: null }]);
    expect(errorCodes(await verify(recordId))).toEqual(['INVALID_TRANSITION']);
    expect(await outboxOf(recordId)).toHaveLength(1);

    // A push adapter sent it and was given an id; a correction makes it due again, under the same row and id.
    await db().query(`UPDATE exchange_outbox SET status = 'SENT', attempts = 2, external_id = 'N-1' WHERE record_id = $1`, [recordId]);
    for (const minutes of [80, 90]) {
      expect((await alone.ask(CORRECT, { input: { recordId, minutes, reason: '核对签退时间' } }, stationAdmin)).errors).toBeUndefined();
    }
    expect(await outboxOf(recordId)).toEqual([{ target: 'NATIONAL', status: 'PENDING', attempts: 0, revision: 3, external_id: 'N-1' }]);
  });

  it('verifying an activity’s records at once queues one row per record', async () => {
    const volunteerIds = [await aVolunteer('钱bulk', true), await aVolunteer('郑bulk', false)];
    const [{ id: activityId }] = await db().query(
      `INSERT INTO activity (title, category, organizing_unit_id, organizing_unit_path, starts_at, ends_at, place_name, lat, lng, check_in_radius_m, capacity, status, created_by)
       VALUES ('河道巡护', 'ENVIRONMENT', 5, '1/2/5', '2026-03-03T01:00:00Z', '2026-03-03T03:00:00Z', '汉丰湖', 31.16, 108.39, 200, 10, 'PUBLISHED', 'test') RETURNING id::text`,
    );
    const ids = [await aRecord(volunteerIds[0]!, 30, '2026-03-03T01:00:00Z'), await aRecord(volunteerIds[1]!, 40, '2026-03-03T02:00:00Z')];
    await db().query('UPDATE service_record SET activity_id = $1 WHERE id = ANY($2::bigint[])', [activityId, ids]);
    const result = await alone.ask(`mutation($input: ActivityIdInput!) { verifyActivityRecords(input: $input) { id } }`, { input: { activityId } }, stationAdmin);
    expect(result.errors).toBeUndefined();
    const [{ n }] = await db().query('SELECT count(*)::int AS n FROM exchange_outbox WHERE record_id = ANY($1::bigint[])', [ids]);
    expect(n).toBe(2);

    const view = await mustExport({ unitId: STATION.id, from: '2026-03-02T16:00:00Z', to: '2026-03-03T16:00:00Z' });
    expect(table(view, 'activities.csv')).toEqual([
      { 活动编号: activityId, 活动名称: '河道巡护', 活动类别: 'ENVIRONMENT', 组织单位: '迎宾社区实践站', 活动地点: '汉丰湖', 开始时间: '2026-03-03 09:00', 结束时间: '2026-03-03 11:00', 活动负责人: '' },
    ]);
    expect(table(view, 'service-records.csv').map((row) => row['活动编号'])).toEqual([activityId, activityId]);
    expect(view.log).toMatchObject({ people: 2, peopleWithoutConsent: 1, records: 2, activities: 1 });
  });

  it('exports the verified records of a subtree and range with the corrected minutes; a total is the sum of the exported hours; it is logged', async () => {
    const consented = await aVolunteer('孙同意', true);
    const withheld = await aVolunteer('李未同意', false);
    const elsewhere = await aVolunteer('周外所', true, OTHER_STATION);
    const first = await aRecord(consented, 50, '2026-04-01T01:00:00Z');
    const second = await aRecord(consented, 50, '2026-04-02T01:00:00Z');
    const third = await aRecord(withheld, 90, '2026-04-03T01:00:00Z');
    await aRecord(withheld, 30, '2026-04-04T01:00:00Z'); // pending: not exported
    const outOfRange = await aRecord(consented, 60, '2026-05-02T01:00:00Z');
    const outOfTree = await aRecord(elsewhere, 60, '2026-04-05T01:00:00Z', OTHER_STATION);
    for (const id of [first, second, third, outOfRange]) expect((await verify(id)).errors).toBeUndefined();
    expect((await alone.ask(VERIFY, { input: { recordId: outOfTree } }, center)).errors).toBeUndefined();
    expect((await alone.ask(CORRECT, { input: { recordId: third, minutes: 75, reason: '核对签退时间' } }, stationAdmin)).errors).toBeUndefined();
    const logsBefore = await logCount();

    const view = await mustExport({ unitId: INSTITUTE.id, from: '2026-03-31T16:00:00Z', to: '2026-04-30T16:00:00Z' });
    expect(view.files.map((file) => [file.name, file.mediaType])).toEqual([
      ['volunteers.csv', 'text/csv; charset=utf-8'],
      ['activities.csv', 'text/csv; charset=utf-8'],
      ['service-records.csv', 'text/csv; charset=utf-8'],
    ]);
    const records = table(view, 'service-records.csv');
    expect(records.map((row) => row['记录编号'])).toEqual([first, second, third]);
    expect(records[2]).toMatchObject({ '服务时长（分钟）': '75', '服务时长（小时）': String(hoursFromMinutes(75)), 服务时间: '2026-04-03 09:00', 服务地点: '腾龙广场' });
    expect(records[0]).toMatchObject({ 姓名: '孙同意', 服务内容: '清扫广场垃圾', 组织单位: '迎宾社区实践站', 活动负责人: '王站长', '服务时长（小时）': '0.83' });
    const hoursSum = records.reduce((sum, row) => sum + Math.round(Number(row['服务时长（小时）']) * 100), 0) / 100;
    expect(view.totalHours).toBe(hoursSum);
    expect(view.totalHours).toBe(0.83 + 0.83 + 1.25);

    const volunteers = table(view, 'volunteers.csv');
    expect(volunteers.map((row) => row['志愿者编号'])).toEqual([consented, withheld].sort((a, b) => Number(a) - Number(b)));
    const byName = Object.fromEntries(volunteers.map((row) => [row['姓名'], row]));
    // Two records of 50 minutes are 0.83 + 0.83 hours, not the 1.67 hours of 100 minutes.
    expect(byName['孙同意']).toMatchObject({ 已同意导出: '是', 证件类型: '居民身份证', 性别: '女', 出生日期: '1985-03-12', 服务记录数: '2', '服务时长合计（小时）': '1.66' });
    expect(byName['孙同意']!['证件号码（脱敏）']).toBe('500234**********2X');
    // Without an EXPORT consent the person stays, with their records, and no identity data.
    expect(byName['李未同意']).toMatchObject({ 已同意导出: '否', 证件类型: '', '证件号码（脱敏）': '', 性别: '', 出生日期: '', 居住区域: '', '服务时长合计（小时）': '1.25' });

    expect(view.log).toMatchObject({ format: 'CSV', people: 2, peopleWithoutConsent: 1, records: 3, activities: 0, unit: { id: INSTITUTE.id } });
    expect(await logCount()).toBe(logsBefore + 1);
    const [stored] = await db().query('SELECT exported_by, unit_path, people, records FROM export_log WHERE id = $1', [view.log.id]);
    expect(stored).toEqual({ exported_by: center.sub, unit_path: INSTITUTE.path, people: 2, records: 3 });
    const log = await alone.ask<{ exportLog: { id: string }[] }>(LOG, { limit: 1 }, center);
    expect(log.data!.exportLog.map((entry) => entry.id)).toEqual([view.log.id]);
    // The same as one workbook: a sheet per file, the same cells, numbers as numbers; logged as XLSX.
    const xlsx = await mustExport({ unitId: INSTITUTE.id, from: '2026-03-31T16:00:00Z', to: '2026-04-30T16:00:00Z', format: 'XLSX' });
    expect(xlsx.files.map((file) => [file.name, file.mediaType, file.encoding])).toEqual([
      ['service-records.xlsx', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'BASE64'],
    ]);
    const workbook = new Workbook();
    await workbook.xlsx.load(Buffer.from(xlsx.files[0]!.content, 'base64') as unknown as ArrayBuffer);
    expect(workbook.worksheets.map((sheet) => sheet.name)).toEqual(['志愿者', '活动', '服务记录']);
    const cells = (sheet: string) =>
      // Rows and cells are 1-based sparse arrays: holes are empty cells.
      Array.from(workbook.getWorksheet(sheet)!.getSheetValues().slice(1), (row) =>
        Array.from((row as unknown[]).slice(1), (cell) => (cell === undefined || cell === null ? '' : cell)),
      );
    const csvRows = (name: string) => rowsOf(view.files.find((file) => file.name === name)!.content);
    const sheetRecords = cells('服务记录');
    expect(sheetRecords.map((row) => row.map(String).concat(Array(csvRows('service-records.csv')[0]!.length - row.length).fill('')))).toEqual(csvRows('service-records.csv'));
    expect(sheetRecords[3]![8]).toBe(75);
    expect(sheetRecords[3]![9]).toBe(1.25);
    expect(cells('志愿者').map((row) => row.map(String).concat(Array(csvRows('volunteers.csv')[0]!.length - row.length).fill('')))).toEqual(csvRows('volunteers.csv'));
    expect(xlsx.log).toMatchObject({ format: 'XLSX', people: 2, records: 3 });
  });

  it('exports for center admins only, logs nothing it refused, and checks the range', async () => {
    const before = await logCount();
    for (const caller of [instituteAdmin, stationAdmin, aCaller.staff('ANALYST', CENTER, 'p-analyst'), { sub: '42', roles: ['RESIDENT', 'VOLUNTEER'] } as Claims]) {
      expect(errorCodes(await alone.ask(EXPORT, { input: { unitId: INSTITUTE.id } }, caller))).toEqual(['FORBIDDEN']);
      expect(errorCodes(await alone.ask(LOG, {}, caller))).toEqual(['FORBIDDEN']);
    }
    // Outside their subtree too.
    expect(errorCodes(await alone.ask(EXPORT, { input: { unitId: OTHER_INSTITUTE.id } }, instituteAdmin))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await alone.ask(EXPORT, { input: { unitId: INSTITUTE.id } }, null))).toEqual(['UNAUTHENTICATED']);
    const backwards = await alone.ask(EXPORT, { input: { unitId: INSTITUTE.id, from: '2026-04-02T00:00:00Z', to: '2026-04-01T00:00:00Z' } }, center);
    expect(errorCodes(backwards)).toEqual(['BAD_USER_INPUT']);
    expect(backwards.errors![0]!.extensions).toMatchObject({ field: 'input.to' });
    const unknown = await alone.ask(EXPORT, { input: { unitId: '999999' } }, center);
    expect(errorCodes(unknown)).toEqual(['BAD_USER_INPUT']);
    expect(await logCount()).toBe(before);
  });

  it('keeps the ids other systems give: one per entity and target, unique in the target, shown on the record, the outbox and the export', async () => {
    const volunteerId = await aVolunteer('吴编号', true);
    const recordId = await aRecord(volunteerId, 120, '2026-06-01T01:00:00Z');
    const other = await aRecord(volunteerId, 60, '2026-06-02T01:00:00Z');
    expect((await verify(recordId)).errors).toBeUndefined();
    const set = (input: Record<string, unknown>, claims: Claims = center) => alone.ask<{ setExternalId: { externalId: string } }>(SET_ID, { input }, claims);

    expect((await set({ kind: 'RECORD', entityId: recordId, target: 'NATIONAL', externalId: 'JL-0001' })).data!.setExternalId.externalId).toBe('JL-0001');
    expect((await set({ kind: 'RECORD', entityId: recordId, target: 'NATIONAL', externalId: 'JL-0002' })).data!.setExternalId.externalId).toBe('JL-0002');
    expect((await set({ kind: 'VOLUNTEER', entityId: volunteerId, target: 'NATIONAL', externalId: 'ZY-77' })).errors).toBeUndefined();
    const taken = await set({ kind: 'RECORD', entityId: other, target: 'NATIONAL', externalId: 'JL-0002' });
    expect(errorCodes(taken)).toEqual(['CONFLICT']);
    expect(taken.errors![0]!.extensions).toMatchObject({ field: 'input.externalId', value: 'JL-0002' });
    expect(taken.errors![0]!.message).toContain('already the id of another entry');
    // The same id in another system is another id.
    expect((await set({ kind: 'RECORD', entityId: other, target: 'ZHIYUANHUI', externalId: 'JL-0002' })).errors).toBeUndefined();
    expect(errorCodes(await set({ kind: 'RECORD', entityId: '999999999', target: 'NATIONAL', externalId: 'X' }))).toEqual(['BAD_USER_INPUT']);
    expect(errorCodes(await set({ kind: 'RECORD', entityId: recordId, target: 'NATIONAL', externalId: 'X' }, instituteAdmin))).toEqual(['FORBIDDEN']);
    const [{ n }] = await db().query(`SELECT count(*)::int AS n FROM external_id WHERE entity_id = $1 AND entity_kind = 'RECORD'`, [recordId]);
    expect(n).toBe(1);

    const read = await alone.ask<{ serviceRecord: { externalIds: { target: string; externalId: string }[] } }>(RECORD_IDS, { id: recordId }, stationAdmin);
    expect(read.data!.serviceRecord.externalIds).toEqual([{ target: 'NATIONAL', externalId: 'JL-0002' }]);
    expect(await outboxOf(recordId)).toMatchObject([{ target: 'NATIONAL', external_id: 'JL-0002' }]);
    // The volunteer sees their record, not the ids other systems keep for it.
    const [{ person_id: ownerId }] = await db().query('SELECT person_id::text FROM volunteer WHERE id = $1', [volunteerId]);
    const own = await alone.ask<{ serviceRecord: { id: string; externalIds: unknown } }>(RECORD_IDS, { id: recordId }, { sub: ownerId, roles: ['RESIDENT', 'VOLUNTEER'] });
    expect(own.data!.serviceRecord).toEqual({ id: recordId, externalIds: null });
    expect(errorCodes(own)).toEqual(['FORBIDDEN']);

    const view = await mustExport({ unitId: STATION.id, from: '2026-05-31T16:00:00Z', to: '2026-06-30T16:00:00Z' });
    expect(table(view, 'service-records.csv')).toEqual([expect.objectContaining({ 记录编号: recordId, 全国系统编号: 'JL-0002', 志愿汇编号: '' })]);
    expect(table(view, 'volunteers.csv')).toEqual([expect.objectContaining({ 志愿者编号: volunteerId, 全国系统编号: 'ZY-77' })]);
  });
});

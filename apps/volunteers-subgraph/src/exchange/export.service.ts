import { Workbook } from 'exceljs';
import type { DataSource } from 'typeorm';
import { Actor, DOCUMENT_TYPE_ZH, DocumentType } from '@kz/auth';
import { BadUserInput } from '@kz/errors';
import { beijingMinute, parseInput, toCsv } from '@kz/subgraph';
import { hoursFromMinutes, HoursRule, totalHours } from '../records/hours';
import { findUnit } from '../units/unit-ref';
import { EXCHANGE_TARGETS, ExchangeTarget, ExportFormat } from './exchange-targets';
import { exportInput } from './exchange.input';
import { exportLogOf, ExportLogRow } from './exchange.service';

/** One file of an export, as a client downloads it: text as it is, a binary file in base64. */
export interface ExportFile {
  name: string;
  mediaType: string;
  encoding: 'UTF8' | 'BASE64';
  content: string;
}

type Cell = string | number | null;

/** One table of the export: a CSV file, or a sheet of the workbook. */
interface ExportTable {
  file: string;
  sheet: string;
  header: readonly string[];
  rows: Cell[][];
}

export interface ServiceRecordExport {
  log: ExportLogRow;
  files: ExportFile[];
  /** The sum of the exported per-record hours (records/hours.ts). */
  totalHours: number;
}

const GENDER_ZH: Record<string, string> = { M: '男', F: '女' };
const TARGET_COLUMN_ZH: Record<ExchangeTarget, string> = { NATIONAL: '全国系统编号', ZHIYUANHUI: '志愿汇编号', PROVINCIAL: '省级平台编号' };
const CSV = 'text/csv; charset=utf-8';
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

const VOLUNTEER_HEADER = [
  '志愿者编号',
  '姓名',
  '已同意导出',
  '证件类型',
  '证件号码（脱敏）',
  '性别',
  '出生日期',
  '居住区域',
  '服务类别',
  '服务记录数',
  '服务时长合计（小时）',
  ...EXCHANGE_TARGETS.map((target) => TARGET_COLUMN_ZH[target]),
];
const ACTIVITY_HEADER = ['活动编号', '活动名称', '活动类别', '组织单位', '活动地点', '开始时间', '结束时间', '活动负责人'];
const RECORD_HEADER = [
  '记录编号',
  '志愿者编号',
  '姓名',
  '活动名称',
  '活动编号',
  '服务时间',
  '服务地点',
  '服务内容',
  '服务时长（分钟）',
  '服务时长（小时）',
  '组织单位',
  '活动负责人',
  '审核时间',
  ...EXCHANGE_TARGETS.map((target) => TARGET_COLUMN_ZH[target]),
];

type Row = Record<string, unknown>;

/**
 * The exchange export (条例 Art. 19; 办法 Art. 4): the verified records of a subtree whose service started in a range,
 * with their volunteers and activities, every field the platform keeps for Arts. 5 and 7, as three CSV files or one workbook of three sheets. The
 * national system's import template is not public, so the columns are the platform's own, named in Chinese; an
 * adapter to that template is a function of these rows once it is known.
 *
 * Center admins only. Identity data (document type and masked number, gender, birth date, residence area) leaves the
 * platform only for volunteers with an `EXPORT` consent (PIPL Arts. 13–14): the others stay in the export with their
 * name and records, and those columns empty. Every export is logged in the same transaction that reads it.
 */
export class ExportService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly actor: Actor,
    private readonly hoursRule: HoursRule,
  ) {}

  async export(raw: unknown): Promise<ServiceRecordExport> {
    const claims = this.actor.requireRole('CENTER_ADMIN');
    const input = parseInput(exportInput, raw);
    if (input.from && input.to && input.to <= input.from) throw new BadUserInput('input.to', { key: 'exchange.rangeOrder' });
    const format: ExportFormat = input.format ?? 'CSV';
    return this.dataSource.transaction('REPEATABLE READ', async (manager) => {
      const unit = await findUnit(manager, input.unitId);
      if (!unit) throw new BadUserInput('input.unitId', { key: 'input.unknownReference', entity: 'unit', entityZh: '单位', id: input.unitId });
      this.actor.requireScope(unit.path, 'CENTER_ADMIN');
      const records: Row[] = await manager.query(
        `SELECT r.*, u.name AS unit_name, p.real_name AS volunteer_name
           FROM service_record r
           JOIN volunteer v ON v.id = r.volunteer_id
           JOIN person p ON p.id = v.person_id
           LEFT JOIN unit_ref u ON u.id = r.unit_id
          WHERE r.status = 'VERIFIED' AND (r.unit_path = $1 OR r.unit_path LIKE $1 || '/%')
            AND ($2::timestamptz IS NULL OR r.started_at >= $2) AND ($3::timestamptz IS NULL OR r.started_at < $3)
          ORDER BY r.started_at, r.id`,
        [unit.path, input.from ?? null, input.to ?? null],
      );
      const volunteerIds = [...new Set(records.map((record) => String(record.volunteer_id)))];
      const activityIds = [...new Set(records.filter((record) => record.activity_id !== null).map((record) => String(record.activity_id)))];
      const volunteers: Row[] = await manager.query(
        `SELECT v.id, v.residence_area, v.service_categories, p.real_name, p.document_type, p.id_number_masked, p.gender, p.birth_date,
                EXISTS (SELECT 1 FROM consent c WHERE c.person_id = p.id AND c.purpose = 'EXPORT') AS export_consent
           FROM volunteer v JOIN person p ON p.id = v.person_id
          WHERE v.id = ANY($1::bigint[]) ORDER BY v.id`,
        [volunteerIds],
      );
      const activities: Row[] = await manager.query(
        `SELECT a.*, u.name AS unit_name FROM activity a LEFT JOIN unit_ref u ON u.id = a.organizing_unit_id
          WHERE a.id = ANY($1::bigint[]) ORDER BY a.starts_at, a.id`,
        [activityIds],
      );
      const externalIds = await this.externalIds(manager, volunteerIds, records.map((record) => String(record.id)));

      const recordHours = new Map(records.map((record) => [String(record.id), hoursFromMinutes(Number(record.minutes), this.hoursRule)]));
      const minutesByVolunteer = new Map<string, number[]>();
      for (const record of records) {
        const key = String(record.volunteer_id);
        minutesByVolunteer.set(key, [...(minutesByVolunteer.get(key) ?? []), Number(record.minutes)]);
      }
      const idsOf = (kind: string, id: string) => EXCHANGE_TARGETS.map((target) => externalIds.get(`${kind}:${id}:${target}`) ?? null);

      const volunteerRows = volunteers.map((volunteer) => {
        const id = String(volunteer.id);
        const consented = volunteer.export_consent === true;
        const minutes = minutesByVolunteer.get(id) ?? [];
        return [
          id,
          String(volunteer.real_name),
          consented ? '是' : '否',
          consented && volunteer.document_type ? DOCUMENT_TYPE_ZH[volunteer.document_type as DocumentType] : null,
          consented ? (volunteer.id_number_masked as string | null) : null,
          consented && volunteer.gender ? (GENDER_ZH[String(volunteer.gender)] ?? String(volunteer.gender)) : null,
          consented ? (volunteer.birth_date as string | null) : null,
          consented ? (volunteer.residence_area as string | null) : null,
          ((volunteer.service_categories as string[] | null) ?? []).join('、') || null,
          minutes.length,
          totalHours(minutes, this.hoursRule),
          ...idsOf('VOLUNTEER', id),
        ];
      });
      const activityRows = activities.map((activity) => [
        String(activity.id),
        String(activity.title),
        String(activity.category),
        (activity.unit_name as string | null) ?? null,
        String(activity.place_name),
        beijingMinute(activity.starts_at as Date),
        beijingMinute(activity.ends_at as Date),
        (activity.responsible_name as string | null) ?? null,
      ]);
      const recordRows = records.map((record) => [
        String(record.id),
        String(record.volunteer_id),
        String(record.volunteer_name),
        String(record.title),
        record.activity_id === null ? null : String(record.activity_id),
        beijingMinute(record.started_at as Date),
        (record.place as string | null) ?? null,
        String(record.content),
        Number(record.minutes),
        recordHours.get(String(record.id))!,
        (record.unit_name as string | null) ?? null,
        (record.responsible_name as string | null) ?? null,
        beijingMinute(record.verified_at as Date),
        ...idsOf('RECORD', String(record.id)),
      ]);

      const [logRow] = await manager.query(
        `INSERT INTO export_log (exported_by, format, unit_id, unit_path, range_from, range_to, people, people_without_consent, records, activities)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING *`,
        [
          claims.sub,
          format,
          unit.id,
          unit.path,
          input.from ?? null,
          input.to ?? null,
          volunteers.length,
          volunteers.filter((volunteer) => volunteer.export_consent !== true).length,
          records.length,
          activities.length,
        ],
      );
      const tables: ExportTable[] = [
        { file: 'volunteers.csv', sheet: '志愿者', header: VOLUNTEER_HEADER, rows: volunteerRows },
        { file: 'activities.csv', sheet: '活动', header: ACTIVITY_HEADER, rows: activityRows },
        { file: 'service-records.csv', sheet: '服务记录', header: RECORD_HEADER, rows: recordRows },
      ];
      return {
        log: exportLogOf(logRow),
        totalHours: totalHours(records.map((record) => Number(record.minutes)), this.hoursRule),
        files: format === 'XLSX' ? [await workbookOf(tables)] : tables.map(csvOf),
      };
    });
  }

  /** `KIND:id:TARGET` → external id, for the exported volunteers and records. */
  private async externalIds(manager: DataSource['manager'], volunteerIds: string[], recordIds: string[]): Promise<Map<string, string>> {
    const rows: Row[] = await manager.query(
      `SELECT entity_kind, entity_id::text, target, external_id FROM external_id
        WHERE (entity_kind = 'VOLUNTEER' AND entity_id = ANY($1::bigint[])) OR (entity_kind = 'RECORD' AND entity_id = ANY($2::bigint[]))`,
      [volunteerIds, recordIds],
    );
    return new Map(rows.map((row) => [`${row.entity_kind}:${row.entity_id}:${row.target}`, String(row.external_id)]));
  }
}

function csvOf(table: ExportTable): ExportFile {
  return { name: table.file, mediaType: CSV, encoding: 'UTF8', content: toCsv(table.header, table.rows) };
}

/**
 * The same tables as sheets of one workbook. Cells hold values, never formulas (a text starting with `=` stays
 * text), numbers stay numbers, times are Beijing text as in the CSV.
 */
async function workbookOf(tables: ExportTable[]): Promise<ExportFile> {
  const workbook = new Workbook();
  for (const table of tables) {
    const sheet = workbook.addWorksheet(table.sheet);
    sheet.addRow([...table.header]);
    for (const row of table.rows) sheet.addRow(row);
  }
  const buffer = await workbook.xlsx.writeBuffer();
  return { name: 'service-records.xlsx', mediaType: XLSX, encoding: 'BASE64', content: Buffer.from(buffer).toString('base64') };
}

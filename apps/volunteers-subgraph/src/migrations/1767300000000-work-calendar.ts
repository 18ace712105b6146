import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The working-day calendar of the recording deadline (办法 Art. 11: records within 10 working days of the activity's
 * end): statutory holidays and make-up working days (调休) as the State Council's yearly notices set them. A year is
 * in `work_calendar_year` once its notice is entered; a year without one counts Monday to Friday (docs/records.md).
 *
 * - 2025: 国务院办公厅关于2025年部分节假日安排的通知 (国办发明电〔2024〕12号, 12 November 2024);
 * - 2026: 国务院办公厅关于2026年部分节假日安排的通知 (4 November 2025).
 * 2027's notice was not found in a public source when this was written; it is not guessed.
 */
const NOTICES: { year: number; notice: string; holidays: [string, string, string][]; workdays: [string, string][] }[] = [
  {
    year: 2025,
    notice: '国务院办公厅关于2025年部分节假日安排的通知（国办发明电〔2024〕12号）',
    holidays: [
      ['2025-01-01', '2025-01-01', '元旦'],
      ['2025-01-28', '2025-02-04', '春节'],
      ['2025-04-04', '2025-04-06', '清明节'],
      ['2025-05-01', '2025-05-05', '劳动节'],
      ['2025-05-31', '2025-06-02', '端午节'],
      ['2025-10-01', '2025-10-08', '国庆节、中秋节'],
    ],
    workdays: [
      ['2025-01-26', '春节调休上班'],
      ['2025-02-08', '春节调休上班'],
      ['2025-04-27', '劳动节调休上班'],
      ['2025-09-28', '国庆节调休上班'],
      ['2025-10-11', '国庆节调休上班'],
    ],
  },
  {
    year: 2026,
    notice: '国务院办公厅关于2026年部分节假日安排的通知（2025年11月4日）',
    holidays: [
      ['2026-01-01', '2026-01-03', '元旦'],
      ['2026-02-15', '2026-02-23', '春节'],
      ['2026-04-04', '2026-04-06', '清明节'],
      ['2026-05-01', '2026-05-05', '劳动节'],
      ['2026-06-19', '2026-06-21', '端午节'],
      ['2026-09-25', '2026-09-27', '中秋节'],
      ['2026-10-01', '2026-10-07', '国庆节'],
    ],
    workdays: [
      ['2026-01-04', '元旦调休上班'],
      ['2026-02-14', '春节调休上班'],
      ['2026-02-28', '春节调休上班'],
      ['2026-05-09', '劳动节调休上班'],
      ['2026-09-20', '国庆节调休上班'],
      ['2026-10-10', '国庆节调休上班'],
    ],
  },
];

export class WorkCalendar1767300000000 implements MigrationInterface {
  name = 'WorkCalendar1767300000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE TABLE work_calendar_year (year int PRIMARY KEY, notice text NOT NULL)`);
    await runner.query(`
      CREATE TABLE work_calendar_day (
        day date PRIMARY KEY,
        kind text NOT NULL CHECK (kind IN ('HOLIDAY', 'WORKDAY')),
        name text NOT NULL
      )`);
    for (const { year, notice, holidays, workdays } of NOTICES) {
      await runner.query('INSERT INTO work_calendar_year (year, notice) VALUES ($1, $2)', [year, notice]);
      for (const [from, to, name] of holidays) {
        await runner.query(
          `INSERT INTO work_calendar_day (day, kind, name) SELECT d::date, 'HOLIDAY', $3 FROM generate_series($1::date, $2::date, interval '1 day') AS d`,
          [from, to, name],
        );
      }
      for (const [day, name] of workdays) await runner.query(`INSERT INTO work_calendar_day (day, kind, name) VALUES ($1, 'WORKDAY', $2)`, [day, name]);
    }
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE work_calendar_day');
    await runner.query('DROP TABLE work_calendar_year');
  }
}

import { withCheckDigit } from '@kz/auth';
import { errorCodes, GraphQLResult } from '@kz/testing';
import { Platform, startPlatform } from './stack';

/**
 * Service records and registrations as 《志愿服务记录与证明出具办法（试行）》 requires (docs/records.md), through the
 * gateway: the contents of a record (Art. 7), a volunteer's personal basics and identity documents (Art. 5), consents
 * and the age rule (Art. 6; PIPL Arts. 28, 29, 31), hours from minutes.
 */

const STATION_ADMIN = '13900230005';
const METRES_PER_DEGREE_LAT = 111_195;

let platform: Platform;
let yingbin: { id: string; path: string };
let station: { lat: number; lng: number };
let admin: string;
let adminId: string;

beforeAll(async () => {
  platform = await startPlatform({ seed: 'demo' });
  yingbin = await platform.unit('KZ-HANFENG-YINGBIN');
  [station] = await platform.org.query('SELECT lat, lng FROM practice_unit WHERE id = $1', [yingbin.id]);
  admin = await platform.login(STATION_ADMIN);
  [{ id: adminId }] = await platform.volunteers.query('SELECT id::text FROM person WHERE mobile = $1', [STATION_ADMIN]);
});
afterAll(() => platform?.stop());

let serial = 0;
const mobile = () => `1360031${String((serial += 1)).padStart(4, '0')}`;
const north = (metres: number) => ({ lat: station.lat + metres / METRES_PER_DEGREE_LAT, lng: station.lng });
const minutesFromNow = (minutes: number) => new Date(Date.now() + minutes * 60_000).toISOString();

/** `YYYYMMDD` of the Beijing calendar day `years` years and `days` days before today. */
function birthDaysAgo(years: number, days: number): string {
  const today = new Date(Date.now() + 8 * 3_600_000);
  const date = new Date(Date.UTC(today.getUTCFullYear() - years, today.getUTCMonth(), today.getUTCDate() - days));
  return date.toISOString().slice(0, 10).replace(/-/g, '');
}
/** A valid resident ID of someone born on `yyyymmdd`, a new one each call. */
const residentId = (yyyymmdd: string) => withCheckDigit(`500234${yyyymmdd}${String((serial += 1) % 1000).padStart(3, '0')}`);

async function must<T>(query: string, variables: Record<string, unknown>, token?: string): Promise<T> {
  const result = await platform.query<T>(query, variables, { token });
  if (result.errors) throw new Error(`${query.slice(0, 60)}: ${JSON.stringify(result.errors)}`);
  return result.data!;
}
const extensionsOf = (result: GraphQLResult) => result.errors?.[0]?.extensions;

const SIGN_UP = `mutation($input: SignUpInput!) { signUp(input: $input) { token person { id documentType gender birthDate idNumber } } }`;
type SignedUp = { signUp: { token: string; person: { id: string; documentType: string; gender: string; birthDate: string; idNumber: string } } };
const signUpInput = (overrides: Record<string, unknown>) => ({
  realName: '登记测试',
  mobile: mobile(),
  idNumber: residentId('19900101'),
  password: 'kaizhou2026',
  homeUnitId: yingbin.id,
  ...overrides,
});

describe('the contents of a service record (办法 Art. 7)', () => {
  const RECORD_FIELDS = `title startedAt place content minutes hours unit { id name } responsibleName responsiblePerson { id } source`;

  it('a check-out record carries activity name, date, place, content, minutes, organizing unit and the 活动负责人 as at the time', async () => {
    const created = await must<{ createActivity: { id: string; responsibleName: string; responsiblePerson: { id: string } } }>(
      `mutation($input: CreateActivityInput!) { createActivity(input: $input) { id responsibleName responsiblePerson { id } } }`,
      {
        input: {
          title: '腾龙广场环境整治',
          description: '清理广场垃圾，劝导文明养犬',
          category: 'ENVIRONMENT',
          organizingUnitId: yingbin.id,
          startsAt: minutesFromNow(-60),
          endsAt: minutesFromNow(60),
          place: { name: '腾龙广场', location: north(0), checkInRadiusMeters: 200 },
          capacity: 10,
        },
      },
      admin,
    );
    // The creator is the 负责人 when none is named.
    expect(created.createActivity).toMatchObject({ responsibleName: '迎宾站管理员', responsiblePerson: { id: adminId } });
    const activityId = created.createActivity.id;
    await must(`mutation($input: ActivityIdInput!) { publishActivity(input: $input) { id } }`, { input: { activityId } }, admin);

    const [person] = await platform.volunteers.query(
      `INSERT INTO person (real_name, mobile, roles, home_unit_id, home_unit_path) VALUES ('记录志愿者', $1, '{RESIDENT,VOLUNTEER}', $2, $3) RETURNING id::text`,
      [mobile(), yingbin.id, yingbin.path],
    );
    await platform.volunteers.query(
      `INSERT INTO volunteer (person_id, status, home_station_id, home_station_path) VALUES ($1, 'ACTIVE', $2, $3)`,
      [person.id, yingbin.id, yingbin.path],
    );
    const token = await platform.token({ sub: person.id, roles: ['RESIDENT', 'VOLUNTEER'] });
    for (const name of ['signUpForActivity', 'checkIn', 'checkOut']) {
      const input = name === 'signUpForActivity' ? { activityId } : { activityId, location: north(20) };
      const type = name === 'signUpForActivity' ? 'ActivityIdInput' : 'CheckInOutInput';
      await must(`mutation($input: ${type}!) { ${name}(input: $input) { id } }`, { input }, token);
    }
    // The 负责人 is renamed later: the record keeps the name as it was.
    await platform.volunteers.query(`UPDATE person SET real_name = '迎宾站管理员（新）' WHERE id = $1`, [adminId]);
    try {
      await expectCheckOutRecord(activityId, token);
    } finally {
      await platform.volunteers.query(`UPDATE person SET real_name = '迎宾站管理员' WHERE id = $1`, [adminId]);
    }
  });

  async function expectCheckOutRecord(activityId: string, token: string) {

    const records = `query($filter: ServiceRecordFilter) { serviceRecords(filter: $filter) { edges { node { ${RECORD_FIELDS} } } } }`;
    const asStaff = await must<{ serviceRecords: { edges: { node: Record<string, unknown> }[] } }>(records, { filter: { activityId } }, admin);
    expect(asStaff.serviceRecords.edges).toHaveLength(1);
    const record = asStaff.serviceRecords.edges[0]!.node;
    expect(record).toMatchObject({
      title: '腾龙广场环境整治',
      place: '腾龙广场',
      content: '清理广场垃圾，劝导文明养犬',
      unit: { id: yingbin.id, name: '迎宾社区新时代文明实践站' },
      responsibleName: '迎宾站管理员',
      responsiblePerson: { id: adminId },
      source: 'CHECK_OUT',
    });
    expect(Date.parse(record.startedAt as string)).toBeLessThanOrEqual(Date.now());
    expect(record.minutes).toEqual(expect.any(Number));
    expect(record.hours).toBe(Math.round(((record.minutes as number) * 100) / 60) / 100);
    // The volunteer reads their record, the 负责人's name masked.
    const asVolunteer = await must<{ serviceRecords: { edges: { node: Record<string, unknown> }[] } }>(records, { filter: { activityId } }, token);
    expect(asVolunteer.serviceRecords.edges[0]!.node).toMatchObject({ place: '腾龙广场', responsibleName: '迎*****' });
  }

  it('an offline record takes place and content from the input, both required', async () => {
    const [{ id: volunteerId }] = await platform.volunteers.query(
      `SELECT v.id::text FROM volunteer v JOIN person p ON p.id = v.person_id WHERE p.mobile = '13900230007'`,
    );
    const input = {
      volunteerId,
      unitId: yingbin.id,
      category: 'CIVILITY',
      title: '腾龙广场文明劝导',
      place: '腾龙广场东门',
      content: '劝导游客文明游园\n发放宣传单 200 份',
      startedAt: minutesFromNow(-24 * 60),
      minutes: 90,
      evidence: '纸质签到表第 3 页',
    };
    const OFFLINE = `mutation($input: RecordOfflineServiceInput!) { recordOfflineService(input: $input) { ${RECORD_FIELDS} } }`;
    const recorded = await must<{ recordOfflineService: Record<string, unknown> }>(OFFLINE, { input }, admin);
    expect(recorded.recordOfflineService).toMatchObject({
      place: '腾龙广场东门',
      content: '劝导游客文明游园\n发放宣传单 200 份',
      minutes: 90,
      hours: 1.5,
      responsibleName: '迎宾站管理员',
      responsiblePerson: { id: adminId },
      source: 'OFFLINE',
    });
    const [before] = await platform.volunteers.query('SELECT count(*)::int AS n FROM service_record');
    for (const field of ['place', 'content']) {
      const blank = await platform.query(OFFLINE, { input: { ...input, [field]: '  ' } }, { token: admin });
      expect(extensionsOf(blank)).toMatchObject({ code: 'BAD_USER_INPUT', field: `input.${field}` });
    }
    const [after] = await platform.volunteers.query('SELECT count(*)::int AS n FROM service_record');
    expect(after.n).toBe(before.n);
  });
});

describe('personal basics and identity documents (办法 Art. 5)', () => {
  it('reads sex and birth date from resident ID 50023419850312462X before sealing it: F, 1985-03-12', async () => {
    const { signUp } = await must<SignedUp>(SIGN_UP, { input: signUpInput({ idNumber: '50023419850312462x' }) });
    expect(signUp.person).toMatchObject({ documentType: 'RESIDENT_ID', gender: 'F', birthDate: '1985-03-12', idNumber: '50023419850312462X' });
    const [stored] = await platform.volunteers.query('SELECT id_number_sealed, gender, birth_date FROM person WHERE id = $1', [signUp.person.id]);
    expect(stored).toMatchObject({ gender: 'F', birth_date: '1985-03-12' });
    expect(stored.id_number_sealed).not.toContain('50023419850312462X');
  });

  it('registers a passport without the resident ID checksum, with sex and birth date entered', async () => {
    const { signUp } = await must<SignedUp>(SIGN_UP, {
      input: signUpInput({ documentType: 'PASSPORT', idNumber: 'E1234 5678', gender: 'M', birthDate: '1990-05-01' }),
    });
    expect(signUp.person).toMatchObject({ documentType: 'PASSPORT', gender: 'M', birthDate: '1990-05-01', idNumber: 'E12345678' });
    const withoutBirth = await platform.query(SIGN_UP, { input: signUpInput({ documentType: 'PASSPORT', idNumber: 'E87654321', gender: 'M' }) });
    expect(extensionsOf(withoutBirth)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.birthDate' });
  });

  it('checks a Hong Kong residence permit by its 810000 prefix and check character, and reads its birth date', async () => {
    const permit = withCheckDigit('81000019920716003');
    const { signUp } = await must<SignedUp>(SIGN_UP, { input: signUpInput({ documentType: 'HK_MACAO_RESIDENCE_PERMIT', idNumber: permit }) });
    expect(signUp.person).toMatchObject({ documentType: 'HK_MACAO_RESIDENCE_PERMIT', gender: 'M', birthDate: '1992-07-16' });
    // A mainland number is no Hong Kong permit; the message says what the format is, in both languages.
    const input = signUpInput({ documentType: 'HK_MACAO_RESIDENCE_PERMIT', idNumber: residentId('19920716') });
    const en = await platform.query(SIGN_UP, { input });
    expect(extensionsOf(en)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.idNumber', documentType: 'HK_MACAO_RESIDENCE_PERMIT' });
    expect(en.errors![0]!.message).toContain('810000 (Hong Kong)');
    const zh = await platform.query(SIGN_UP, { input }, { language: 'zh-CN' });
    expect(zh.errors![0]!.message).toContain('港澳居民居住证');
    // A sex entered against the number is refused.
    const mismatch = await platform.query(SIGN_UP, { input: signUpInput({ idNumber: '50023419850312462X', gender: 'M', mobile: mobile() }) });
    expect(extensionsOf(mismatch)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.gender' });
  });
});

describe('consent and age (办法 Art. 6; PIPL Arts. 28, 29, 31)', () => {
  const REGISTER = `mutation($input: RegisterVolunteerInput!) { registerVolunteer(input: $input) {
    id status residenceArea serviceCategories { code } person { id gender birthDate
      consents { purpose policyVersion method paperReference givenBy representativeName representativeRelation recordedBy { id } } } } }`;
  type Registered = {
    registerVolunteer: {
      id: string;
      status: string;
      residenceArea: string;
      serviceCategories: { code: string }[];
      person: { id: string; consents: Record<string, unknown>[] };
    };
  };
  const guardian = { policyVersion: '2026-01', givenBy: 'GUARDIAN', representativeName: '陈强', representativeRelation: '父亲', paperReference: 'YB-2026-0042' };

  it('refuses a 13-year-old without a guardian’s consent, with the reason in English and Chinese, and stores nothing', async () => {
    const child = { realName: '陈小明', idNumber: residentId(birthDaysAgo(13, 40)) };
    const input = { homeStationId: yingbin.id, skills: [], person: child };
    const [before] = await platform.volunteers.query('SELECT (SELECT count(*) FROM person)::int AS people, (SELECT count(*) FROM consent)::int AS consents');
    const en = await platform.query(REGISTER, { input }, { token: admin });
    expect(extensionsOf(en)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.consent', age: 13, needed: 'guardian' });
    expect(en.errors![0]!.message).toContain('the person is 13');
    const zh = await platform.query(REGISTER, { input }, { token: admin, language: 'zh-CN' });
    expect(zh.errors![0]!.message).toContain('须经其监护人同意');
    // The child's own consent is not enough, nor a guardian's without the signed form when staff record it.
    const own = await platform.query(REGISTER, { input: { ...input, consent: { policyVersion: '2026-01', paperReference: 'YB-1' } } }, { token: admin });
    expect(extensionsOf(own)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.consent.givenBy', age: 13 });
    const { paperReference: _none, ...noPaper } = guardian;
    const unsigned = await platform.query(REGISTER, { input: { ...input, consent: noPaper } }, { token: admin });
    expect(extensionsOf(unsigned)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.consent.paperReference' });
    const [after] = await platform.volunteers.query('SELECT (SELECT count(*) FROM person)::int AS people, (SELECT count(*) FROM consent)::int AS consents');
    expect(after).toEqual(before);

    // With the guardian's signed consent the registration goes through, and the consents say what, how and who.
    const registered = await must<Registered>(
      REGISTER,
      { input: { ...input, consent: guardian, residenceArea: '汉丰街道迎宾社区', serviceCategories: ['CIVILITY'] } },
      admin,
    );
    expect(registered.registerVolunteer).toMatchObject({ status: 'PENDING', residenceArea: '汉丰街道迎宾社区', serviceCategories: [{ code: 'CIVILITY' }] });
    const consent = { policyVersion: '2026-01', method: 'ASSISTED', paperReference: 'YB-2026-0042', givenBy: 'GUARDIAN', representativeName: '陈强', representativeRelation: '父亲', recordedBy: { id: adminId } };
    expect(registered.registerVolunteer.person.consents).toEqual(
      expect.arrayContaining([
        { purpose: 'REGISTRATION', ...consent },
        { purpose: 'DOCUMENT_NUMBER', ...consent },
      ]),
    );
    expect(registered.registerVolunteer.person.consents).toHaveLength(2);
  });

  it('lets a 16-year-old register themself only with a legal representative’s consent', async () => {
    const { signUp } = await must<SignedUp>(SIGN_UP, { input: signUpInput({ idNumber: residentId(birthDaysAgo(16, 10)) }) });
    const input = { homeStationId: yingbin.id, skills: [] };
    const alone = await platform.query(REGISTER, { input: { ...input, consent: { policyVersion: '2026-01' } } }, { token: signUp.token });
    expect(extensionsOf(alone)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.consent.givenBy', age: 16, needed: 'legal representative' });
    const registered = await must<Registered>(
      REGISTER,
      { input: { ...input, consent: { policyVersion: '2026-01', givenBy: 'LEGAL_REPRESENTATIVE', representativeName: '王芳', representativeRelation: '母亲' } } },
      signUp.token,
    );
    expect(registered.registerVolunteer.person.consents).toEqual(
      expect.arrayContaining([expect.objectContaining({ purpose: 'REGISTRATION', method: 'SELF', givenBy: 'LEGAL_REPRESENTATIVE', paperReference: null })]),
    );
  });

  it('records a consent to export: one’s own, or staff’s from a signed paper form', async () => {
    const { signUp } = await must<SignedUp>(SIGN_UP, { input: signUpInput({}) });
    const RECORD = `mutation($input: RecordConsentInput!) { recordConsent(input: $input) { purpose method givenBy paperReference person { id } } }`;
    const own = await must<{ recordConsent: Record<string, unknown> }>(RECORD, { input: { purpose: 'EXPORT', policyVersion: '2026-01' } }, signUp.token);
    expect(own.recordConsent).toEqual({ purpose: 'EXPORT', method: 'SELF', givenBy: 'SELF', paperReference: null, person: { id: signUp.person.id } });
    const unsigned = await platform.query(RECORD, { input: { personId: signUp.person.id, purpose: 'EXPORT', policyVersion: '2026-01' } }, { token: admin });
    expect(extensionsOf(unsigned)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.paperReference' });
    const assisted = await must<{ recordConsent: Record<string, unknown> }>(
      RECORD,
      { input: { personId: signUp.person.id, purpose: 'EXPORT', policyVersion: '2026-01', paperReference: 'YB-2026-0043' } },
      admin,
    );
    expect(assisted.recordConsent).toMatchObject({ method: 'ASSISTED', paperReference: 'YB-2026-0043' });
    // Someone else's consents are not theirs to read.
    const other = await must<SignedUp>(SIGN_UP, { input: signUpInput({}) });
    const read = await platform.query(`query($id: ID!) { person(id: $id) { consents { purpose } } }`, { id: signUp.person.id }, { token: other.signUp.token });
    expect(errorCodes(read)).toEqual(['FORBIDDEN']);
  });
});

describe('the recording deadline (办法 Art. 11)', () => {
  const OVERDUE = `query($unitId: ID!, $asOf: DateTime) { unit(id: $unitId) { overdueServiceRecords(asOf: $asOf, first: 100) {
    asOf calendarMissingYears totalCount edges { node { dueOn workingDaysOverdue endedAt record { id status } } } } } }`;
  type Overdue = {
    unit: {
      overdueServiceRecords: {
        asOf: string;
        calendarMissingYears: number[];
        totalCount: number;
        edges: { node: { dueOn: string; workingDaysOverdue: number; endedAt: string; record: { id: string } } }[];
      } | null;
    };
  };

  it('an activity ending before the National Day week is not overdue after its tenth weekday, and is after its tenth working day', async () => {
    // Ends Wednesday 30 September 2026, 18:00 Beijing; 1–7 October are holidays and 10 October is worked (调休).
    const [activity] = await platform.volunteers.query(
      `INSERT INTO activity (title, category, organizing_unit_id, organizing_unit_path, starts_at, ends_at, place_name, lat, lng,
                             check_in_radius_m, capacity, status, created_by)
       VALUES ('节前环境整治', 'ENVIRONMENT', $1, $2, '2026-09-30T08:00:00Z', '2026-09-30T10:00:00Z', '腾龙广场', 31.16, 108.39, 200, 10, 'DONE', 'test')
       RETURNING id::text`,
      [yingbin.id, yingbin.path],
    );
    const [{ id: volunteerId }] = await platform.volunteers.query(
      `SELECT v.id::text FROM volunteer v JOIN person p ON p.id = v.person_id WHERE p.mobile = '13900230007'`,
    );
    const [record] = await platform.volunteers.query(
      `INSERT INTO service_record (volunteer_id, activity_id, unit_id, unit_path, category, title, started_at, minutes, source, created_by, place, content)
       VALUES ($1, $2, $3, $4, 'ENVIRONMENT', '节前环境整治', '2026-09-30T08:30:00Z', 90, 'CHECK_OUT', 'test', '腾龙广场', '节前环境整治') RETURNING id::text`,
      [volunteerId, activity.id, yingbin.id, yingbin.path],
    );
    const overdueOn = async (asOf: string) => {
      const data = await must<Overdue>(OVERDUE, { unitId: yingbin.id, asOf }, admin);
      const list = data.unit.overdueServiceRecords!;
      return { list, mine: list.edges.find((edge) => edge.node.record.id === record.id)?.node };
    };
    // The tenth weekday after 30 September is 14 October: on the 15th the record is still in time.
    expect((await overdueOn('2026-10-15T02:00:00Z')).mine).toBeUndefined();
    // The tenth working day is 20 October: on that day it is still in time, from the 21st it is overdue.
    expect((await overdueOn('2026-10-20T15:00:00Z')).mine).toBeUndefined();
    const late = await overdueOn('2026-10-21T01:00:00Z');
    expect(late.mine).toEqual({ dueOn: '2026-10-20', workingDaysOverdue: 1, endedAt: '2026-09-30T10:00:00.000Z', record: { id: record.id, status: 'PENDING' } });
    expect(late.list).toMatchObject({ asOf: '2026-10-21', calendarMissingYears: [] });
    const due = await must<{ serviceRecord: { recordingDueOn: string } }>(`query($id: ID!) { serviceRecord(id: $id) { recordingDueOn } }`, { id: record.id }, admin);
    expect(due.serviceRecord.recordingDueOn).toBe('2026-10-20');
    // Verified, it leaves the list.
    await must(`mutation($input: ServiceRecordIdInput!) { verifyServiceRecord(input: $input) { id } }`, { input: { recordId: record.id } }, admin);
    expect((await overdueOn('2026-10-21T01:00:00Z')).mine).toBeUndefined();
  });

  it('is for staff in scope of the unit; a volunteer and another station get FORBIDDEN', async () => {
    const yongxian = await platform.unit('KZ-YUNFENG-YONGXIAN');
    const volunteer = await platform.login('13900230007');
    for (const [token, unitId] of [
      [volunteer, yingbin.id],
      [admin, yongxian.id],
    ] as const) {
      const result = await platform.query<Overdue>(OVERDUE, { unitId, asOf: '2026-10-21T01:00:00Z' }, { token });
      expect(result.data?.unit?.overdueServiceRecords ?? null).toBeNull();
      expect(errorCodes(result)).toEqual(['FORBIDDEN']);
    }
  });
});

describe('the annual recording report (办法 Art. 18)', () => {
  const REPORT = `query($unitId: ID!, $year: Int!) { unit(id: $unitId) { recordingReport(year: $year) {
    year asOf created verified rejected corrections correctedRecords medianDaysToVerification decidedLate overdue calendarMissingYears } } }`;
  type Report = { unit: { recordingReport: Record<string, unknown> | null } };

  it('reports a past year as it was: made, decided, corrected, late and overdue at its end, whatever happened after', async () => {
    // 2020, a year without demo data and without a holiday notice in the table (Monday to Friday counts).
    const [{ id: volunteerId }] = await platform.volunteers.query(
      `SELECT v.id::text FROM volunteer v JOIN person p ON p.id = v.person_id WHERE p.mobile = '13900230007'`,
    );
    /** A 60-minute service ending at `ended`, made at `created`, verified at `verified` (if given). */
    const record = async (ended: string, created: string, verified?: string): Promise<string> => {
      const [row] = await platform.volunteers.query(
        `INSERT INTO service_record (volunteer_id, unit_id, unit_path, category, title, started_at, minutes, status, source, created_by,
                                     place, content, evidence, created_at, verified_at, verified_by)
         VALUES ($1, $2, $3, 'ENVIRONMENT', '年度报告测试', $4::timestamptz - interval '60 minutes', 60, $5, 'OFFLINE', 'test',
                 '腾龙广场', '环境整治', '签到表', $6, $7, $8) RETURNING id::text`,
        [volunteerId, yingbin.id, yingbin.path, ended, verified ? 'VERIFIED' : 'PENDING', created, verified ?? null, verified ? adminId : null],
      );
      return row.id as string;
    };
    const change = (recordId: string, action: string, at: string) =>
      platform.volunteers.query(`INSERT INTO service_record_change (record_id, action, changed_by, changed_at) VALUES ($1, $2, $3, $4)`, [recordId, action, adminId, at]);
    // In time: ended Monday 2 March, verified on the 5th; corrected twice.
    const inTime = await record('2020-03-02T10:00:00Z', '2020-03-02T11:00:00Z', '2020-03-05T02:00:00Z');
    await change(inTime, 'CORRECTED', '2020-04-01T02:00:00Z');
    await change(inTime, 'CORRECTED', '2020-05-01T02:00:00Z');
    // Late: ended Monday 1 June, due on the 15th, verified on 1 July.
    await record('2020-06-01T10:00:00Z', '2020-06-02T02:00:00Z', '2020-07-01T02:00:00Z');
    // Rejected in time.
    const rejected = await record('2020-11-02T10:00:00Z', '2020-11-02T11:00:00Z');
    await platform.volunteers.query(`UPDATE service_record SET status = 'REJECTED', reject_reason = '重复记录' WHERE id = $1`, [rejected]);
    await change(rejected, 'REJECTED', '2020-11-04T02:00:00Z');
    // Overdue at the year's end: due 15 December, still pending.
    await record('2020-12-01T10:00:00Z', '2020-12-01T11:00:00Z');
    // Overdue at the year's end too, although verified since (in 2021, not counted as verified in 2020).
    await record('2020-12-10T10:00:00Z', '2020-12-10T11:00:00Z', '2021-01-20T02:00:00Z');
    // Not overdue yet at the year's end: ended 28 December, due 11 January.
    await record('2020-12-28T10:00:00Z', '2020-12-28T11:00:00Z');
    // Made in 2019, verified in 2020 in time.
    await record('2019-12-30T10:00:00Z', '2019-12-30T11:00:00Z', '2020-01-02T02:00:00Z');

    const data = await must<Report>(REPORT, { unitId: yingbin.id, year: 2020 }, admin);
    expect(data.unit.recordingReport).toEqual({
      year: 2020,
      asOf: '2020-12-31',
      created: 6,
      verified: 3,
      rejected: 1,
      corrections: 2,
      correctedRecords: 1,
      // 2 d 16 h, 29 d 16 h and 2 d 16 h from the end of the service
      medianDaysToVerification: 2.7,
      decidedLate: 1,
      overdue: 2,
      calendarMissingYears: [2019, 2020],
    });
    // The institute above sees the same figures for its subtree; a year with nothing is all zeros.
    const institute = await platform.tokenAs('INSTITUTE_ADMIN', 'KZ-HANFENG', '800101');
    const above = await must<Report>(REPORT, { unitId: (await platform.unit('KZ-HANFENG')).id, year: 2020 }, institute);
    expect(above.unit.recordingReport).toMatchObject({ created: 6, verified: 3, overdue: 2 });
    const empty = await must<Report>(REPORT, { unitId: yingbin.id, year: 2018 }, admin);
    expect(empty.unit.recordingReport).toMatchObject({ created: 0, verified: 0, medianDaysToVerification: null, overdue: 0 });
  });

  it('refuses a year before 2000 or after this one, and is for staff in scope of the unit', async () => {
    for (const year of [1999, new Date().getUTCFullYear() + 2]) {
      const result = await platform.query<Report>(REPORT, { unitId: yingbin.id, year }, { token: admin });
      expect(errorCodes(result)).toEqual(['BAD_USER_INPUT']);
      expect(extensionsOf(result)).toMatchObject({ field: 'year' });
    }
    const yongxian = await platform.unit('KZ-YUNFENG-YONGXIAN');
    const volunteer = await platform.login('13900230007');
    for (const [token, unitId] of [
      [volunteer, yingbin.id],
      [admin, yongxian.id],
    ] as const) {
      const result = await platform.query<Report>(REPORT, { unitId, year: 2020 }, { token });
      expect(result.data?.unit?.recordingReport ?? null).toBeNull();
      expect(errorCodes(result)).toEqual(['FORBIDDEN']);
    }
  });
});

import { execFile } from 'node:child_process';
import { createHash, createPublicKey, verify as verifySignature } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { errorCodes, eventually } from '@kz/testing';
import { Platform, startPlatform } from './stack';

/**
 * Certificates by the recorder (办法 Arts. 14, 15, 17) through the gateway: a unit that organized none of the records
 * cannot issue; a certificate's total equals its public verification answer and the export's sum for its records; a
 * correction after issue supersedes it; a reissue revokes the old number; a forged number is NOT_FOUND; the USCC is
 * checked. Verification answers an anonymous caller. As a document: the PDF through the gateway, decoded, read with
 * pdftotext, its signature checked with node:crypto against the published key; FORBIDDEN to a reader out of scope.
 */
const CENTER_ADMIN = '13900230001';
const STATION_ADMIN = '13900230005'; // 迎宾社区
const VOLUNTEER_HE_YI = '13900230007';
/** A published 统一社会信用代码 with its GB 32100-2015 check character. */
const USCC = '91440300708461136T';

/** A stretch of time the demo seed has no service in, so the export holds this spec's records only. */
const FROM = '2018-04-30T16:00:00Z';
const TO = '2018-05-31T16:00:00Z';

const VERIFY_RECORD = `mutation($input: ServiceRecordIdInput!) { verifyServiceRecord(input: $input) { id status } }`;
const CORRECT = `mutation($input: CorrectServiceMinutesInput!) { correctServiceMinutes(input: $input) { id minutes } }`;
const EXPORT = `mutation($input: ExportServiceRecordsInput!) { exportServiceRecords(input: $input) { totalHours files { name content } } }`;
const ISSUE = `mutation($input: IssueServiceCertificateInput!) { issueServiceCertificate(input: $input) {
  number status totalHours volunteerName documentNumberMasked lines { recordId hours } unit { id name } } }`;
const VERIFY = `query($number: String!) { verifyCertificate(number: $number) { number status volunteerName issuingUnit totalHours periodFrom periodTo issueDate } }`;

type Issued = { number: string; status: string; totalHours: number; volunteerName: string; documentNumberMasked: string | null; lines: { recordId: string; hours: number }[] };
type Verification = { number: string; status: string; volunteerName: string | null; issuingUnit: string | null; totalHours: number | null };

let platform: Platform;
let yingbin: { id: string; path: string };
let center: string;
let station: string;
let otherStation: string;
let heYi: string;

beforeAll(async () => {
  platform = await startPlatform({ seed: 'demo' });
  yingbin = await platform.unit('KZ-HANFENG-YINGBIN');
  center = await platform.login(CENTER_ADMIN);
  station = await platform.login(STATION_ADMIN);
  otherStation = await platform.tokenAs('STATION_ADMIN', 'KZ-YUNFENG-YONGXIAN', '900102');
  [{ id: heYi }] = await platform.volunteers.query(
    'SELECT v.id::text FROM volunteer v JOIN person p ON p.id = v.person_id WHERE p.mobile = $1',
    [VOLUNTEER_HE_YI],
  );
}, 120_000);

afterAll(() => platform?.stop());

async function must<T>(query: string, variables: Record<string, unknown>, token: string): Promise<T> {
  const result = await platform.query<T>(query, variables, { token });
  if (result.errors) throw new Error(`${query.slice(0, 60)}: ${JSON.stringify(result.errors)}`);
  return result.data!;
}

async function verify(number: string): Promise<Verification> {
  // Nobody signed in.
  const result = await platform.query<{ verifyCertificate: Verification }>(VERIFY, { number }, {});
  if (result.errors) throw new Error(JSON.stringify(result.errors));
  return result.data!.verifyCertificate;
}

/** A verified check-out record of 何毅 at 迎宾, on `day` of May 2018 (Beijing). */
async function aVerifiedRecord(day: number, minutes: number): Promise<string> {
  const startsAt = `2018-05-${String(day).padStart(2, '0')}T01:00:00Z`;
  const [record] = await platform.volunteers.query(
    `INSERT INTO service_record (volunteer_id, unit_id, unit_path, category, title, started_at, minutes, source, created_by, place, content)
     VALUES ($1, $2, $3, 'ENVIRONMENT', $4, $5, $6, 'CHECK_OUT', 'test', '汉丰湖滨', '清理湖岸垃圾') RETURNING id::text`,
    [heYi, yingbin.id, yingbin.path, `汉丰湖护湖 ${day}`, startsAt, minutes],
  );
  await must(VERIFY_RECORD, { input: { recordId: record.id } }, station);
  return record.id;
}

const input = (unitId: string, recordIds: string[], extra: Record<string, unknown> = {}) => ({
  unitId,
  volunteerId: heYi,
  recordIds,
  legalName: '重庆市开州区汉丰街道迎宾社区居民委员会',
  uscc: USCC,
  headName: '李主任',
  ...extra,
});

describe('certificates by the recorder (办法 Arts. 14, 15, 17)', () => {
  let ids: string[];
  let first: Issued;

  it('a unit that organized none of the records cannot issue, and the USCC is checked', async () => {
    ids = [await aVerifiedRecord(10, 50), await aVerifiedRecord(11, 50), await aVerifiedRecord(12, 95)];
    const yongxian = await platform.unit('KZ-YUNFENG-YONGXIAN');
    expect(errorCodes(await platform.query(ISSUE, { input: input(yongxian.id, ids) }, { token: otherStation }))).toEqual(['BAD_USER_INPUT']);
    // Even the center cannot certify in the name of a unit that did not record them.
    expect(errorCodes(await platform.query(ISSUE, { input: input(yongxian.id, ids) }, { token: center }))).toEqual(['BAD_USER_INPUT']);
    const badUscc = await platform.query(ISSUE, { input: input(yingbin.id, ids, { uscc: '91440300708461136X' }) }, { token: station });
    expect(errorCodes(badUscc)).toEqual(['BAD_USER_INPUT']);
    expect(badUscc.errors![0]!.extensions).toMatchObject({ field: 'input.uscc' });
    expect(errorCodes(await platform.query(ISSUE, { input: input(yingbin.id, ids) }, {}))).toEqual(['UNAUTHENTICATED']);
  });

  it('its total equals the verification answer and the export’s sum for those records', async () => {
    first = (await must<{ issueServiceCertificate: Issued }>(ISSUE, { input: input(yingbin.id, ids) }, station)).issueServiceCertificate;
    expect(first.status).toBe('VALID');
    expect(first.volunteerName).toBe('何毅');
    const answer = await verify(first.number);
    expect(answer).toMatchObject({ number: first.number, status: 'VALID', volunteerName: '何*', issuingUnit: '重庆市开州区汉丰街道迎宾社区居民委员会' });
    expect(answer.totalHours).toBe(first.totalHours);
    expect(JSON.stringify(answer)).not.toContain(first.documentNumberMasked ?? '@@');

    const { exportServiceRecords: view } = await must<{ exportServiceRecords: { totalHours: number; files: { name: string; content: string }[] } }>(
      EXPORT,
      { input: { unitId: yingbin.id, from: FROM, to: TO } },
      center,
    );
    const content = view.files.find((file) => file.name === 'service-records.csv')!.content;
    const [header, ...rows] = content.slice(1).replace(/\r\n$/, '').split('\r\n').map((line) => line.split(','));
    const idColumn = header!.indexOf('记录编号');
    const hoursColumn = header!.indexOf('服务时长（小时）');
    const exported = rows.filter((row) => ids.includes(row[idColumn]!));
    expect(exported).toHaveLength(3);
    const sum = exported.reduce((total, row) => total + Math.round(Number(row[hoursColumn]) * 100), 0) / 100;
    expect(first.totalHours).toBe(sum);
    // 0.83 + 0.83 + 1.58: the sum of the lines, not the hours of 195 minutes (3.25).
    expect(first.totalHours).toBe(3.24);
  });

  it('a correction after issue supersedes it; a reissue gets a new number and revokes the old one', async () => {
    await must(CORRECT, { input: { recordId: ids[0], minutes: 60, reason: '核对签退时间' } }, station);
    expect((await verify(first.number)).status).toBe('SUPERSEDED');
    const second = (await must<{ issueServiceCertificate: Issued }>(ISSUE, { input: input(yingbin.id, ids, { replacesNumber: first.number }) }, station))
      .issueServiceCertificate;
    expect(second.number).not.toBe(first.number);
    expect(await verify(second.number)).toMatchObject({ status: 'VALID', totalHours: 3.41 });
    expect((await verify(first.number)).status).toBe('REVOKED');
  });

  it('without the issuer’s statement, the certificate names the unit’s legal identity as set in org', async () => {
    const UPDATE = `mutation($input: UpdateUnitInput!) { updateUnit(input: $input) { id legal { uscc } } }`;
    const legal = { legalName: '开州区汉丰街道迎宾社区新时代文明实践站', uscc: '91110000600037341L', headName: '陈站长' };
    await must(UPDATE, { input: { id: yingbin.id, legal } }, station);
    const bare = { unitId: yingbin.id, volunteerId: heYi, recordIds: [ids[2]] };
    // The org event reaches the volunteers subgraph through the queue.
    await eventually(async () => {
      const [row] = await platform.volunteers.query('SELECT uscc FROM unit_legal_ref WHERE unit_id = $1', [yingbin.id]);
      return row?.uscc === legal.uscc;
    });
    const issued = (
      await must<{ issueServiceCertificate: { number: string; legalName: string } }>(
        `mutation($input: IssueServiceCertificateInput!) { issueServiceCertificate(input: $input) { number legalName } }`,
        { input: bare },
        station,
      )
    ).issueServiceCertificate;
    expect(issued.legalName).toBe(legal.legalName);
    expect((await verify(issued.number)).issuingUnit).toBe(legal.legalName);
  });

  it('a forged number answers NOT_FOUND', async () => {
    const forged = `${first.number.slice(0, -1)}${first.number.endsWith('A') ? 'B' : 'A'}`;
    expect(await verify(forged)).toMatchObject({ status: 'NOT_FOUND', volunteerName: null, issuingUnit: null, totalHours: null });
    expect((await verify('ZYFW-AAAAAAAAAAAAAAAAAAAAAAAAAA')).status).toBe('NOT_FOUND');
  });
});

describe('the certificate as a signed document, through the gateway', () => {
  const SIGNED_ISSUE = `mutation($input: IssueServiceCertificateInput!) { issueServiceCertificate(input: $input) {
    number totalHours signedDocument signature { algorithm keyId digest value } } }`;
  const PDF = `query($number: String!) { certificatePdf(number: $number) { name mediaType encoding content } }`;
  const KEYS = `{ certificateSigningKeys { keyId algorithm publicKeyPem current } }`;
  const VERIFY_SIGNED = `query($number: String!) { verifyCertificate(number: $number) { status totalHours signatureValid signature { keyId digest value } } }`;
  type File = { name: string; mediaType: string; encoding: string; content: string };
  type Signed = { number: string; totalHours: number; signedDocument: string; signature: { algorithm: string; keyId: string; digest: string; value: string } };
  const run = promisify(execFile);
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kz-certificate-e2e-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('issue → the PDF → decode → the signature checks offline; the volunteer reads it, others are FORBIDDEN', async () => {
    const ids = [await aVerifiedRecord(20, 120), await aVerifiedRecord(21, 45)];
    const issued = (await must<{ issueServiceCertificate: Signed }>(SIGNED_ISSUE, { input: input(yingbin.id, ids) }, station)).issueServiceCertificate;

    // The volunteer the certificate is for fetches the PDF.
    const heYiToken = await platform.login(VOLUNTEER_HE_YI);
    const { certificatePdf: file } = await must<{ certificatePdf: File }>(PDF, { number: issued.number }, heYiToken);
    expect(file).toMatchObject({ name: `${issued.number}.pdf`, mediaType: 'application/pdf', encoding: 'BASE64' });
    const pdf = Buffer.from(file.content, 'base64');
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const path = join(dir, file.name);
    await writeFile(path, pdf);
    const text = (await run('pdftotext', ['-raw', path, '-'])).stdout;
    expect(text).toContain('志愿服务记录证明');
    expect(text).toContain('何毅');
    expect(text).toContain(`共计 ${issued.totalHours} 小时`);
    expect(text).toContain(issued.signature.keyId);
    // The PDF prints the digest and the signature the platform stored.
    expect(text).toContain(issued.signature.digest);
    expect(text.replace(/\s/g, '')).toContain(issued.signature.value);

    // Offline: the public key (asked for by nobody in particular), the canonical text, node:crypto.
    const keys = await platform.query<{ certificateSigningKeys: { keyId: string; publicKeyPem: string; current: boolean }[] }>(KEYS, {}, {});
    expect(keys.errors).toBeUndefined();
    const key = keys.data!.certificateSigningKeys.find((candidate) => candidate.keyId === issued.signature.keyId);
    expect(key?.current).toBe(true);
    const digest = createHash('sha256').update(issued.signedDocument, 'utf8').digest();
    expect(digest.toString('hex')).toBe(issued.signature.digest);
    expect(verifySignature(null, digest, createPublicKey(key!.publicKeyPem), Buffer.from(issued.signature.value, 'base64'))).toBe(true);
    // What the canonical text says is what the PDF says.
    const document = JSON.parse(issued.signedDocument) as { number: string; totalHours: number; volunteer: { name: string } };
    expect(document).toMatchObject({ number: issued.number, totalHours: issued.totalHours, volunteer: { name: '何毅' } });
    const tampered = createHash('sha256').update(issued.signedDocument.replace(`"totalHours":${issued.totalHours}`, '"totalHours":99'), 'utf8').digest();
    expect(verifySignature(null, tampered, createPublicKey(key!.publicKeyPem), Buffer.from(issued.signature.value, 'base64'))).toBe(false);

    // Anyone checks it by its number; the answer says the signature holds.
    const answer = await platform.query<{ verifyCertificate: { status: string; signatureValid: boolean; signature: { digest: string } } }>(
      VERIFY_SIGNED,
      { number: issued.number },
      {},
    );
    expect(answer.data!.verifyCertificate).toMatchObject({ status: 'VALID', signatureValid: true, signature: { digest: issued.signature.digest } });

    // The station that issued it gets the same file: made again from the frozen contents.
    expect((await must<{ certificatePdf: File }>(PDF, { number: issued.number }, station)).certificatePdf.content).toBe(file.content);
    // A station admin elsewhere, another volunteer, nobody: refused.
    expect(errorCodes(await platform.query(PDF, { number: issued.number }, { token: otherStation }))).toEqual(['FORBIDDEN']);
    const anotherVolunteer = await platform.tokenAs('VOLUNTEER', 'KZ-HANFENG-YINGBIN');
    expect(errorCodes(await platform.query(PDF, { number: issued.number }, { token: anotherVolunteer }))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await platform.query(PDF, { number: issued.number }, {}))).toEqual(['UNAUTHENTICATED']);
  });

  it('a forged number: verification NOT_FOUND with no signature; its PDF FORBIDDEN, or null for the center', async () => {
    const forged = 'ZYFW-AAAAAAAAAAAAAAAAAAAAAAAAAA';
    const answer = await platform.query<{ verifyCertificate: { status: string; signatureValid: boolean | null; signature: unknown } }>(
      VERIFY_SIGNED,
      { number: forged },
      {},
    );
    expect(answer.data!.verifyCertificate).toEqual({ status: 'NOT_FOUND', totalHours: null, signatureValid: null, signature: null });
    expect(errorCodes(await platform.query(PDF, { number: forged }, { token: station }))).toEqual(['FORBIDDEN']);
    const centerAnswer = await platform.query<{ certificatePdf: File | null }>(PDF, { number: forged }, { token: center });
    expect(centerAnswer.errors).toBeUndefined();
    expect(centerAnswer.data!.certificatePdf).toBeNull();
  });
});

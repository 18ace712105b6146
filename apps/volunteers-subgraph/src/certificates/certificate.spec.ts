import { createHash, createPublicKey, randomUUID, verify as verifySignature } from 'node:crypto';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Job } from 'bullmq';
import type { Claims } from '@kz/auth';
import type { EventEnvelope } from '@kz/events';
import { RunningSubgraph } from '@kz/subgraph';
import { aCaller, errorCodes, startSubgraphAlone, SubgraphAlone } from '@kz/testing';
import { startVolunteersSubgraph } from '../app';
import { hoursFromMinutes } from '../records/hours';
import { unitRefHandlers, upsertUnitRefs } from '../units/unit-ref';
import { CENTER, centerAdmin, INSTITUTE, OTHER_INSTITUTE, OTHER_STATION, STATION } from '../testing/unit-tree';

/** Certificates by the recorder (办法 Arts. 14, 15, 17) in the volunteers subgraph, against its real database. */

const center = centerAdmin;
const instituteAdmin = aCaller.staff('INSTITUTE_ADMIN', INSTITUTE, 'p-institute');
const stationAdmin = aCaller.staff('STATION_ADMIN', STATION, 'p-station');
const otherStationAdmin = aCaller.staff('STATION_ADMIN', OTHER_STATION, 'p-other');

const USCC = '91440300708461136T';
const ISSUE = `mutation($input: IssueServiceCertificateInput!) { issueServiceCertificate(input: $input) {
  id number status volunteerName documentType documentNumberMasked nationalVolunteerNumber totalHours legalName uscc headName handlerName
  issueDate periodFrom periodTo replacedBy lines { recordId date activity content hours } unit { id } } }`;
const REVOKE = `mutation($input: RevokeServiceCertificateInput!) { revokeServiceCertificate(input: $input) { number status revokeReason revokedAt } }`;
const VERIFY = `query($number: String!) { verifyCertificate(number: $number) {
  number status volunteerName issuingUnit periodFrom periodTo totalHours issueDate } }`;
const CORRECT = `mutation($input: CorrectServiceMinutesInput!) { correctServiceMinutes(input: $input) { id minutes } }`;
const REGISTER = `query($representations: [_Any!]!, $first: Int, $after: String) { _entities(representations: $representations) {
  ... on PracticeUnit { serviceCertificates(first: $first, after: $after) { totalCount edges { cursor node { number status } } pageInfo { hasNextPage endCursor } }
    recordingReport(year: 2026) { certificatesIssued certificatesRevoked } } } }`;

type Issued = {
  id: string;
  legalName: string;
  number: string;
  status: string;
  volunteerName: string;
  documentType: string | null;
  documentNumberMasked: string | null;
  nationalVolunteerNumber: string | null;
  totalHours: number;
  handlerName: string;
  periodFrom: string;
  periodTo: string;
  replacedBy: string | null;
  lines: { recordId: string; date: string; activity: string; content: string; hours: number }[];
};
type Verification = { number: string; status: string; volunteerName: string | null; issuingUnit: string | null; totalHours: number | null };

describe('certificates by the recorder (办法 Arts. 14, 15, 17)', () => {
  let alone: SubgraphAlone<RunningSubgraph>;
  /** The font the subgraph is configured with: a link to the real one, removed for the missing-font case. */
  let fontDir: string;
  const FONT = '/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc';
  let serial = 0;
  const db = () => alone.running.dataSource;

  async function aVolunteer(name: string): Promise<string> {
    serial += 1;
    const [person] = await db().query(
      `INSERT INTO person (real_name, mobile, document_type, id_number_masked, gender, birth_date)
       VALUES ($1, $2, 'RESIDENT_ID', '500234**********2X', 'F', '1985-03-12') RETURNING id::text`,
      [name, `1370055${String(serial).padStart(4, '0')}`],
    );
    const [row] = await db().query(
      `INSERT INTO volunteer (person_id, status, home_station_id, home_station_path) VALUES ($1, 'ACTIVE', $2, $3) RETURNING id::text`,
      [person.id, STATION.id, STATION.path],
    );
    return row.id;
  }

  async function aVerifiedRecord(volunteerId: string, minutes: number, startedAt: string, unit: { id: string; path: string } = STATION): Promise<string> {
    const [record] = await db().query(
      `INSERT INTO service_record (volunteer_id, unit_id, unit_path, category, title, started_at, minutes, status, source, evidence, created_by, place, content, responsible_name, verified_at, verified_by)
       VALUES ($1, $2, $3, 'ENVIRONMENT', '腾龙广场环境整治', $4, $5, 'VERIFIED', 'OFFLINE', '签到表', 'test', '腾龙广场', '清扫广场垃圾', '王站长', now(), 'test') RETURNING id::text`,
      [volunteerId, unit.id, unit.path, startedAt, minutes],
    );
    return record.id;
  }

  const input = (unitId: string, volunteerId: string, recordIds: string[], extra: Record<string, unknown> = {}) => ({
    unitId,
    volunteerId,
    recordIds,
    legalName: '重庆市开州区迎宾社区居民委员会',
    uscc: USCC,
    headName: '李主任',
    ...extra,
  });

  async function mustIssue(value: Record<string, unknown>, claims: Claims = stationAdmin): Promise<Issued> {
    const result = await alone.ask<{ issueServiceCertificate: Issued }>(ISSUE, { input: value }, claims);
    if (result.errors) throw new Error(JSON.stringify(result.errors));
    return result.data!.issueServiceCertificate;
  }
  async function verify(number: string): Promise<Verification> {
    // Anonymous: no claims at all.
    const result = await alone.ask<{ verifyCertificate: Verification }>(VERIFY, { number }, null);
    if (result.errors) throw new Error(JSON.stringify(result.errors));
    return result.data!.verifyCertificate;
  }

  beforeAll(async () => {
    fontDir = await mkdtemp(join(tmpdir(), 'kz-certificate-font-'));
    await symlink(FONT, join(fontDir, 'font.ttc'));
    alone = await startSubgraphAlone(
      'VOLUNTEERS_DATABASE',
      (config) => startVolunteersSubgraph({ ...config, CERTIFICATE_FONT: join(fontDir, 'font.ttc') }, { port: 0 }),
      center,
    );
    await db().transaction((manager) => upsertUnitRefs(manager, [CENTER, INSTITUTE, STATION, OTHER_INSTITUTE, OTHER_STATION], new Date(0).toISOString()));
  });

  afterAll(async () => {
    await alone?.stop();
    await rm(fontDir, { recursive: true, force: true });
  });

  it('issues a certificate whose total is the sum of its lines, frozen, and anyone can verify it without the ID number', async () => {
    const volunteerId = await aVolunteer('张三丰');
    await db().query(`INSERT INTO external_id (entity_kind, entity_id, target, external_id, set_by) VALUES ('VOLUNTEER', $1, 'NATIONAL', 'N-500-77', 'test')`, [volunteerId]);
    const ids = [await aVerifiedRecord(volunteerId, 50, '2026-03-02T01:00:00Z'), await aVerifiedRecord(volunteerId, 90, '2026-03-01T17:00:00Z')];
    // The institute above the station may certify its station's records too.
    const issued = await mustIssue(input(INSTITUTE.id, volunteerId, ids, { uscc: ' 91440300708461136t ' }), instituteAdmin);
    expect(issued).toMatchObject({
      status: 'VALID',
      volunteerName: '张三丰',
      documentType: 'RESIDENT_ID',
      documentNumberMasked: '500234**********2X',
      nationalVolunteerNumber: 'N-500-77',
      uscc: USCC,
      // 2026-03-01T17:00Z is 2026-03-02 in Beijing.
      periodFrom: '2026-03-02',
      periodTo: '2026-03-02',
    });
    expect(issued.number).toMatch(/^ZYFW-[A-Z2-7]{26}$/);
    expect(issued.lines.map((line) => line.hours)).toEqual([hoursFromMinutes(90), hoursFromMinutes(50)]);
    expect(issued.totalHours).toBe(2.33);
    expect(issued.lines[0]).toMatchObject({ activity: '腾龙广场环境整治', content: '清扫广场垃圾', date: '2026-03-02' });

    const answer = await verify(issued.number.toLowerCase());
    expect(answer).toEqual({
      number: issued.number,
      status: 'VALID',
      volunteerName: '张**',
      issuingUnit: '重庆市开州区迎宾社区居民委员会',
      periodFrom: '2026-03-02',
      periodTo: '2026-03-02',
      totalHours: issued.totalHours,
      issueDate: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
    });
    expect(JSON.stringify(answer)).not.toContain('500234');

    // The person's name changes later: the certificate does not.
    await db().query(`UPDATE person SET real_name = '张四' WHERE id = (SELECT person_id FROM volunteer WHERE id = $1)`, [volunteerId]);
    expect((await verify(issued.number)).volunteerName).toBe('张**');
  });

  it('refuses a unit that organized none of the records, unverified and other people’s records, and a bad USCC', async () => {
    const volunteerId = await aVolunteer('李四');
    const other = await aVolunteer('王五');
    const record = await aVerifiedRecord(volunteerId, 60, '2026-03-03T01:00:00Z');
    const elsewhere = await aVerifiedRecord(volunteerId, 60, '2026-03-03T01:00:00Z', OTHER_STATION);
    // The other station's admin, for its own unit: it organized none of them.
    const refused = await alone.ask(ISSUE, { input: input(OTHER_STATION.id, volunteerId, [record]) }, otherStationAdmin);
    expect(errorCodes(refused)).toEqual(['BAD_USER_INPUT']);
    expect(refused.errors![0]!.extensions).toMatchObject({ field: 'input.recordIds', id: record });
    expect(refused.errors![0]!.message).toContain('谁记录谁证明');
    // One record of another unit among them is enough to refuse.
    expect(errorCodes(await alone.ask(ISSUE, { input: input(STATION.id, volunteerId, [record, elsewhere]) }, stationAdmin))).toEqual(['BAD_USER_INPUT']);
    // Out of scope of the issuing unit.
    expect(errorCodes(await alone.ask(ISSUE, { input: input(OTHER_STATION.id, volunteerId, [elsewhere]) }, stationAdmin))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await alone.ask(ISSUE, { input: input(STATION.id, other, [record]) }, stationAdmin))).toEqual(['BAD_USER_INPUT']);
    await db().query(`UPDATE service_record SET status = 'PENDING', verified_at = NULL, verified_by = NULL WHERE id = $1`, [record]);
    expect(errorCodes(await alone.ask(ISSUE, { input: input(STATION.id, volunteerId, [record]) }, stationAdmin))).toEqual(['BAD_USER_INPUT']);
    await db().query(`UPDATE service_record SET status = 'VERIFIED', verified_at = now(), verified_by = 'test' WHERE id = $1`, [record]);
    const badUscc = await alone.ask(ISSUE, { input: input(STATION.id, volunteerId, [record], { uscc: '91440300708461136X' }) }, stationAdmin);
    expect(errorCodes(badUscc)).toEqual(['BAD_USER_INPUT']);
    expect(badUscc.errors![0]!.extensions).toMatchObject({ field: 'input.uscc' });
    expect(badUscc.errors![0]!.message).toContain('GB 32100-2015');
    // Volunteers and analysts issue nothing.
    expect(errorCodes(await alone.ask(ISSUE, { input: input(STATION.id, volunteerId, [record]) }, aCaller.staff('ANALYST', CENTER, 'p-analyst')))).toEqual([
      'FORBIDDEN',
    ]);
    const [{ n }] = await db().query('SELECT count(*)::int AS n FROM service_certificate WHERE volunteer_id = $1', [volunteerId]);
    expect(n).toBe(0);
  });

  it('a later correction supersedes it; a reissue revokes the old number; revoking needs a reason and happens once', async () => {
    const volunteerId = await aVolunteer('赵六');
    const ids = [await aVerifiedRecord(volunteerId, 60, '2026-04-01T01:00:00Z'), await aVerifiedRecord(volunteerId, 30, '2026-04-02T01:00:00Z')];
    const first = await mustIssue(input(STATION.id, volunteerId, ids));
    expect((await verify(first.number)).status).toBe('VALID');
    // A correction to the same minutes changes nothing the certificate says.
    expect((await alone.ask(CORRECT, { input: { recordId: ids[1], minutes: 30, reason: '复核' } }, stationAdmin)).errors).toBeUndefined();
    expect((await verify(first.number)).status).toBe('VALID');
    expect((await alone.ask(CORRECT, { input: { recordId: ids[1], minutes: 45, reason: '按签到表' } }, stationAdmin)).errors).toBeUndefined();
    const superseded = await verify(first.number);
    expect(superseded).toMatchObject({ status: 'SUPERSEDED', totalHours: 1.5 });

    const second = await mustIssue(input(STATION.id, volunteerId, ids, { replacesNumber: first.number }));
    expect(second.number).not.toBe(first.number);
    expect(second.totalHours).toBe(1.75);
    expect(await verify(second.number)).toMatchObject({ status: 'VALID', totalHours: 1.75 });
    expect((await verify(first.number)).status).toBe('REVOKED');
    const [old] = await db().query('SELECT replaced_by, revoke_reason FROM service_certificate WHERE number = $1', [first.number]);
    expect(old).toEqual({ replaced_by: second.number, revoke_reason: '重新出具' });

    // Another station's admin cannot revoke it; the issuing unit can, once, with a reason.
    expect(errorCodes(await alone.ask(REVOKE, { input: { number: second.number, reason: '错发' } }, otherStationAdmin))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await alone.ask(REVOKE, { input: { number: second.number, reason: ' ' } }, stationAdmin))).toEqual(['BAD_USER_INPUT']);
    const revoked = await alone.ask<{ revokeServiceCertificate: { status: string; revokeReason: string } }>(
      REVOKE,
      { input: { number: second.number, reason: '志愿者申请作废' } },
      stationAdmin,
    );
    expect(revoked.data?.revokeServiceCertificate).toMatchObject({ status: 'REVOKED', revokeReason: '志愿者申请作废' });
    expect(errorCodes(await alone.ask(REVOKE, { input: { number: second.number, reason: '再次' } }, stationAdmin))).toEqual(['INVALID_TRANSITION']);
    expect((await verify(second.number)).status).toBe('REVOKED');
  });

  it('takes the issuing unit’s legal identity from org when the issuer gives none', async () => {
    const volunteerId = await aVolunteer('周八');
    const record = await aVerifiedRecord(volunteerId, 60, '2026-06-01T01:00:00Z');
    const bare = { unitId: STATION.id, volunteerId, recordIds: [record] };
    const missing = await alone.ask(ISSUE, { input: bare }, stationAdmin);
    expect(errorCodes(missing)).toEqual(['BAD_USER_INPUT']);
    expect(missing.errors![0]!.extensions).toMatchObject({ field: 'input.legalName' });
    // Two of three is refused too: all or none.
    expect(errorCodes(await alone.ask(ISSUE, { input: { ...bare, legalName: '某单位', uscc: USCC } }, stationAdmin))).toEqual(['BAD_USER_INPUT']);

    const updated = (legal: { legalName: string; uscc: string; headName: string } | null, at: string): EventEnvelope<'org.unit.updated'> => ({
      id: randomUUID(),
      type: 'org.unit.updated',
      version: 1,
      occurredAt: at,
      actor: { personId: '901', roles: ['CENTER_ADMIN'] },
      unitPath: STATION.path,
      payload: { unitId: STATION.id, code: STATION.code, level: STATION.level, parentId: INSTITUTE.id, name: STATION.name, path: STATION.path, legal },
    });
    const handlers = unitRefHandlers(db());
    await handlers['org.unit.updated']!(updated({ legalName: '迎宾社区居民委员会', uscc: '91110000600037341L', headName: '陈书记' }, '2026-06-02T00:00:00Z'), {} as Job);
    // An older event arriving late changes nothing.
    await handlers['org.unit.updated']!(updated(null, '2026-06-01T00:00:00Z'), {} as Job);
    const issued = await alone.ask<{ issueServiceCertificate: Issued & { uscc: string; headName: string } }>(ISSUE, { input: bare }, stationAdmin);
    expect(issued.errors).toBeUndefined();
    expect(issued.data!.issueServiceCertificate).toMatchObject({ legalName: '迎宾社区居民委员会', uscc: '91110000600037341L', headName: '陈书记' });
    // The issuer's statement, when given, is what the certificate says.
    expect((await mustIssue(input(STATION.id, volunteerId, [record]))).legalName).toBe('重庆市开州区迎宾社区居民委员会');
    await db().query('DELETE FROM unit_legal_ref WHERE unit_id = $1', [STATION.id]);
  });

  it('a forged or malformed number is NOT_FOUND and reveals nothing', async () => {
    for (const number of ['ZYFW-AAAAAAAAAAAAAAAAAAAAAAAAAA', 'ZYFW-1', '', "' OR 1=1 --", 'x'.repeat(500)]) {
      const answer = await verify(number);
      expect(answer).toMatchObject({ status: 'NOT_FOUND', volunteerName: null, issuingUnit: null, totalHours: null });
    }
  });

  it('keeps a register per unit, paginated, for staff in scope; the recording report counts issued and revoked', async () => {
    const volunteerId = await aVolunteer('孙七');
    const record = await aVerifiedRecord(volunteerId, 120, '2026-05-01T01:00:00Z', OTHER_STATION);
    const numbers: string[] = [];
    for (let index = 0; index < 3; index += 1) numbers.push((await mustIssue(input(OTHER_STATION.id, volunteerId, [record]), otherStationAdmin)).number);
    expect((await alone.ask(REVOKE, { input: { number: numbers[0], reason: '错发' } }, otherStationAdmin)).errors).toBeUndefined();
    type Register = {
      serviceCertificates: { totalCount: number; edges: { cursor: string; node: { number: string; status: string } }[]; pageInfo: { hasNextPage: boolean; endCursor: string } } | null;
      recordingReport: { certificatesIssued: number; certificatesRevoked: number } | null;
    };
    const read = (claims: Claims, after?: string) =>
      alone.ask<{ _entities: Register[] }>(REGISTER, { representations: [{ __typename: 'PracticeUnit', id: OTHER_STATION.id }], first: 2, after }, claims);
    const page1 = (await read(otherStationAdmin)).data!._entities[0]!;
    expect(page1.serviceCertificates!.totalCount).toBe(3);
    expect(page1.serviceCertificates!.edges.map((edge) => edge.node.number)).toEqual([numbers[2], numbers[1]]);
    expect(page1.recordingReport).toEqual({ certificatesIssued: 3, certificatesRevoked: 1 });
    const page2 = (await read(otherStationAdmin, page1.serviceCertificates!.pageInfo.endCursor)).data!._entities[0]!;
    expect(page2.serviceCertificates!.edges.map((edge) => edge.node)).toEqual([{ number: numbers[0], status: 'REVOKED' }]);
    expect(page2.serviceCertificates!.pageInfo.hasNextPage).toBe(false);
    // Out of scope: null with FORBIDDEN on the field.
    const refused = await read(stationAdmin);
    expect(refused.data!._entities[0]!.serviceCertificates).toBeNull();
    expect(errorCodes(refused)).toContain('FORBIDDEN');
  });

  describe('as a document: signature and PDF', () => {
    const SIGNED = `mutation($input: IssueServiceCertificateInput!) { issueServiceCertificate(input: $input) {
      number status totalHours signedDocument signatureValid signature { algorithm keyId digest value } } }`;
    const KEYS = `{ certificateSigningKeys { keyId algorithm publicKeyPem publicKeyHex current } }`;
    const VERIFY_SIGNED = `query($number: String!) { verifyCertificate(number: $number) { status signatureValid signature { keyId digest value } } }`;
    const PDF = `query($number: String!) { certificatePdf(number: $number) { name mediaType encoding content } }`;
    type Signed = {
      number: string;
      totalHours: number;
      signedDocument: string;
      signatureValid: boolean;
      signature: { algorithm: string; keyId: string; digest: string; value: string };
    };
    type File = { name: string; mediaType: string; encoding: string; content: string };
    const run = promisify(execFile);

    async function pdfText(content: string): Promise<string> {
      const file = join(fontDir, `${randomUUID()}.pdf`);
      await writeFile(file, Buffer.from(content, 'base64'));
      return (await run('pdftotext', ['-raw', file, '-'])).stdout;
    }

    it('is signed at issue; anyone checks the signature offline with the published key; a tampered row fails', async () => {
      const volunteerId = await aVolunteer('钱九');
      const ids = [await aVerifiedRecord(volunteerId, 90, '2026-07-01T01:00:00Z'), await aVerifiedRecord(volunteerId, 50, '2026-07-02T01:00:00Z')];
      const result = await alone.ask<{ issueServiceCertificate: Signed }>(SIGNED, { input: input(STATION.id, volunteerId, ids) }, stationAdmin);
      expect(result.errors).toBeUndefined();
      const issued = result.data!.issueServiceCertificate;
      expect(issued.signatureValid).toBe(true);
      expect(issued.signature.algorithm).toBe('Ed25519');

      // Offline, as an outsider: the public key from the public query, node:crypto, the canonical text.
      const keys = await alone.ask<{ certificateSigningKeys: { keyId: string; publicKeyPem: string; current: boolean }[] }>(KEYS, {}, null);
      expect(keys.errors).toBeUndefined();
      const key = keys.data!.certificateSigningKeys.find((candidate) => candidate.keyId === issued.signature.keyId)!;
      expect(key.current).toBe(true);
      const digest = createHash('sha256').update(issued.signedDocument, 'utf8').digest();
      expect(digest.toString('hex')).toBe(issued.signature.digest);
      expect(verifySignature(null, digest, createPublicKey(key.publicKeyPem), Buffer.from(issued.signature.value, 'base64'))).toBe(true);
      const document = JSON.parse(issued.signedDocument);
      expect(document).toMatchObject({ format: 'kz-service-certificate/1', number: issued.number, totalHours: 2.33, volunteer: { name: '钱九' } });

      const answer = await alone.ask<{ verifyCertificate: { status: string; signatureValid: boolean | null; signature: { digest: string } | null } }>(
        VERIFY_SIGNED,
        { number: issued.number },
        null,
      );
      expect(answer.data!.verifyCertificate).toMatchObject({ status: 'VALID', signatureValid: true, signature: { digest: issued.signature.digest } });

      // Someone edits the stored contents behind the platform's back: the signature no longer checks.
      await db().query(`UPDATE service_certificate SET contents = jsonb_set(contents, '{totalHours}', '23.3') WHERE number = $1`, [issued.number]);
      const tampered = await alone.ask<{ verifyCertificate: { signatureValid: boolean } }>(VERIFY_SIGNED, { number: issued.number }, null);
      expect(tampered.data!.verifyCertificate.signatureValid).toBe(false);
    });

    it('a certificate issued before signing began says so (null), and its PDF says it is unsigned', async () => {
      const volunteerId = await aVolunteer('孙十');
      const record = await aVerifiedRecord(volunteerId, 60, '2026-07-03T01:00:00Z');
      const issued = (await alone.ask<{ issueServiceCertificate: Signed }>(SIGNED, { input: input(STATION.id, volunteerId, [record]) }, stationAdmin)).data!
        .issueServiceCertificate;
      // As the rows issued before the migration are.
      await db().query('UPDATE service_certificate SET signature = NULL, signature_key_id = NULL, signature_digest = NULL WHERE number = $1', [issued.number]);
      const answer = await alone.ask<{ verifyCertificate: { status: string; signatureValid: boolean | null; signature: unknown } }>(
        VERIFY_SIGNED,
        { number: issued.number },
        null,
      );
      expect(answer.data!.verifyCertificate).toEqual({ status: 'VALID', signatureValid: null, signature: null });
      const pdf = await alone.ask<{ certificatePdf: File }>(PDF, { number: issued.number }, stationAdmin);
      expect(pdf.errors).toBeUndefined();
      expect(await pdfText(pdf.data!.certificatePdf.content)).toContain('未附电子签名');
    });

    it('the PDF: for the volunteer and staff in scope, the same file each time, FORBIDDEN to others, 已撤销 once revoked', async () => {
      const volunteerId = await aVolunteer('郑十一');
      const [{ person_id: personId }] = await db().query('SELECT person_id::text FROM volunteer WHERE id = $1', [volunteerId]);
      const record = await aVerifiedRecord(volunteerId, 120, '2026-07-04T01:00:00Z');
      const issued = (await alone.ask<{ issueServiceCertificate: Signed }>(SIGNED, { input: input(STATION.id, volunteerId, [record]) }, stationAdmin)).data!
        .issueServiceCertificate;
      const self = aCaller.staff('VOLUNTEER', STATION, personId);
      const mine = await alone.ask<{ certificatePdf: File }>(PDF, { number: issued.number.toLowerCase() }, { sub: personId, roles: ['RESIDENT', 'VOLUNTEER'] });
      expect(mine.errors).toBeUndefined();
      expect(mine.data!.certificatePdf).toMatchObject({ name: `${issued.number}.pdf`, mediaType: 'application/pdf', encoding: 'BASE64' });
      const text = await pdfText(mine.data!.certificatePdf.content);
      expect(text).toContain('志愿服务记录证明');
      expect(text).toContain('郑十一');
      expect(text).toContain(issued.signature.digest);
      // Staff in scope (the institute above, an analyst there) get the same bytes: made from the frozen contents.
      for (const reader of [instituteAdmin, aCaller.staff('ANALYST', INSTITUTE, 'p-analyst'), center]) {
        const theirs = await alone.ask<{ certificatePdf: File }>(PDF, { number: issued.number }, reader);
        expect(theirs.data?.certificatePdf.content).toBe(mine.data!.certificatePdf.content);
      }
      // Others: FORBIDDEN, and a number that is no certificate the same, but null for the center admin.
      for (const stranger of [otherStationAdmin, { sub: 'p-someone-else', roles: ['RESIDENT', 'VOLUNTEER'] } as Claims, { ...self, sub: 'p-other' }]) {
        const refused = await alone.ask(PDF, { number: issued.number }, stranger);
        expect(errorCodes(refused)).toEqual(['FORBIDDEN']);
        expect(refused.data?.certificatePdf ?? null).toBeNull();
        expect(errorCodes(await alone.ask(PDF, { number: 'ZYFW-AAAAAAAAAAAAAAAAAAAAAAAAAA' }, stranger))).toEqual(['FORBIDDEN']);
      }
      expect(errorCodes(await alone.ask(PDF, { number: issued.number }, null))).toEqual(['UNAUTHENTICATED']);
      const absent = await alone.ask<{ certificatePdf: File | null }>(PDF, { number: 'ZYFW-AAAAAAAAAAAAAAAAAAAAAAAAAA' }, center);
      expect(absent).toMatchObject({ data: { certificatePdf: null } });
      expect(absent.errors).toBeUndefined();

      // Revoked: still there for its readers, with the watermark; verification says REVOKED.
      expect((await alone.ask(REVOKE, { input: { number: issued.number, reason: '志愿者申请作废' } }, stationAdmin)).errors).toBeUndefined();
      const revoked = await alone.ask<{ certificatePdf: File }>(PDF, { number: issued.number }, { sub: personId, roles: ['RESIDENT', 'VOLUNTEER'] });
      expect(revoked.errors).toBeUndefined();
      expect(revoked.data!.certificatePdf.content).not.toBe(mine.data!.certificatePdf.content);
      expect(await pdfText(revoked.data!.certificatePdf.content)).toMatch(/\n已\n撤\n销\n/);
      expect((await verify(issued.number)).status).toBe('REVOKED');
    });

    it('without its font the PDF is SERVICE_UNAVAILABLE with a message, and comes back once the font is there', async () => {
      const volunteerId = await aVolunteer('冯十二');
      const record = await aVerifiedRecord(volunteerId, 30, '2026-07-05T01:00:00Z');
      const issued = (await alone.ask<{ issueServiceCertificate: Signed }>(SIGNED, { input: input(STATION.id, volunteerId, [record]) }, stationAdmin)).data!
        .issueServiceCertificate;
      await unlink(join(fontDir, 'font.ttc'));
      try {
        const missing = await alone.ask(PDF, { number: issued.number }, stationAdmin);
        expect(errorCodes(missing)).toEqual(['SERVICE_UNAVAILABLE']);
        expect(missing.errors![0]!.message).toContain('fonts-wqy-zenhei');
        // The certificate itself stands.
        expect((await verify(issued.number)).status).toBe('VALID');
      } finally {
        await symlink(FONT, join(fontDir, 'font.ttc'));
      }
      expect((await alone.ask(PDF, { number: issued.number }, stationAdmin)).errors).toBeUndefined();
    });
  });
});

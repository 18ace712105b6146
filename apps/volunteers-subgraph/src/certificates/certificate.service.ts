import type { DataSource, EntityManager } from 'typeorm';
import { Actor, maskName } from '@kz/auth';
import { BadUserInput, Forbidden, InvalidTransition, NotFound } from '@kz/errors';
import { Connection, isBigintId, PageArgs, parseInput, readPage, toConnection } from '@kz/subgraph';
import { hoursFromMinutes, HoursRule, totalHours } from '../records/hours';
import { RECORD_ADMINS, RECORD_READERS } from '../records/record-statuses';
import { findUnit, UnitRef } from '../units/unit-ref';
import { IssueCertificateInput, issueCertificateInput, revokeCertificateInput } from './certificate.input';
import { CERTIFICATE_NUMBER, newCertificateNumber } from './certificate-number';
import { CertificatePdfOptions, renderCertificatePdf } from './certificate-pdf';
import { CertificateSignature, CertificateSigner, SigningKey, signedDocumentOf } from './certificate-signing';

/** What makes a certificate a document: the platform's signer and the PDF's font and verification address. */
export interface CertificateDocuments {
  signer: CertificateSigner;
  pdf: CertificatePdfOptions;
}

/** A file handed out in the answer (the `ExportFile` type of the schema): a binary file in base64. */
export interface CertificateFile {
  name: string;
  mediaType: string;
  encoding: 'BASE64';
  content: string;
}

export type CertificateStatus = 'VALID' | 'SUPERSEDED' | 'REVOKED';

/** One listed record as the certificate shows it (办法 Art. 15). */
export interface CertificateLine {
  recordId: string;
  /** The Beijing day the service started. */
  date: string;
  activity: string;
  content: string;
  hours: number;
}

/** What an issued certificate says, frozen at issue (`service_certificate.contents`). */
export interface CertificateContents {
  volunteerName: string;
  documentType: string | null;
  documentNumberMasked: string | null;
  nationalVolunteerNumber: string | null;
  lines: CertificateLine[];
  totalHours: number;
  hoursRule: HoursRule;
  unitName: string;
  legalName: string;
  uscc: string;
  headName: string;
  /** The 经办人: the staff member who issued it. */
  handlerName: string;
  issueDate: string;
}

export interface Certificate extends CertificateContents {
  id: string;
  number: string;
  status: CertificateStatus;
  volunteerId: string;
  unitId: string;
  periodFrom: string;
  periodTo: string;
  issuedAt: Date;
  supersededAt: Date | null;
  revokedAt: Date | null;
  revokeReason: string | null;
  replacedBy: string | null;
  /** The platform's signature made at issue; null for certificates issued before signing began. */
  signature: CertificateSignature | null;
}

/** What anyone may learn from a certificate's number: never the document number, the name masked. */
export interface CertificateVerification {
  number: string;
  status: CertificateStatus | 'NOT_FOUND';
  volunteerName: string | null;
  issuingUnit: string | null;
  periodFrom: string | null;
  periodTo: string | null;
  totalHours: number | null;
  issueDate: string | null;
  signature: CertificateSignature | null;
  /** Whether the stored signature checks against the platform's public key; null when there is none. */
  signatureValid: boolean | null;
}

interface CertificateRow {
  id: string;
  number: string;
  status: CertificateStatus;
  volunteer_id: string;
  unit_id: string;
  unit_path: string;
  contents: CertificateContents;
  period_from: string;
  period_to: string;
  issued_at: Date;
  superseded_at: Date | null;
  revoked_at: Date | null;
  revoke_reason: string | null;
  replaced_by: string | null;
  signature: string | null;
  signature_key_id: string | null;
  signature_digest: string | null;
}

const CURSOR = 'serviceCertificate';
const SELECT = `SELECT id::text, number, status, volunteer_id::text, unit_id::text, unit_path, contents,
  period_from::text, period_to::text, issued_at, superseded_at, revoked_at, revoke_reason, replaced_by,
  signature, signature_key_id, signature_digest FROM service_certificate`;

const toCertificate = (row: CertificateRow): Certificate => ({
  ...row.contents,
  id: row.id,
  number: row.number,
  status: row.status,
  volunteerId: row.volunteer_id,
  unitId: row.unit_id,
  periodFrom: row.period_from,
  periodTo: row.period_to,
  issuedAt: row.issued_at,
  supersededAt: row.superseded_at,
  revokedAt: row.revoked_at,
  revokeReason: row.revoke_reason,
  replacedBy: row.replaced_by,
  signature:
    row.signature && row.signature_key_id && row.signature_digest
      ? { algorithm: 'Ed25519', keyId: row.signature_key_id, digest: row.signature_digest, value: row.signature }
      : null,
});

/**
 * A later correction of a listed record (办法 Art. 13) makes every valid certificate listing it SUPERSEDED: what it
 * says is no longer the record. Called by `RecordService.applyCorrection`, in the correction's transaction.
 */
export async function supersedeCertificatesOf(manager: EntityManager, recordId: string): Promise<void> {
  await manager.query(
    `UPDATE service_certificate SET status = 'SUPERSEDED', superseded_at = now()
      WHERE status = 'VALID' AND id IN (SELECT certificate_id FROM service_certificate_record WHERE record_id = $1)`,
    [recordId],
  );
}

/**
 * Certificates by the recorder (办法 Arts. 14, 15, 17; docs/records.md, "Certificates"). Only the unit that organized
 * the listed records issues one (谁记录谁证明): an admin in scope of the issuing unit, for verified records of one
 * volunteer whose units all lie in the issuing unit's subtree. Free of charge; an issued certificate never changes.
 */
export class CertificateService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly actor: Actor,
    private readonly hoursRule: HoursRule,
    private readonly documents: CertificateDocuments,
  ) {}

  private hidden(entity: string, id: string, entityZh: string) {
    return this.actor.hasRole('CENTER_ADMIN') ? new NotFound(entity, id, entityZh) : new Forbidden();
  }

  private async unitInScope(manager: EntityManager, unitId: string, roles = RECORD_ADMINS): Promise<UnitRef> {
    const unit = isBigintId(unitId) ? await findUnit(manager, unitId) : null;
    if (!unit) throw this.hidden('PracticeUnit', unitId, '单位');
    this.actor.requireScope(unit.path, ...roles);
    return unit;
  }

  async issue(raw: unknown): Promise<Certificate> {
    const claims = this.actor.requireRole(...RECORD_ADMINS);
    const input = parseInput(issueCertificateInput, raw);
    return this.dataSource.transaction(async (manager) => {
      const unit = await this.unitInScope(manager, input.unitId);
      const contents = await this.contentsOf(manager, unit, input, claims.sub);
      const number = newCertificateNumber();
      const dates = contents.lines.map((line) => line.date).sort();
      const periodFrom = dates[0]!;
      const periodTo = dates[dates.length - 1]!;
      // Signed at issue, over what the certificate says (docs/records.md, "Signature").
      const signature = this.documents.signer.sign({ ...contents, number, periodFrom, periodTo });
      const [row] = await manager.query(
        `INSERT INTO service_certificate (number, volunteer_id, unit_id, unit_path, contents, total_hours, period_from, period_to, issued_by,
           signature, signature_key_id, signature_digest)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id::text`,
        [
          number,
          input.volunteerId,
          unit.id,
          unit.path,
          JSON.stringify(contents),
          contents.totalHours,
          periodFrom,
          periodTo,
          claims.sub,
          signature.value,
          signature.keyId,
          signature.digest,
        ],
      );
      await manager.query(
        'INSERT INTO service_certificate_record (certificate_id, record_id) SELECT $1, unnest($2::bigint[])',
        [row.id, contents.lines.map((line) => line.recordId)],
      );
      if (input.replacesNumber) {
        await this.revokeIn(manager, input.replacesNumber, '重新出具', claims.sub, number, 'input.replacesNumber', input.volunteerId);
      }
      return (await this.byId(manager, row.id))!;
    });
  }

  async revoke(raw: unknown): Promise<Certificate> {
    const claims = this.actor.requireRole(...RECORD_ADMINS);
    const input = parseInput(revokeCertificateInput, raw);
    return this.dataSource.transaction(async (manager) => {
      const id = await this.revokeIn(manager, input.number, input.reason, claims.sub, null, 'input.number', null);
      return (await this.byId(manager, id))!;
    });
  }

  /** The issuing unit's register of certificates, newest first, for staff who read records in scope of the unit. */
  async register(unitId: string, args: PageArgs): Promise<Connection<Certificate>> {
    this.actor.requireRole(...RECORD_READERS);
    const unit = await this.unitInScope(this.dataSource.manager, unitId, RECORD_READERS);
    const page = readPage(args, CURSOR);
    if (page.afterKey && !isBigintId(page.afterKey)) throw new BadUserInput('after', { key: 'input.cursor' });
    const where = `WHERE unit_id = $1`;
    const rows: CertificateRow[] = await this.dataSource.query(
      `${SELECT} ${where}${page.afterKey ? ' AND id < $3::bigint' : ''} ORDER BY id DESC LIMIT $2`,
      [unit.id, page.limit + 1, ...(page.afterKey ? [page.afterKey] : [])],
    );
    return toConnection(rows.map(toCertificate), page, CURSOR, (row) => row.id, async () => {
      const [row] = await this.dataSource.query(`SELECT count(*)::int AS n FROM service_certificate ${where}`, [unit.id]);
      return row.n as number;
    });
  }

  /** Public: anyone, signed in or not, may check a number. Only what the certificate's holder shows anyway, masked. */
  async verify(number: string): Promise<CertificateVerification> {
    const normalized = number.trim().toUpperCase();
    const notFound: CertificateVerification = {
      number: normalized.slice(0, 64),
      status: 'NOT_FOUND',
      volunteerName: null,
      issuingUnit: null,
      periodFrom: null,
      periodTo: null,
      totalHours: null,
      issueDate: null,
      signature: null,
      signatureValid: null,
    };
    if (!CERTIFICATE_NUMBER.test(normalized)) return notFound;
    const [row]: CertificateRow[] = await this.dataSource.query(`${SELECT} WHERE number = $1`, [normalized]);
    if (!row) return notFound;
    const certificate = toCertificate(row);
    return {
      number: certificate.number,
      status: certificate.status,
      volunteerName: maskName(certificate.volunteerName),
      issuingUnit: certificate.legalName,
      periodFrom: certificate.periodFrom,
      periodTo: certificate.periodTo,
      totalHours: certificate.totalHours,
      issueDate: certificate.issueDate,
      signature: certificate.signature,
      signatureValid: this.signatureValid(certificate),
    };
  }

  /** Whether the stored signature is the platform's on what the stored contents say now; null when unsigned. */
  signatureValid(certificate: Certificate): boolean | null {
    return certificate.signature ? this.documents.signer.verify(certificate, certificate.signature) : null;
  }

  /** The canonical document the signature covers (docs/records.md, "Signature"); null when unsigned. */
  signedDocument(certificate: Certificate): string | null {
    return certificate.signature ? signedDocumentOf(certificate) : null;
  }

  /** Public: the keys certificates are signed with, so anyone can check a signature offline. */
  signingKeys(): SigningKey[] {
    return this.documents.signer.publicKeys();
  }

  /**
   * The certificate as a PDF, made again from its frozen contents each time (the same certificate in the same status
   * gives the same bytes), for those who may read it: the volunteer it was issued to, and staff who read records in
   * scope of the issuing unit. Anyone else: FORBIDDEN, whether the number exists or not, except the center admin,
   * who sees every certificate and gets null for a number that is not one.
   */
  async pdf(number: string): Promise<CertificateFile | null> {
    const claims = this.actor.requireAuthenticated();
    const normalized = number.trim().toUpperCase();
    const [row]: (CertificateRow & { person_id: string })[] = CERTIFICATE_NUMBER.test(normalized)
      ? await this.dataSource.query(
          `SELECT c.*, v.person_id::text AS person_id FROM (${SELECT}) c JOIN volunteer v ON v.id = c.volunteer_id::bigint WHERE c.number = $1`,
          [normalized],
        )
      : [];
    if (!row) {
      if (this.actor.hasRole('CENTER_ADMIN')) return null;
      throw new Forbidden();
    }
    if (row.person_id !== claims.sub && !this.actor.inScope(row.unit_path, RECORD_READERS)) throw new Forbidden();
    const certificate = toCertificate(row);
    const pdf = await renderCertificatePdf(
      { ...certificate, signedDocument: this.signedDocument(certificate) },
      this.documents.pdf,
    );
    return { name: `${certificate.number}.pdf`, mediaType: 'application/pdf', encoding: 'BASE64', content: pdf.toString('base64') };
  }

  private async byId(manager: EntityManager, id: string): Promise<Certificate | null> {
    const [row]: CertificateRow[] = await manager.query(`${SELECT} WHERE id = $1`, [id]);
    return row ? toCertificate(row) : null;
  }

  /** Revokes a valid or superseded certificate of a unit in the caller's scope; answers its id. */
  private async revokeIn(
    manager: EntityManager,
    number: string,
    reason: string,
    by: string,
    replacedBy: string | null,
    field: string,
    volunteerId: string | null,
  ): Promise<string> {
    const [row]: CertificateRow[] = await manager.query(`${SELECT} WHERE number = $1 FOR UPDATE`, [number.trim().toUpperCase()]);
    if (!row) throw this.hidden('ServiceCertificate', number, '证明');
    this.actor.requireScope(row.unit_path, ...RECORD_ADMINS);
    if (volunteerId && row.volunteer_id !== volunteerId) {
      throw new BadUserInput(field, { key: 'certificate.otherVolunteer' });
    }
    if (row.status === 'REVOKED') {
      throw new InvalidTransition({ entity: 'ServiceCertificate', entityZh: '证明', from: row.status, fromZh: '已撤销', event: 'revoke', eventZh: '撤销' });
    }
    await manager.query(
      `UPDATE service_certificate SET status = 'REVOKED', revoked_at = now(), revoked_by = $2, revoke_reason = $3, replaced_by = $4 WHERE id = $1`,
      [row.id, by, reason, replacedBy],
    );
    return row.id;
  }

  /** The issuer's statement when given (all three), else the unit's legal identity from org. */
  private async legalOf(manager: EntityManager, unit: UnitRef, input: IssueCertificateInput): Promise<{ legalName: string; uscc: string; headName: string }> {
    const given = [input.legalName, input.uscc, input.headName].filter((value) => value != null).length;
    if (given === 3) return { legalName: input.legalName!, uscc: input.uscc!, headName: input.headName! };
    if (given > 0) throw new BadUserInput(input.legalName == null ? 'input.legalName' : input.uscc == null ? 'input.uscc' : 'input.headName', { key: 'input.required' });
    const [row] = await manager.query('SELECT legal_name, uscc, head_name FROM unit_legal_ref WHERE unit_id = $1 AND uscc IS NOT NULL', [unit.id]);
    if (!row) throw new BadUserInput('input.legalName', { key: 'certificate.legalMissing' });
    return { legalName: row.legal_name, uscc: row.uscc, headName: row.head_name };
  }

  /** The frozen contents: checks 谁记录谁证明 on every listed record. */
  private async contentsOf(manager: EntityManager, unit: UnitRef, input: IssueCertificateInput, by: string): Promise<CertificateContents> {
    const [volunteer] = await manager.query(
      `SELECT v.id::text, p.real_name, p.document_type, p.id_number_masked,
              (SELECT e.external_id FROM external_id e WHERE e.entity_kind = 'VOLUNTEER' AND e.entity_id = v.id AND e.target = 'NATIONAL') AS national
         FROM volunteer v JOIN person p ON p.id = v.person_id WHERE v.id = $1`,
      [input.volunteerId],
    );
    if (!volunteer) throw new BadUserInput('input.volunteerId', { key: 'input.unknownReference', entity: 'volunteer', entityZh: '志愿者', id: input.volunteerId });
    const ids = [...new Set(input.recordIds)];
    const records: { id: string; volunteer_id: string; unit_path: string; status: string; title: string; content: string; minutes: number; day: string }[] =
      await manager.query(
        `SELECT id::text, volunteer_id::text, unit_path, status, title, content, minutes, (started_at AT TIME ZONE 'Asia/Shanghai')::date::text AS day
           FROM service_record WHERE id = ANY($1::bigint[]) ORDER BY started_at, id FOR SHARE`,
        [ids],
      );
    for (const id of ids) {
      const record = records.find((r) => r.id === id);
      if (!record || record.volunteer_id !== input.volunteerId) {
        throw new BadUserInput('input.recordIds', { key: 'certificate.notTheVolunteersRecord', id });
      }
      // 谁记录谁证明: the record was organized by the issuing unit or a unit below it.
      if (record.unit_path !== unit.path && !record.unit_path.startsWith(`${unit.path}/`)) {
        throw new BadUserInput('input.recordIds', { key: 'certificate.notOrganizedByUnit', id });
      }
      if (record.status !== 'VERIFIED') throw new BadUserInput('input.recordIds', { key: 'certificate.notVerified', id });
    }
    const [handler] = isBigintId(by) ? await manager.query('SELECT real_name FROM person WHERE id = $1', [by]) : [];
    const lines: CertificateLine[] = records.map((r) => ({
      recordId: r.id,
      date: r.day,
      activity: r.title,
      content: r.content,
      hours: hoursFromMinutes(r.minutes, this.hoursRule),
    }));
    const legal = await this.legalOf(manager, unit, input);
    const [{ today }] = await manager.query(`SELECT (now() AT TIME ZONE 'Asia/Shanghai')::date::text AS today`);
    return {
      volunteerName: volunteer.real_name,
      documentType: volunteer.document_type,
      documentNumberMasked: volunteer.id_number_masked,
      nationalVolunteerNumber: volunteer.national ?? null,
      lines,
      totalHours: totalHours(records.map((r) => r.minutes), this.hoursRule),
      hoursRule: this.hoursRule,
      unitName: unit.name,
      ...legal,
      handlerName: handler?.real_name ?? by,
      issueDate: today,
    };
  }
}

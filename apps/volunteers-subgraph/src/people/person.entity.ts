import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { DocumentType, Gender, Role } from '@kz/auth';

/**
 * Someone the platform knows: a resident, a volunteer, a staff member. The real name, mobile and ID number are
 * personal data, shown in clear only to the person and to staff in scope. The ID number is never stored in clear.
 */
@Entity({ name: 'person' })
export class Person {
  @PrimaryColumn({ type: 'bigint' })
  id!: string;

  @Column({ name: 'real_name', type: 'text' })
  realName!: string;

  @Column({ type: 'text', unique: true, nullable: true })
  mobile!: string | null;

  /** AES-GCM sealed (`PiiVault`); readable only with `PII_ENCRYPTION_KEY`. */
  @Column({ name: 'id_number_sealed', type: 'text', nullable: true, select: true })
  idNumberSealed!: string | null;

  /** Keyed hash of the number: uniqueness and lookup without the clear value. */
  @Column({ name: 'id_number_index', type: 'text', nullable: true })
  idNumberIndex!: string | null;

  @Column({ name: 'id_number_masked', type: 'text', nullable: true })
  idNumberMasked!: string | null;

  /** The type of the identity document whose number is sealed above; null without a number. */
  @Column({ name: 'document_type', type: 'text', nullable: true })
  documentType!: DocumentType | null;

  /** M or F: read from a GB 11643 number before it is sealed, entered otherwise. */
  @Column({ type: 'text', nullable: true })
  gender!: Gender | null;

  /** `YYYY-MM-DD` (text, so no time zone can shift the day): read from a GB 11643 number before it is sealed, entered otherwise. */
  @Column({ name: 'birth_date', type: 'text', nullable: true })
  birthDate!: string | null;

  @Column({ name: 'password_hash', type: 'text', nullable: true })
  passwordHash!: string | null;

  @Column({ name: 'failed_logins', type: 'int', default: 0 })
  failedLogins!: number;

  @Column({ name: 'locked_until', type: 'timestamptz', nullable: true })
  lockedUntil!: Date | null;

  @Column({ type: 'text', array: true, default: () => "'{RESIDENT}'" })
  roles!: Role[];

  @Column({ name: 'staff_unit_id', type: 'bigint', nullable: true })
  staffUnitId!: string | null;

  @Column({ name: 'staff_unit_path', type: 'text', nullable: true })
  staffUnitPath!: string | null;

  @Column({ name: 'home_unit_id', type: 'bigint', nullable: true })
  homeUnitId!: string | null;

  @Column({ name: 'home_unit_path', type: 'text', nullable: true })
  homeUnitPath!: string | null;

  /** When the person closed their account (PIPL Art. 47); the row then keeps only the pseudonym and ids. */
  @Column({ name: 'closed_at', type: 'timestamptz', nullable: true })
  closedAt!: Date | null;

  @Column({ name: 'created_by', type: 'text', nullable: true })
  createdBy!: string | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;
}

import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The platform's signature on each service certificate (docs/records.md, "Signature"): Ed25519 over the SHA-256
 * digest of the certificate's canonical document, made at issue, with the id of the key that made it. Certificates
 * issued before this migration keep no signature (null): none is made up for them afterwards.
 */
export class CertificateSignatures1768900000000 implements MigrationInterface {
  name = 'CertificateSignatures1768900000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      ALTER TABLE service_certificate
        ADD COLUMN signature text,
        ADD COLUMN signature_key_id text,
        ADD COLUMN signature_digest text,
        ADD CONSTRAINT service_certificate_signature_whole
          CHECK ((signature IS NULL) = (signature_key_id IS NULL) AND (signature IS NULL) = (signature_digest IS NULL))`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`
      ALTER TABLE service_certificate
        DROP CONSTRAINT service_certificate_signature_whole,
        DROP COLUMN signature,
        DROP COLUMN signature_key_id,
        DROP COLUMN signature_digest`);
  }
}

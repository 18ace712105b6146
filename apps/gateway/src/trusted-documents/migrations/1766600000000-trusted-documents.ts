import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The trusted-documents registry in the gateway's own database: client apps, their published versions (retired once
 * no installed copy calls the gateway any more) and the documents of each version. A document is stored once, under
 * the SHA-256 of its text, which the database itself checks, so one hash can never name two bodies. `revision` moves
 * with every publish and retirement, so a gateway can tell in one small query whether its copy is current.
 */
export class TrustedDocuments1766600000000 implements MigrationInterface {
  name = 'TrustedDocuments1766600000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE app (
        name text PRIMARY KEY CHECK (name ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$'),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query(`
      CREATE TABLE app_version (
        app text NOT NULL REFERENCES app (name),
        version text NOT NULL CHECK (version ~ '^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$'),
        published_at timestamptz NOT NULL DEFAULT now(),
        retired_at timestamptz,
        PRIMARY KEY (app, version)
      )`);
    await runner.query(`
      CREATE TABLE document (
        hash text PRIMARY KEY CHECK (hash ~ '^[0-9a-f]{64}$'),
        body text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT document_hash_is_sha256_of_body CHECK (hash = encode(sha256(convert_to(body, 'UTF8')), 'hex'))
      )`);
    await runner.query(`
      CREATE TABLE app_version_document (
        app text NOT NULL,
        version text NOT NULL,
        hash text NOT NULL REFERENCES document (hash),
        PRIMARY KEY (app, version, hash),
        FOREIGN KEY (app, version) REFERENCES app_version (app, version)
      )`);
    await runner.query('CREATE INDEX app_version_document_hash_idx ON app_version_document (hash)');
    await runner.query(`
      CREATE TABLE registry_state (
        id boolean PRIMARY KEY DEFAULT true CHECK (id),
        revision bigint NOT NULL
      )`);
    await runner.query('INSERT INTO registry_state (id, revision) VALUES (true, 0)');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE registry_state, app_version_document, document, app_version, app');
  }
}

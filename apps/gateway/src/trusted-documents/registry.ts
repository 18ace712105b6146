import type { DataSource, EntityManager } from 'typeorm';
import type { Config } from '@kz/config';
import { createServiceDataSource, openServiceDatabase } from '@kz/db';
import type { Logger } from '@kz/telemetry';
import { assertAppVersion, documentHash, Manifest, ManifestError } from './manifest';
import { TrustedDocuments1766600000000 } from './migrations/1766600000000-trusted-documents';

export const documentsMigrations = [TrustedDocuments1766600000000];

/** The channel a publish or a retirement notifies (with the new revision) so every gateway reloads at once. */
export const REGISTRY_CHANNEL = 'kz_trusted_documents';

/** One app version that registered a document. */
export interface DocumentClient {
  app: string;
  version: string;
}

export interface StoredDocument {
  hash: string;
  body: string;
  /** The app versions, not retired, whose manifests hold it, oldest first. */
  clients: DocumentClient[];
}

export interface PublishResult {
  app: string;
  version: string;
  documents: number;
  /** Documents the registry did not hold before (another app or version may have registered the rest). */
  newDocuments: number;
  /** False when this very manifest was already published for this version: nothing changed. */
  published: boolean;
  revision: number;
}

/**
 * Opens the gateway's database (created if missing, migrated under the platform's migration lock) with a small pool:
 * the gateway reads the registry only when it changes.
 */
export async function openDocumentsDatabase(config: Config, log?: Logger): Promise<DataSource> {
  const source = createServiceDataSource({
    config: { ...config, PG_POOL_MAX: Math.min(config.PG_POOL_MAX, 2) },
    database: config.GATEWAY_DATABASE,
    entities: [],
    migrations: documentsMigrations,
    log,
  });
  return openServiceDatabase(source, config);
}

/** The registry's revision: it moves with every publish and retirement. */
export async function registryRevision(db: DataSource): Promise<number> {
  const [row] = await db.query('SELECT revision FROM registry_state');
  return Number(row.revision);
}

/** Every document of a version not retired, with the versions that hold it: what the gateways accept. */
export async function loadDocuments(db: DataSource): Promise<{ revision: number; documents: StoredDocument[] }> {
  // The revision first: a publish landing between the two reads moves it again, so the next check reloads.
  const revision = await registryRevision(db);
  const rows: { hash: string; body: string; clients: DocumentClient[] }[] = await db.query(`
    SELECT d.hash, d.body,
           json_agg(json_build_object('app', v.app, 'version', v.version) ORDER BY v.published_at, v.app, v.version) AS clients
      FROM document d
      JOIN app_version_document vd ON vd.hash = d.hash
      JOIN app_version v ON v.app = vd.app AND v.version = vd.version
     WHERE v.retired_at IS NULL
     GROUP BY d.hash, d.body`);
  return { revision, documents: rows };
}

/** What `schema:check` validates: each app version still in use (not retired) with its documents. */
export async function inUseManifests(db: DataSource): Promise<{ app: string; version: string; documents: Map<string, string> }[]> {
  const rows: { app: string; version: string; hash: string; body: string }[] = await db.query(`
    SELECT v.app, v.version, d.hash, d.body
      FROM app_version v
      JOIN app_version_document vd ON vd.app = v.app AND vd.version = v.version
      JOIN document d ON d.hash = vd.hash
     WHERE v.retired_at IS NULL
     ORDER BY v.app, v.published_at, v.version, d.hash`);
  const byVersion = new Map<string, { app: string; version: string; documents: Map<string, string> }>();
  for (const row of rows) {
    const key = `${row.app}@${row.version}`;
    const entry = byVersion.get(key) ?? { app: row.app, version: row.version, documents: new Map<string, string>() };
    entry.documents.set(row.hash, row.body);
    byVersion.set(key, entry);
  }
  return [...byVersion.values()];
}

async function bumpRevision(manager: EntityManager): Promise<number> {
  // TypeORM answers an UPDATE with [rows, affected].
  const [[row]] = await manager.query('UPDATE registry_state SET revision = revision + 1 RETURNING revision');
  const revision = Number(row.revision);
  // Delivered when the transaction commits, to every gateway listening.
  await manager.query('SELECT pg_notify($1, $2)', [REGISTRY_CHANNEL, String(revision)]);
  return revision;
}

/**
 * Registers a manifest as the documents of one app version. Idempotent: publishing the same manifest for the same
 * version again changes nothing. A published version is immutable (a manifest with other documents for it is
 * refused: publish a new version), and a hash names one body forever (an entry whose body is not the SHA-256 of
 * its hash, e.g. another body for a registered hash, is refused). All or nothing, in one transaction.
 */
export async function publishManifest(db: DataSource, manifest: Manifest, app: string, version: string): Promise<PublishResult> {
  assertAppVersion(app, version);
  const hashes = [...manifest.keys()];
  const bodies = [...manifest.values()];
  return db.transaction(async (manager) => {
    // Publishes are rare: one at a time keeps the checks below simple and exact.
    await manager.query(`SELECT pg_advisory_xact_lock(hashtext('kz-trusted-documents-publish'))`);
    const registered: { hash: string; body: string }[] = await manager.query('SELECT hash, body FROM document WHERE hash = ANY($1::text[])', [hashes]);
    const registeredBody = new Map(registered.map((row) => [row.hash, row.body]));
    for (const [hash, body] of manifest) {
      const known = registeredBody.get(hash);
      if (known !== undefined && known !== body) {
        throw new ManifestError(`${hash}: the registry holds another document under this hash; a hash names one document (its sha256)`);
      }
      if (documentHash(body) !== hash) throw new ManifestError(`${hash}: is not the sha256 of its document (generate the manifest with hashAlgorithm sha256)`);
    }
    const [existing] = await manager.query('SELECT retired_at FROM app_version WHERE app = $1 AND version = $2', [app, version]);
    if (existing) {
      const rows: { hash: string }[] = await manager.query('SELECT hash FROM app_version_document WHERE app = $1 AND version = $2', [app, version]);
      const same = rows.length === manifest.size && rows.every((row) => manifest.has(row.hash));
      if (!same) throw new ManifestError(`${app} ${version} was published with other documents; a published version does not change: publish a new version`);
      if (existing.retired_at) throw new ManifestError(`${app} ${version} was retired; publish a new version`);
      const [state] = await manager.query('SELECT revision FROM registry_state');
      return { app, version, documents: manifest.size, newDocuments: 0, published: false, revision: Number(state.revision) };
    }
    await manager.query('INSERT INTO app (name) VALUES ($1) ON CONFLICT (name) DO NOTHING', [app]);
    await manager.query('INSERT INTO app_version (app, version) VALUES ($1, $2)', [app, version]);
    const inserted: unknown[] = await manager.query(
      'INSERT INTO document (hash, body) SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT (hash) DO NOTHING RETURNING hash',
      [hashes, bodies],
    );
    await manager.query('INSERT INTO app_version_document (app, version, hash) SELECT $1, $2, unnest($3::text[])', [app, version, hashes]);
    const revision = await bumpRevision(manager);
    return { app, version, documents: manifest.size, newDocuments: inserted.length, published: true, revision };
  });
}

/**
 * Retires an app version: its documents stop being accepted (unless a version still in use holds them too) and stop
 * counting for `schema:check`. Retire a version once `/metrics` shows no more requests from it. Idempotent.
 */
export async function retireVersion(db: DataSource, app: string, version: string): Promise<{ retired: boolean }> {
  return db.transaction(async (manager) => {
    const [found] = await manager.query('SELECT retired_at FROM app_version WHERE app = $1 AND version = $2 FOR UPDATE', [app, version]);
    if (!found) throw new ManifestError(`${app} ${version} was never published`);
    if (found.retired_at) return { retired: false };
    await manager.query('UPDATE app_version SET retired_at = now() WHERE app = $1 AND version = $2', [app, version]);
    await bumpRevision(manager);
    return { retired: true };
  });
}

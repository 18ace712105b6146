import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '@kz/config';
import { CONSOLE_RELEASE } from '@kz/console';
import { openDocumentsDatabase, parseManifest, publishManifest } from '@kz/gateway';

const MANIFEST = join(__dirname, '..', '..', '..', 'libs', 'client', 'src', 'generated', 'persisted-documents.json');

/**
 * What a release of the console does before it ships: publishes the client's manifest, which holds every document the
 * console sends by id, so a gateway that enforces trusted documents runs them. The version carries the manifest's
 * digest: a published version's documents never change, and a developer's new operations make a new one.
 */
export async function publishConsoleDocuments(config: Config): Promise<string> {
  const text = readFileSync(MANIFEST, 'utf8');
  const version = `${CONSOLE_RELEASE.version}-${createHash('sha256').update(text).digest('hex').slice(0, 12)}`;
  const db = await openDocumentsDatabase(config);
  try {
    const result = await publishManifest(db, parseManifest(JSON.parse(text)), CONSOLE_RELEASE.app, version);
    return `${result.app} ${result.version}: ${result.documents} documents ${result.published ? 'published' : 'already published'}`;
  } finally {
    await db.destroy();
  }
}

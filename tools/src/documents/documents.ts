import { readFileSync } from 'node:fs';
import type { Config } from '@kz/config';
import { openDocumentsDatabase, parseManifest, publishManifest, retireVersion } from '@kz/gateway';
import { parseArgs } from '../shared/args';

export const PUBLISH_USAGE = 'usage: npm run documents:publish -- FILE --app NAME --version VERSION';
export const RETIRE_USAGE = 'usage: npm run documents:retire -- --app NAME --version VERSION';

function readManifestFile(file: string) {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(`cannot read ${file}: ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`${file} is not JSON: ${(error as Error).message}`);
  }
  try {
    return parseManifest(json);
  } catch (error) {
    throw new Error(`${file}: ${(error as Error).message}`);
  }
}

/**
 * `documents:publish FILE --app NAME --version V`: registers a persisted-documents manifest as the documents of one
 * release of an app, in the gateway's database (`GATEWAY_DATABASE`); every gateway process accepts them within
 * moments. `documents:retire --app NAME --version V`: stops accepting a release's documents. Returns what to print.
 */
export async function documentsCommand(command: 'publish' | 'retire', argv: string[], config: Config): Promise<string> {
  const positional = command === 'publish' && argv[0] && !argv[0].startsWith('--') ? argv[0] : undefined;
  const args = parseArgs(positional ? argv.slice(1) : argv, ['app', 'version']);
  const usage = command === 'publish' ? PUBLISH_USAGE : RETIRE_USAGE;
  if (!args.app || !args.version || (command === 'publish' && !positional)) throw new Error(usage);
  const manifest = positional ? readManifestFile(positional) : null;
  const db = await openDocumentsDatabase(config);
  try {
    if (manifest) {
      const result = await publishManifest(db, manifest, args.app, args.version);
      return result.published
        ? `published ${result.app} ${result.version}: ${result.documents} documents (${result.newDocuments} new to the registry), registry revision ${result.revision}`
        : `${result.app} ${result.version} was already published with these ${result.documents} documents: nothing changed`;
    }
    const { retired } = await retireVersion(db, args.app, args.version);
    return retired ? `retired ${args.app} ${args.version}: the gateways stop accepting the documents only it held` : `${args.app} ${args.version} was already retired`;
  } finally {
    await db.destroy();
  }
}

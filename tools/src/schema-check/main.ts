import { writeFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { loadConfigOrExit } from '@kz/config';
import { WORKSPACE } from '../compose/compose';
import { parseArgs, runTool } from '../shared/args';
import { checkSchema, formatReport } from './schema-check';
import {
  currentApiSchemaText,
  loadSchema,
  manifestsFromFiles,
  manifestsFromRegistry,
  RELEASED_MANIFESTS_DIR,
  RELEASED_SCHEMA_FILE,
  releasedFileText,
  releasedManifestFiles,
  releasedSchemaText,
} from './sources';

/**
 * `npm run schema:check [-- --released FILE] [--schema FILE] [--manifests A.json,B.json] [--no-registry]`: the current
 * API schema against the released one; fails (exit 1) when a change breaks an operation of an app version in use.
 * `npm run schema:release [-- --schema FILE]`: records the current API schema as the released one.
 */
runTool(async () => {
  const [command, ...argv] = process.argv.slice(2);
  const args = parseArgs(argv, ['released', 'schema', 'manifests', 'no-registry']);
  const current = currentApiSchemaText(args.schema);
  const releasedFile = args.released ? resolve(args.released) : RELEASED_SCHEMA_FILE;
  if (command === 'release') {
    loadSchema(current.text, current.source);
    writeFileSync(releasedFile, releasedFileText(current.text));
    process.stdout.write(`wrote ${relative(WORKSPACE, releasedFile)} from ${current.source}\n`);
    return;
  }
  if (command !== 'check') throw new Error('usage: tsx tools/src/schema-check/main.ts check|release …');
  const notes: string[] = [];
  const files = args.manifests ? args.manifests.split(',').map((file) => resolve(file)) : releasedManifestFiles();
  if (files.length === 0) notes.push(`no released manifest files in ${relative(WORKSPACE, RELEASED_MANIFESTS_DIR)}`);
  const manifests = [
    ...manifestsFromFiles(files, notes, args.manifests !== undefined),
    ...(args['no-registry'] ? [] : await manifestsFromRegistry(loadConfigOrExit(), notes)),
  ];
  const report = await checkSchema({
    released: loadSchema(releasedSchemaText(releasedFile), relative(WORKSPACE, releasedFile)),
    current: loadSchema(current.text, current.source),
    manifests,
    notes: [`current schema: ${current.source}`, ...notes],
  });
  process.stdout.write(`${formatReport(report)}\n`);
  if (!report.ok) throw new Error(`${report.broken.length} document(s) in use broken`);
});

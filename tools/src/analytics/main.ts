import { loadConfigOrExit } from '@kz/config';
import { assertPostgresReachable } from '@kz/db';
import { exportFigures, ExportFormat, openAnalyticsDatabase, rebuildFigures } from '@kz/analytics-worker';
import { parseArgs, runTool } from '../shared/args';

const USAGE = `usage:
  npm run analytics:rebuild
  npm run analytics:export -- --unit PATH --from YYYY-MM-DD --to YYYY-MM-DD [--format csv|ndjson]`;

/**
 * `npm run analytics:rebuild`: empties the figures of the analytics database and applies the event archive again
 * (docs/analytics.md, "Rebuild"). `npm run analytics:export`: a subtree's daily figures to stdout, CSV or NDJSON.
 */
runTool(async () => {
  const [command, ...rest] = process.argv.slice(2);
  if (command !== 'rebuild' && command !== 'export') throw new Error(USAGE);
  const args = parseArgs(rest, command === 'export' ? ['unit', 'from', 'to', 'format'] : []);
  const format = (args.format ?? 'csv') as ExportFormat;
  if (command === 'export' && (!args.unit || !args.from || !args.to || !['csv', 'ndjson'].includes(format))) throw new Error(USAGE);
  const config = loadConfigOrExit();
  await assertPostgresReachable(config);
  const db = await openAnalyticsDatabase(config);
  try {
    if (command === 'rebuild') {
      const started = Date.now();
      const counts = await rebuildFigures(db);
      process.stderr.write(
        `figures rebuilt from the archive in ${Date.now() - started} ms: ${counts.applied} events applied, ${counts.skipped} skipped, ${counts.duplicate} duplicates\n`,
      );
    } else {
      for (const line of await exportFigures(db, args.unit!, args.from!, args.to!, format)) process.stdout.write(`${line}\n`);
    }
  } finally {
    await db.destroy();
  }
});

import { loadConfigOrExit } from '@kz/config';
import { parseArgs, runTool } from '../shared/args';
import { formatReport, verifyLedgerDatabase } from './verify';

/** `npm run ledger:verify [-- --database NAME]`: checks the love bank's ledger; exits non-zero on any violation. */
runTool(async () => {
  const args = parseArgs(process.argv.slice(2), ['database']);
  const config = loadConfigOrExit();
  const report = await verifyLedgerDatabase(config, args.database ?? config.POINTS_DATABASE);
  process.stdout.write(formatReport(report));
  if (report.violations.length > 0) throw new Error(`ledger:verify: ${report.violations.length} violation(s) in ${report.database}`);
});

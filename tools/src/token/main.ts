import { loadConfigOrExit } from '@kz/config';
import { parseArgs, runTool } from '../shared/args';
import { devToken } from './token';

runTool(async () => {
  const args = parseArgs(process.argv.slice(2), ['role', 'unit', 'person', 'ttl']);
  if (!args.role) throw new Error('usage: npm run token -- --role ROLE [--unit ID|CODE] [--person ID] [--ttl SECONDS]');
  const { token, claims } = await devToken(loadConfigOrExit(), {
    role: args.role,
    unit: args.unit,
    person: args.person,
    ttlSeconds: args.ttl ? Number(args.ttl) : undefined,
  });
  process.stderr.write(`claims: ${JSON.stringify(claims)}\n`);
  process.stdout.write(`${token}\n`);
});

import { loadConfigOrExit } from '@kz/config';
import { runTool } from '../shared/args';
import { documentsCommand } from './documents';

runTool(async () => {
  const [command, ...argv] = process.argv.slice(2);
  if (command !== 'publish' && command !== 'retire') throw new Error('usage: tsx tools/src/documents/main.ts publish|retire …');
  process.stdout.write(`${await documentsCommand(command, argv, loadConfigOrExit())}\n`);
});

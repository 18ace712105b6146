import { loadConfigOrExit } from '@kz/config';
import { runTool } from '../shared/args';
import { eventsCommand, replayCommand } from './events';

/**
 * `npm run events -- subscribe|unsubscribe|list …` and `npm run events:replay -- --subscription NAME --since ISO …`
 * (this file with `replay` first): the event stream's subscriptions in the analytics database. Bad arguments exit
 * with 2 and change nothing.
 */
runTool(async () => {
  const argv = process.argv.slice(2);
  const config = loadConfigOrExit();
  const output = argv[0] === 'replay' ? await replayCommand(argv.slice(1), config) : await eventsCommand(argv, config);
  process.stdout.write(`${output}\n`);
});

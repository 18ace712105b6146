import { readFileSync, writeFileSync } from 'node:fs';
import { README, readmeWithConfigTable } from './config-table';
import { EVENTS_DOC, eventsDoc } from './events-doc';

writeFileSync(README, readmeWithConfigTable(readFileSync(README, 'utf8')));
writeFileSync(EVENTS_DOC, eventsDoc());
process.stdout.write('regenerated the README configuration table and docs/events.md\n');

import { readFileSync, writeFileSync } from 'node:fs';
import { README, readmeWithConfigTable } from './config-table';
import { EVENTS_DOC, eventsDoc } from './events-doc';
import { ORDERS_DOC, ordersDocWithTable } from './orders-doc';

writeFileSync(README, readmeWithConfigTable(readFileSync(README, 'utf8')));
writeFileSync(EVENTS_DOC, eventsDoc());
writeFileSync(ORDERS_DOC, ordersDocWithTable(readFileSync(ORDERS_DOC, 'utf8')));
process.stdout.write('regenerated the README configuration table, docs/events.md and the moves of docs/orders.md\n');

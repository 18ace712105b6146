import { loadConfigOrExit } from '@kz/config';
import { runMain } from '@kz/http';
import { startOrdersSubgraph } from './app';

runMain(() => startOrdersSubgraph(loadConfigOrExit()));

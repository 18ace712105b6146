import { loadConfigOrExit } from '@kz/config';
import { runMain } from '@kz/http';
import { startOrgSubgraph } from './app';

runMain(() => startOrgSubgraph(loadConfigOrExit()));

import { loadConfigOrExit } from '@kz/config';
import { runMain } from '@kz/http';
import { startPointsSubgraph } from './app';

runMain(() => startPointsSubgraph(loadConfigOrExit()));

import { loadConfigOrExit } from '@kz/config';
import { runMain } from '@kz/http';
import { startAnalyticsSubgraph } from './app';

runMain(() => startAnalyticsSubgraph(loadConfigOrExit()));

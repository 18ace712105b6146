import { loadConfigOrExit } from '@kz/config';
import { runMain } from '@kz/http';
import { startNotificationsSubgraph } from './app';

runMain(() => startNotificationsSubgraph(loadConfigOrExit()));

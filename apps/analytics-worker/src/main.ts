import { loadConfigOrExit } from '@kz/config';
import { runMain } from '@kz/http';
import { startAnalyticsWorker } from './app';

runMain(() => startAnalyticsWorker(loadConfigOrExit()));

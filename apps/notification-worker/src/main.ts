import { loadConfigOrExit } from '@kz/config';
import { runMain } from '@kz/http';
import { startNotificationWorker } from './app';

runMain(() => startNotificationWorker(loadConfigOrExit()));

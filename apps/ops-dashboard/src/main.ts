import { loadConfigOrExit } from '@kz/config';
import { runMain } from '@kz/http';
import { startOpsDashboard } from './app';

runMain(() => startOpsDashboard(loadConfigOrExit()));

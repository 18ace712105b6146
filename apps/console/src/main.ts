import { loadConfigOrExit } from '@kz/config';
import { runMain } from '@kz/http';
import { startConsole } from './server';

runMain(() => startConsole(loadConfigOrExit()));

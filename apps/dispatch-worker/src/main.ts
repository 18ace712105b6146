import { loadConfigOrExit } from '@kz/config';
import { runMain } from '@kz/http';
import { startDispatchWorker } from './app';

runMain(() => startDispatchWorker(loadConfigOrExit()));

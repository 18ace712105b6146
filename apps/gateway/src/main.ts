import { loadConfigOrExit } from '@kz/config';
import { runMain } from '@kz/http';
import { startGateway } from './app';

runMain(() => startGateway(loadConfigOrExit()));

import { loadConfigOrExit } from '@kz/config';
import { runMain } from '@kz/http';
import { startVolunteersSubgraph } from './app';

runMain(() => startVolunteersSubgraph(loadConfigOrExit()));

import { Worker } from 'bullmq';
import { loadConfigOrExit } from '@kz/config';
import { createRedis } from '@kz/events';

/**
 * The baseline of the dispatch-worker benchmark, run as a process of its own by `dispatch.bench.ts`: a bare BullMQ
 * worker on the `dispatch` queue of QUEUE_PREFIX that does nothing with its jobs, with the dispatch worker's
 * concurrency and retention. Prints `ready` once it takes jobs; stops on SIGTERM.
 */
const config = loadConfigOrExit();
const connection = createRedis(config.REDIS_URL, 'worker');
const worker = new Worker('dispatch', async () => undefined, {
  connection,
  prefix: config.QUEUE_PREFIX,
  concurrency: 10,
  removeOnComplete: { age: 24 * 3600, count: 10_000 },
  removeOnFail: { age: 7 * 24 * 3600 },
});
worker.on('error', () => undefined);
void worker.waitUntilReady().then(() => process.stdout.write('ready\n'));
process.once('SIGTERM', () => {
  void worker.close().then(() => {
    connection.disconnect();
    process.exit(0);
  });
});

import cluster from 'node:cluster';
import { availableParallelism } from 'node:os';
import { loadConfigOrExit } from '@kz/config';
import { runMain } from '@kz/http';
import { createLogger } from '@kz/telemetry';
import { startGateway } from './app';

const config = loadConfigOrExit();
const processes = config.GATEWAY_WORKERS === 0 ? availableParallelism() : config.GATEWAY_WORKERS;

if (processes <= 1 || !cluster.isPrimary) {
  // One gateway in this process (the default, or one worker of the cluster: node:cluster shares the port).
  runMain(() => startGateway(config));
} else {
  runPrimary(processes);
}

/**
 * The cluster's primary: forks `count` gateway workers on the same port, replaces one that dies unexpectedly (after a
 * second, so a gateway that cannot start does not spin), and on SIGTERM/SIGINT asks each to stop and exits when all
 * have.
 */
function runPrimary(count: number): void {
  const log = createLogger('gateway', config.LOG_LEVEL);
  let stopping = false;
  const fork = () => cluster.fork();
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
      return;
    }
    log.error({ pid: worker.process.pid, code, signal }, 'gateway worker exited; starting another');
    setTimeout(fork, 1000).unref();
  });
  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal, workers: count }, 'shutting down the gateway workers');
    const workers = Object.values(cluster.workers ?? {});
    if (workers.length === 0) process.exit(0);
    for (const worker of workers) worker?.process.kill('SIGTERM');
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  log.info({ workers: count }, 'gateway primary forking workers');
  for (let i = 0; i < count; i += 1) fork();
}

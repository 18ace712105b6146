export { startWorkerService } from './worker-service';
export type { RunningWorkerService, WorkerQueue, WorkerServiceOptions } from './worker-service';

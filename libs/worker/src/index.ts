export { startWorkerService } from './worker-service';
export { classify, RefusedCall, ServiceClient, serviceClaims, TransientFailure } from './service-client';
export type { CallResult, GraphQLError, ServiceClientOptions, Verdict } from './service-client';
export type { RunningWorkerService, WorkerQueue, WorkerServiceOptions } from './worker-service';
export { createJobMetrics, instrumentWorker, registerQueueGauges } from './queue-metrics';
export type { JobMetrics } from './queue-metrics';

export { createLogger } from './logger';
export type { Logger } from './logger';
export { runInRequestScope, currentRequestScope } from './request-scope';
export type { RequestScope } from './request-scope';
export { createMetrics } from './metrics';
export type { AppMetrics } from './metrics';

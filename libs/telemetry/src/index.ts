export { createLogger } from './logger';
export type { Logger } from './logger';
export { runInRequestScope, currentRequestScope } from './request-scope';
export type { RequestScope } from './request-scope';
export { createMetrics, graphqlErrorsPlugin, registerScrapeGauge } from './metrics';
export type { AppMetrics, ScrapeGaugeOptions, ScrapeSample } from './metrics';
export { createReconcileMetrics } from './reconcile-metrics';
export type { ReconcileMetrics } from './reconcile-metrics';
export {
  currentTraceIds,
  currentTraceparent,
  flushTracing,
  startSpan,
  startTracing,
  traceHeaders,
  tracingActive,
  tracingSupported,
  TRACING_MIN_NODE,
  withSpan,
} from './tracing';
export type { SpanHandle, SpanKindName, SpanOptions, Tracing, TracingConfig, TracingOptions } from './tracing';

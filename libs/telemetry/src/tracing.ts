import { createRequire } from 'node:module';
import type * as OtelApi from '@opentelemetry/api';
import type { SpanProcessor } from '@opentelemetry/sdk-trace';

/**
 * OpenTelemetry traces (docs/operations.md, "Traces"), off unless `OTEL_EXPORTER_OTLP_ENDPOINT` is set.
 *
 * Nothing of OpenTelemetry is loaded while tracing is off: the SDK packages are required here, lazily, by
 * `startTracing`, and every helper below is a pass-through until then (the `import type`s above are erased). One
 * tracer provider per process, however many apps the process runs (the end-to-end tests run them all in one): the
 * first app to start installs it, each start takes a reference, and the last `stop()` flushes and shuts it down.
 */

/** The variables tracing reads (libs/config declares them; the standard OpenTelemetry names). */
export interface TracingConfig {
  OTEL_EXPORTER_OTLP_ENDPOINT?: string | undefined;
  OTEL_SERVICE_NAME?: string | undefined;
  OTEL_TRACES_SAMPLER?: string | undefined;
  OTEL_TRACES_SAMPLER_ARG?: number | string | undefined;
}

export interface TracingOptions {
  /** Span processors used instead of the OTLP exporter's batch processor (unit specs collect spans in memory). */
  spanProcessors?: SpanProcessor[];
  /** The Node.js version to check (default: this process's). */
  nodeVersion?: string;
  /** Where failed exports are reported (a warning at most once a minute). */
  log?: { warn(object: object, message: string): void };
}

/** One app's hold on the process's tracing. */
export interface Tracing {
  readonly enabled: boolean;
  /** Exports every span ended so far (tests call it before they look at the receiver). */
  flush(): Promise<void>;
  /** Releases this app's hold; the last one flushes and shuts the provider down. Idempotent. */
  stop(): Promise<void>;
}

/** The oldest Node.js the OpenTelemetry SDK 3 packages support (their `engines`). */
export const TRACING_MIN_NODE = '22.15.0';

interface Installed {
  api: typeof OtelApi;
  tracer: OtelApi.Tracer;
  propagator: OtelApi.TextMapPropagator;
  flush(): Promise<void>;
  shutdown(): Promise<void>;
  users: number;
}

let installed: Installed | undefined;

const OFF: Tracing = { enabled: false, flush: async () => undefined, stop: async () => undefined };

/** Whether `version` (e.g. `20.19.0`) is at least the SDK's minimum. */
export function tracingSupported(version = process.versions.node): boolean {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  const [minMajor = 0, minMinor = 0] = TRACING_MIN_NODE.split('.').map(Number);
  return major > minMajor || (major === minMajor && minor >= minMinor);
}

/**
 * Starts tracing for `service` when `OTEL_EXPORTER_OTLP_ENDPOINT` is set (else returns a no-op). On a Node.js older
 * than the SDK supports it refuses: the app does not start, with a message saying why (an operator who asked for
 * traces gets them or an error, never a silently untraced process).
 */
export function startTracing(config: TracingConfig, service: string, options: TracingOptions = {}): Tracing {
  const endpoint = config.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (!endpoint && !options.spanProcessors) return OFF;
  const nodeVersion = options.nodeVersion ?? process.versions.node;
  if (!tracingSupported(nodeVersion)) {
    throw new Error(
      `OTEL_EXPORTER_OTLP_ENDPOINT is set but tracing needs Node.js ${TRACING_MIN_NODE} or newer (this is ${nodeVersion}): ` +
        'run on Node 24 or unset OTEL_EXPORTER_OTLP_ENDPOINT',
    );
  }
  installed ??= install(config, service, endpoint, options);
  installed.users += 1;
  let stopped = false;
  return {
    enabled: true,
    flush: () => installed?.flush() ?? Promise.resolve(),
    async stop() {
      if (stopped || !installed) return;
      stopped = true;
      installed.users -= 1;
      if (installed.users > 0) {
        await installed.flush();
        return;
      }
      const last = installed;
      installed = undefined;
      await last.shutdown();
    },
  };
}

/* eslint-disable @typescript-eslint/no-require-imports -- loaded only when tracing is on (see the module comment) */
function install(config: TracingConfig, service: string, endpoint: string | undefined, options: TracingOptions): Installed {
  const api = require('@opentelemetry/api') as typeof import('@opentelemetry/api');
  const sdk = require('@opentelemetry/sdk-trace') as typeof import('@opentelemetry/sdk-trace');
  const { AsyncLocalStorageContextManager } = require('@opentelemetry/context-async-hooks') as typeof import('@opentelemetry/context-async-hooks');
  const { W3CTraceContextPropagator } = require('@opentelemetry/core') as typeof import('@opentelemetry/core');
  const { resourceFromAttributes } = require('@opentelemetry/resources') as typeof import('@opentelemetry/resources');
  const { ATTR_SERVICE_NAME } = require('@opentelemetry/semantic-conventions') as typeof import('@opentelemetry/semantic-conventions');

  let processors = options.spanProcessors;
  if (!processors) {
    const { OtlpJsonTraceExporter } = require('./otlp-json-exporter') as typeof import('./otlp-json-exporter');
    let warnedAt = 0;
    const onError = (error: Error) => {
      if (Date.now() - warnedAt < 60_000) return;
      warnedAt = Date.now();
      options.log?.warn({ err: error.message, endpoint }, 'cannot export traces (spans are dropped meanwhile)');
    };
    const exporter = new OtlpJsonTraceExporter(`${endpoint!.replace(/\/+$/, '')}/v1/traces`, 10_000, onError);
    processors = [new sdk.BatchSpanProcessor({ exporter })];
  }
  const provider = new sdk.TracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: config.OTEL_SERVICE_NAME || service }),
    sampler: sampler(sdk, config),
    spanProcessors: processors,
  });
  const contextManager = new AsyncLocalStorageContextManager().enable();
  const propagator = new W3CTraceContextPropagator();
  api.context.setGlobalContextManager(contextManager);
  api.propagation.setGlobalPropagator(propagator);
  api.trace.setGlobalTracerProvider(provider);
  adoptGatewayApi(api, provider);
  const unpatchPg = instrumentPg(provider);
  return {
    api,
    tracer: provider.getTracer('@kz/telemetry'),
    propagator,
    users: 0,
    flush: () => provider.forceFlush(),
    async shutdown() {
      unpatchPg();
      await provider.shutdown();
      api.trace.disable();
      api.propagation.disable();
      api.context.disable();
    },
  };
}

/**
 * SQL statement spans from instrumentation-pg. Its require hook patches `pg` only when `pg` is loaded after it, which
 * an app cannot promise (typeorm, the config checks and the test runner's module registry load `pg` first), so the
 * module is patched directly as well: the client prototype is wrapped, which reaches every pool already made. Only
 * statements inside a span are traced (`requireParentSpan`): the relay's and sweep's idle polling makes none.
 */
function instrumentPg(provider: OtelApi.TracerProvider): () => void {
  const { PgInstrumentation } = require('@opentelemetry/instrumentation-pg') as typeof import('@opentelemetry/instrumentation-pg');
  const instrumentation = new PgInstrumentation({ enabled: false, requireParentSpan: true, enhancedDatabaseReporting: false });
  instrumentation.setTracerProvider(provider);
  const pg = require('pg') as unknown;
  const definition = instrumentation.getModuleDefinitions().find((candidate) => candidate.name === 'pg');
  definition?.patch?.(pg);
  return () => definition?.unpatch?.(pg);
}

/**
 * @apollo/gateway 2.14 ships its own copy of @opentelemetry/api (1.9) and takes its tracer from it when it loads,
 * before any app can register a provider. Registration through our copy (1.10) fills the shared global, which a
 * tracer taken later would find, but the gateway's tracer asks its own copy's proxy provider, which only that copy's
 * registration would point at the SDK (and a second registration is refused). So that proxy is pointed at the
 * provider here: the gateway's `gateway.request`, `gateway.plan`, `gateway.fetch`… spans then join the traces.
 */
function adoptGatewayApi(api: typeof OtelApi, provider: OtelApi.TracerProvider): void {
  let gatewayApi: typeof OtelApi;
  try {
    gatewayApi = createRequire(require.resolve('@apollo/gateway'))('@opentelemetry/api') as typeof OtelApi;
  } catch {
    return; // no gateway in this process's dependencies
  }
  if (gatewayApi === api) return;
  const proxy = (gatewayApi.trace as unknown as { _proxyTracerProvider?: { setDelegate?(delegate: OtelApi.TracerProvider): void } })._proxyTracerProvider;
  proxy?.setDelegate?.(provider);
}

function sampler(sdk: typeof import('@opentelemetry/sdk-trace'), config: TracingConfig) {
  const ratio = Number(config.OTEL_TRACES_SAMPLER_ARG ?? 1);
  const arg = Number.isFinite(ratio) && ratio >= 0 && ratio <= 1 ? ratio : 1;
  switch (config.OTEL_TRACES_SAMPLER ?? 'parentbased_always_on') {
    case 'always_on':
      return new sdk.AlwaysOnSampler();
    case 'always_off':
      return new sdk.AlwaysOffSampler();
    case 'traceidratio':
      return new sdk.TraceIdRatioBasedSampler(arg);
    case 'parentbased_always_off':
      return new sdk.ParentBasedSampler({ root: new sdk.AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new sdk.ParentBasedSampler({ root: new sdk.TraceIdRatioBasedSampler(arg) });
    default:
      return new sdk.ParentBasedSampler({ root: new sdk.AlwaysOnSampler() });
  }
}
/* eslint-enable @typescript-eslint/no-require-imports */

// ---- helpers the platform calls; pass-throughs while tracing is off ----

export type SpanKindName = 'internal' | 'server' | 'client' | 'producer' | 'consumer';

export interface SpanOptions {
  kind?: SpanKindName;
  /** The parent: a W3C `traceparent` (from a header, an outbox row, a job), else the active span, if any. */
  traceparent?: string | null | undefined;
  attributes?: Record<string, string | number | boolean | undefined>;
}

/** A span started by `startSpan`: its own `traceparent` (to hand on) and `end`. */
export interface SpanHandle {
  readonly traceparent: string | undefined;
  /** Sets an attribute (e.g. a name learnt after the start). */
  set(name: string, value: string | number | boolean): void;
  /** Renames the span (e.g. once the GraphQL operation is known). */
  rename(name: string): void;
  end(error?: unknown): void;
}

const NO_SPAN: SpanHandle = { traceparent: undefined, set: () => undefined, rename: () => undefined, end: () => undefined };

function kindOf(api: typeof OtelApi, kind: SpanKindName | undefined): OtelApi.SpanKind {
  switch (kind) {
    case 'server':
      return api.SpanKind.SERVER;
    case 'client':
      return api.SpanKind.CLIENT;
    case 'producer':
      return api.SpanKind.PRODUCER;
    case 'consumer':
      return api.SpanKind.CONSUMER;
    default:
      return api.SpanKind.INTERNAL;
  }
}

function parentContext(otel: Installed, traceparent: string | null | undefined): OtelApi.Context {
  const active = otel.api.context.active();
  if (!traceparent) return active;
  return otel.propagator.extract(active, { traceparent }, otel.api.defaultTextMapGetter);
}

function traceparentIn(otel: Installed, context: OtelApi.Context): string | undefined {
  const carrier: Record<string, string> = {};
  otel.propagator.inject(context, carrier, otel.api.defaultTextMapSetter);
  return carrier.traceparent;
}

function cleanAttributes(attributes: SpanOptions['attributes']): OtelApi.Attributes {
  return Object.fromEntries(Object.entries(attributes ?? {}).filter(([, value]) => value !== undefined)) as OtelApi.Attributes;
}

/** Starts a span (not made active: for work that is not one call, like a relay round's events). */
export function startSpan(name: string, options: SpanOptions = {}): SpanHandle {
  const otel = installed;
  if (!otel) return NO_SPAN;
  const { api } = otel;
  const parent = parentContext(otel, options.traceparent);
  const span = otel.tracer.startSpan(name, { kind: kindOf(api, options.kind), attributes: cleanAttributes(options.attributes) }, parent);
  return handle(otel, span, api.trace.setSpan(parent, span));
}

function handle(otel: Installed, span: OtelApi.Span, context: OtelApi.Context): SpanHandle {
  let ended = false;
  let traceparent: string | undefined;
  return {
    get traceparent() {
      return (traceparent ??= traceparentIn(otel, context));
    },
    set: (name, value) => span.setAttribute(name, value),
    rename: (name) => span.updateName(name),
    end(error?: unknown) {
      if (ended) return;
      ended = true;
      if (error !== undefined) {
        span.recordException(error instanceof Error ? error : String(error));
        span.setStatus({ code: otel.api.SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
      }
      span.end();
    },
  };
}

/** Runs `fn` in a new active span (child of `options.traceparent`, else of the active span), ended when `fn` settles. */
export async function withSpan<T>(name: string, options: SpanOptions, fn: (span: SpanHandle) => Promise<T>): Promise<T> {
  const otel = installed;
  if (!otel) return fn(NO_SPAN);
  const { api } = otel;
  const parent = parentContext(otel, options.traceparent);
  const span = otel.tracer.startSpan(name, { kind: kindOf(api, options.kind), attributes: cleanAttributes(options.attributes) }, parent);
  const context = api.trace.setSpan(parent, span);
  const spanHandle = handle(otel, span, context);
  try {
    const result = await api.context.with(context, () => fn(spanHandle));
    spanHandle.end();
    return result;
  } catch (error) {
    spanHandle.end(error);
    throw error;
  }
}

/** The active span's W3C `traceparent`, to store or send on; undefined when tracing is off or no span is active. */
export function currentTraceparent(): string | undefined {
  const otel = installed;
  if (!otel) return undefined;
  const context = otel.api.context.active();
  if (!otel.api.trace.getSpan(context)) return undefined;
  return traceparentIn(otel, context);
}

/** Adds `traceparent` (of the active span) to outgoing request headers. */
export function traceHeaders(): Record<string, string> {
  const traceparent = currentTraceparent();
  return traceparent ? { traceparent } : {};
}

/** The active span's ids for log lines (`trace_id`, `span_id`); empty when none. */
export function currentTraceIds(): { trace_id?: string; span_id?: string } {
  const otel = installed;
  if (!otel) return {};
  const span = otel.api.trace.getActiveSpan();
  if (!span) return {};
  const { traceId, spanId } = span.spanContext();
  return { trace_id: traceId, span_id: spanId };
}

/** Whether tracing runs in this process. */
export function tracingActive(): boolean {
  return installed !== undefined;
}

/** Exports every span ended so far in this process (tests, before they look at what the receiver got). */
export async function flushTracing(): Promise<void> {
  await installed?.flush();
}

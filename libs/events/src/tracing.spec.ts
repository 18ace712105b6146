import { Writable } from 'node:stream';
import type { Worker } from 'bullmq';
import {
  createLogger,
  currentTraceIds,
  currentTraceparent,
  startTracing,
  Tracing,
  tracingActive,
  tracingSupported,
  TRACING_MIN_NODE,
  withSpan,
} from '@kz/telemetry';
import { eventuallyValue } from '@kz/testing';
import { closeWorkers, createEventWorker, createRedis, OutboxRelay, parseEnvelope, recordEvent } from './index';
import { useOutboxHarness } from './testing/outbox-harness';

/**
 * The trace context through the outbox and the queues (docs/operations.md, "Traces"): the span that records an event
 * is stored with the row, the relay's span continues it and travels in the job, and the consumer's span is a child of
 * the relay's. Real Postgres, Redis and the real OpenTelemetry SDK (spans collected in memory instead of exported).
 * The SDK needs Node 22.15+: on an older Node only the refusal and the tracing-off behaviour are checked.
 */
const actor = { personId: 'p-1', roles: ['CENTER_ADMIN'] };

const h = useOutboxHarness('tracing');
const { config } = h;

function unitCreated(manager = h.dataSource.manager) {
  return recordEvent(manager, {
    type: 'org.unit.created',
    actor,
    unitPath: '1/2/3',
    payload: { unitId: '3', code: 'KZ-T-3', level: 'STATION', parentId: '2', name: '迎宾社区新时代文明实践站', path: '1/2/3' },
  });
}

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/;

describe('tracing off (no OTEL_EXPORTER_OTLP_ENDPOINT)', () => {
  it('loads nothing, stores no trace context and puts none in the job', async () => {
    const tracing = startTracing({}, 'events-spec');
    expect(tracing.enabled).toBe(false);
    expect(tracingActive()).toBe(false);
    expect(Object.keys(require.cache).filter((path) => path.includes('@opentelemetry/sdk-trace'))).toEqual([]);
    const event = await withSpan('request', {}, () => h.dataSource.transaction((manager) => unitCreated(manager)));
    expect(await h.dataSource.query('SELECT traceparent FROM outbox WHERE id = $1', [event.id])).toEqual([{ traceparent: null }]);
    await new OutboxRelay({ dataSource: h.dataSource, queues: h.queues, pollMs: 50, batchSize: 10 }).drain();
    const job = await h.queues.get('analytics').getJob(event.id);
    expect(job!.data).not.toHaveProperty('traceparent');
    expect(parseEnvelope(job!.data)).toEqual(event);
  });

  it(`refuses to start on a Node.js older than ${TRACING_MIN_NODE} when the endpoint is set`, () => {
    expect(() => startTracing({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' }, 'events-spec', { nodeVersion: '20.19.0' })).toThrow(
      /OTEL_EXPORTER_OTLP_ENDPOINT is set but tracing needs Node\.js 22\.15\.0 or newer \(this is 20\.19\.0\)/,
    );
    expect(tracingActive()).toBe(false);
    expect(tracingSupported('22.14.9')).toBe(false);
    expect(tracingSupported('22.15.0')).toBe(true);
    expect(tracingSupported('24.1.0')).toBe(true);
  });
});

(tracingSupported() ? describe : describe.skip)('tracing on', () => {
  type Finished = { name: string; traceId: string; spanId: string; parentSpanId: string | undefined; kind: number };
  let tracing: Tracing;
  let finished: Finished[];

  beforeEach(() => {
    finished = [];
    const collect = {
      onStart: () => undefined,
      onEnd: (span: import('@opentelemetry/sdk-trace').ReadableSpan) =>
        finished.push({ name: span.name, traceId: span.spanContext().traceId, spanId: span.spanContext().spanId, parentSpanId: span.parentSpanContext?.spanId, kind: span.kind }),
      forceFlush: async () => undefined,
      shutdown: async () => undefined,
    };
    tracing = startTracing({}, 'events-spec', { spanProcessors: [collect] });
  });

  afterEach(async () => {
    await tracing.stop();
    expect(tracingActive()).toBe(false);
  });

  it('carries the trace from the span that records an event through the outbox row, the relay and the job to its consumer', async () => {
    const { event, requestTraceparent } = await withSpan('request', { kind: 'server' }, async (span) => ({
      event: await h.dataSource.transaction((manager) => unitCreated(manager)),
      requestTraceparent: span.traceparent!,
    }));
    const [, traceId, requestSpanId] = TRACEPARENT.exec(requestTraceparent)!;
    // The row holds the context of the span that wrote it.
    expect(await h.dataSource.query('SELECT traceparent FROM outbox WHERE id = $1', [event.id])).toEqual([{ traceparent: requestTraceparent }]);

    // The relay: a producer span per event, child of the writer's, whose context the job carries.
    await new OutboxRelay({ dataSource: h.dataSource, queues: h.queues, pollMs: 50, batchSize: 10 }).drain();
    const relaySpan = finished.find((span) => span.name === 'outbox.relay org.unit.created')!;
    expect(relaySpan).toMatchObject({ traceId, parentSpanId: requestSpanId, kind: 3 /* PRODUCER */ });
    const job = await h.queues.get('analytics').getJob(event.id);
    expect(job!.data.traceparent).toBe(`00-${traceId}-${relaySpan.spanId}-01`);
    expect(parseEnvelope(job!.data)).toEqual({ ...event, traceparent: job!.data.traceparent });

    // The consumer runs its handler in a consumer span, child of the relay's; logs inside it carry its ids.
    const lines: Record<string, unknown>[] = [];
    const log = createLogger('events-spec', 'info', new Writable({ write: (chunk, _encoding, done) => (lines.push(JSON.parse(String(chunk))), done()) }));
    let seen: { traceparent?: string; ids: ReturnType<typeof currentTraceIds> } | undefined;
    const connection = createRedis(config.REDIS_URL, 'worker');
    const worker: Worker = createEventWorker({
      queue: 'analytics',
      connection,
      prefix: h.prefix,
      handlers: {
        'org.unit.created': async () => {
          seen = { traceparent: currentTraceparent(), ids: currentTraceIds() };
          log.info('handled');
        },
      },
    });
    try {
      await eventuallyValue(async () => seen);
    } finally {
      await closeWorkers([worker], connection);
      connection.disconnect();
    }
    const jobSpan = await eventuallyValue(async () => finished.find((span) => span.name === 'job analytics org.unit.created'));
    expect(jobSpan).toMatchObject({ traceId, parentSpanId: relaySpan.spanId, kind: 4 /* CONSUMER */ });
    expect(seen!.traceparent).toBe(`00-${traceId}-${jobSpan.spanId}-01`);
    expect(seen!.ids).toEqual({ trace_id: traceId, span_id: jobSpan.spanId });
    expect(lines.find((line) => line.msg === 'handled')).toMatchObject({ trace_id: traceId, span_id: jobSpan.spanId });
  });

  it('starts no trace of its own for an event written outside a span, and the relay roots one', async () => {
    const event = await h.dataSource.transaction((manager) => unitCreated(manager));
    expect(await h.dataSource.query('SELECT traceparent FROM outbox WHERE id = $1', [event.id])).toEqual([{ traceparent: null }]);
    await new OutboxRelay({ dataSource: h.dataSource, queues: h.queues, pollMs: 50, batchSize: 10 }).drain();
    const relaySpan = finished.find((span) => span.name === 'outbox.relay org.unit.created')!;
    expect(relaySpan.parentSpanId).toBeUndefined();
    expect((await h.queues.get('analytics').getJob(event.id))!.data.traceparent).toBe(`00-${relaySpan.traceId}-${relaySpan.spanId}-01`);
  });

  it('shares one provider between the apps of a process and shuts it down with the last', async () => {
    const second = startTracing({}, 'another-app', { spanProcessors: [] });
    expect(second.enabled).toBe(true);
    await second.stop();
    expect(tracingActive()).toBe(true);
    await second.stop(); // idempotent: the first app's hold stays
    expect(tracingActive()).toBe(true);
  });
});

import { createRequire } from 'node:module';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';

/** The OTLP/JSON encoder of the exporter package (`@opentelemetry/otlp-transformer`, the version it depends on). */
interface TraceSerializer {
  serializeRequest(spans: ReadableSpan[]): Uint8Array | undefined;
}

/** `ExportResultCode` of @opentelemetry/core. */
const SUCCESS = 0;
const FAILED = 1;

/**
 * OTLP over HTTP with JSON bodies, to `<endpoint>/v1/traces`. The encoding is the official exporter's own
 * (`JsonTraceSerializer` of the otlp-transformer that @opentelemetry/exporter-trace-otlp-http ships); the POST is
 * Node's `fetch`. The official exporter's transport loads `http` with a dynamic `import()`, which a CommonJS test
 * runner's module sandbox (Jest without --experimental-vm-modules) refuses, so the platform's traces could not be
 * tested end to end through it; this one behaves the same and works everywhere.
 */
export class OtlpJsonTraceExporter implements SpanExporter {
  private readonly serializer: TraceSerializer;
  private readonly pending = new Set<Promise<void>>();
  private stopped = false;

  constructor(
    private readonly url: string,
    private readonly timeoutMs = 10_000,
    private readonly onError: (error: Error) => void = () => undefined,
  ) {
    const fromExporter = createRequire(require.resolve('@opentelemetry/exporter-trace-otlp-http'));
    this.serializer = (fromExporter('@opentelemetry/otlp-transformer') as { JsonTraceSerializer: TraceSerializer }).JsonTraceSerializer;
  }

  export(spans: ReadableSpan[], done: (result: { code: number; error?: Error }) => void): void {
    if (this.stopped) {
      done({ code: FAILED, error: new Error('exporter shut down') });
      return;
    }
    const body = this.serializer.serializeRequest(spans);
    const sent = fetch(this.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: body ? Buffer.from(body) : '{}',
      signal: AbortSignal.timeout(this.timeoutMs),
    }).then(
      async (response) => {
        await response.arrayBuffer().catch(() => undefined);
        if (response.ok) return done({ code: SUCCESS });
        const error = new Error(`OTLP receiver answered HTTP ${response.status}`);
        this.onError(error);
        done({ code: FAILED, error });
      },
      (error: Error) => {
        this.onError(error);
        done({ code: FAILED, error });
      },
    );
    this.pending.add(sent);
    void sent.finally(() => this.pending.delete(sent));
  }

  async forceFlush(): Promise<void> {
    await Promise.all([...this.pending]);
  }

  async shutdown(): Promise<void> {
    this.stopped = true;
    await this.forceFlush();
  }
}

import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export interface AppMetrics {
  registry: Registry;
  httpRequests: Counter<'route' | 'status'>;
  httpDuration: Histogram<'route'>;
  /** GraphQL errors by `extensions.code` (a 200 answer can carry them, so HTTP status alone misses them). */
  graphqlErrors: Counter<'code'>;
}

/** A registry per app (not the global one), so tests can start many apps in one process. */
export function createMetrics(service: string): AppMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  const httpRequests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests served, by route and status code',
    labelNames: ['route', 'status'] as const,
    registers: [registry],
  });
  const httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency, by route',
    labelNames: ['route'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const graphqlErrors = new Counter({
    name: 'graphql_errors_total',
    help: 'GraphQL errors in answers, by extensions.code (INTERNAL_SERVER_ERROR when an error has none)',
    labelNames: ['code'] as const,
    registers: [registry],
  });
  return { registry, httpRequests, httpDuration, graphqlErrors };
}

/** The shape of the errors Apollo Server hands to `didEncounterErrors` (kept structural: telemetry has no Apollo). */
interface ErrorsContext {
  readonly errors: readonly { readonly extensions?: { readonly [key: string]: unknown } }[];
}

/**
 * An Apollo Server plugin counting every GraphQL error of every operation by its `extensions.code`, so the
 * errors a 200 answer carries (FORBIDDEN, BAD_USER_INPUT, a subgraph that is down…) are visible in `/metrics`.
 */
export function graphqlErrorsPlugin(metrics: Pick<AppMetrics, 'graphqlErrors'>) {
  return {
    async requestDidStart() {
      return {
        async didEncounterErrors({ errors }: ErrorsContext) {
          for (const error of errors) {
            const code = error.extensions?.code;
            metrics.graphqlErrors.inc({ code: typeof code === 'string' && code ? code : 'INTERNAL_SERVER_ERROR' });
          }
        },
      };
    },
  };
}

export interface ScrapeSample {
  labels?: Record<string, string>;
  value: number;
}

export interface ScrapeGaugeOptions {
  name: string;
  help: string;
  labelNames?: readonly string[];
  /** Reads the current values (from Postgres, Redis…) when `/metrics` is scraped. */
  read: () => Promise<ScrapeSample[]>;
  /** Told why a read failed; the gauge then shows no series (NaN without labels) for that scrape, not stale values. */
  onError?: (error: Error) => void;
}

/**
 * A gauge whose values are read at scrape time (outbox backlog, dead letters): every replica reports the same truth
 * and nothing has to keep it up to date between scrapes.
 */
export function registerScrapeGauge(registry: Registry, options: ScrapeGaugeOptions): Gauge {
  return new Gauge({
    name: options.name,
    help: options.help,
    labelNames: [...(options.labelNames ?? [])],
    registers: [registry],
    async collect() {
      this.reset();
      let samples: ScrapeSample[];
      try {
        samples = await options.read();
      } catch (error) {
        options.onError?.(error as Error);
        // A gauge without labels always shows a value: NaN, not a reassuring 0 (or a stale number).
        if (!options.labelNames?.length) this.set(Number.NaN);
        return;
      }
      for (const sample of samples) {
        if (sample.labels) this.set(sample.labels, sample.value);
        else this.set(sample.value);
      }
    },
  });
}

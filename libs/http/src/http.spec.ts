import { createLogger, createMetrics } from '@kz/telemetry';
import { cachedReport, createHttpApp, HealthReport, HttpApp, runChecks } from './index';

let app: HttpApp;
let base: string;
let healthy = true;
let alive = true;

beforeAll(async () => {
  app = createHttpApp({
    name: 'test-app',
    log: createLogger('test', 'silent'),
    metrics: createMetrics('test-app'),
    maxBodyBytes: 1000,
    ready: async (): Promise<HealthReport> => (healthy ? { status: 'ok', checks: { postgres: 'ok' } } : { status: 'down', checks: { postgres: 'refused', redis: 'ok' } }),
    live: async () => (alive ? { status: 'ok', checks: { loop: 'ok' } } : { status: 'down', checks: { loop: 'not running' } }),
    graphql: async ({ body }, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data: { echo: body } }));
    },
    // As the gateway's CORS does: a header on every answer, and OPTIONS answered before any route.
    intercept: (req, res) => {
      res.setHeader('x-intercepted', 'yes');
      if (req.method !== 'OPTIONS') return undefined;
      res.writeHead(204).end();
      return 'preflight';
    },
  });
  base = await app.listen(0, '127.0.0.1');
});
afterAll(() => app.close());

describe('the HTTP server of every app', () => {
  it('answers /ready with 200 and what was checked, or 503 naming what is not ready', async () => {
    const ready = await fetch(`${base}/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ service: 'test-app', status: 'ok', checks: { postgres: 'ok' } });
    healthy = false;
    const down = await fetch(`${base}/ready`);
    expect(down.status).toBe(503);
    expect(await down.json()).toEqual({ service: 'test-app', status: 'down', checks: { postgres: 'refused', redis: 'ok' }, notReady: ['postgres'] });
    // Liveness does not follow a dependency: the process runs, restarting it would not bring Postgres back.
    expect((await fetch(`${base}/health`)).status).toBe(200);
    healthy = true;
  });

  it('answers /health (liveness) from the app\'s own state only', async () => {
    expect(await (await fetch(`${base}/health`)).json()).toEqual({ service: 'test-app', status: 'ok', checks: { loop: 'ok' } });
    alive = false;
    const down = await fetch(`${base}/health`);
    expect(down.status).toBe(503);
    expect(await down.json()).toEqual({ service: 'test-app', status: 'down', checks: { loop: 'not running' } });
    alive = true;
  });

  it('answers /health with 200 when the app has no liveness checks, and counts both routes', async () => {
    const bare = createHttpApp({
      name: 'bare',
      log: createLogger('test', 'silent'),
      metrics: createMetrics('bare'),
      maxBodyBytes: 1000,
      ready: async () => ({ status: 'down', checks: { postgres: 'refused' } }),
    });
    const url = await bare.listen(0, '127.0.0.1');
    try {
      expect((await fetch(`${url}/health`)).status).toBe(200);
      expect((await fetch(`${url}/ready`)).status).toBe(503);
      const text = await (await fetch(`${url}/metrics`)).text();
      expect(text).toMatch(/http_requests_total\{route="health",status="200",service="bare"\} 1/);
      expect(text).toMatch(/http_requests_total\{route="ready",status="503",service="bare"\} 1/);
    } finally {
      await bare.close();
    }
  });

  it('exposes Prometheus metrics, counting requests by route', async () => {
    await fetch(`${base}/health`);
    const text = await (await fetch(`${base}/metrics`)).text();
    expect(text).toMatch(/http_requests_total\{route="health",status="200",service="test-app"\} \d+/);
    expect(text).toContain('process_resident_memory_bytes');
  });

  it('refuses a body over the limit with 413, in the caller language', async () => {
    const response = await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'accept-language': 'zh-CN' },
      body: JSON.stringify({ query: 'x'.repeat(2000) }),
    });
    expect(response.status).toBe(413);
    const body = (await response.json()) as { errors: { message: string; extensions: unknown }[] };
    expect(body.errors[0]!.extensions).toEqual({ code: 'PAYLOAD_TOO_LARGE', max: 1000 });
    expect(body.errors[0]!.message).toContain('1000');
  });

  it('refuses malformed JSON with 400 and passes good JSON on', async () => {
    const bad = await fetch(`${base}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":' });
    expect(bad.status).toBe(400);
    const good = await fetch(`${base}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{a}"}' });
    expect(await good.json()).toEqual({ data: { echo: { query: '{a}' } } });
  });

  it('lets an interceptor answer a request itself, counted under its route name', async () => {
    const response = await fetch(`${base}/graphql`, { method: 'OPTIONS' });
    expect(response.status).toBe(204);
    const text = await (await fetch(`${base}/metrics`)).text();
    expect(text).toMatch(/http_requests_total\{route="preflight",status="204",service="test-app"\} 1/);
  });

  it('keeps the headers an interceptor sets, and the request id, on every answer, refusals included', async () => {
    const answers = await Promise.all([
      fetch(`${base}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-request-id': 'req-1' }, body: '{"query":"{a}"}' }),
      fetch(`${base}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-request-id': 'req-2' }, body: JSON.stringify({ query: 'x'.repeat(2000) }) }),
      fetch(`${base}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-request-id': 'req-3' }, body: '{' }),
      fetch(`${base}/nope`, { headers: { 'x-request-id': 'req-4' } }),
      fetch(`${base}/health`),
    ]);
    expect(answers.map((answer) => [answer.status, answer.headers.get('x-intercepted'), answer.headers.get('x-request-id')])).toEqual([
      [200, 'yes', 'req-1'],
      [413, 'yes', 'req-2'],
      [400, 'yes', 'req-3'],
      [404, 'yes', 'req-4'],
      [200, 'yes', expect.stringMatching(/^[0-9a-f-]{36}$/)],
    ]);
  });

  it('answers unknown paths with 404', async () => {
    expect((await fetch(`${base}/nope`)).status).toBe(404);
  });
});

describe('readiness checks', () => {
  it('runs checks side by side, a hanging one reported as timed out, advisory ones never fatal', async () => {
    const report = await runChecks(
      {
        postgres: async () => 'ok',
        hangs: () => new Promise<string>(() => undefined),
        throws: async () => {
          throw new Error('ECONNREFUSED');
        },
        redis: async () => 'not ready (connecting)',
      },
      { timeoutMs: 50, advisory: ['redis'] },
    );
    expect(report).toEqual({
      status: 'down',
      checks: { postgres: 'ok', hangs: 'timed out after 50 ms', throws: 'ECONNREFUSED', redis: 'not ready (connecting)' },
    });
    expect(await runChecks({ postgres: async () => 'ok', redis: async () => 'down' }, { timeoutMs: 50, advisory: ['redis'] })).toEqual({
      status: 'ok',
      checks: { postgres: 'ok', redis: 'down' },
    });
  });

  it('caches a report for its TTL and shares one round among probes arriving together', async () => {
    let clock = 1_000;
    let rounds = 0;
    let release!: () => void;
    const report = cachedReport(
      () => {
        rounds += 1;
        return new Promise<HealthReport>((resolve) => {
          release = () => resolve({ status: 'ok', checks: { round: String(rounds) } });
        });
      },
      2_000,
      () => clock,
    );
    const together = [report(), report(), report()];
    release();
    expect((await Promise.all(together)).map((r) => r.checks.round)).toEqual(['1', '1', '1']);
    clock += 1_999;
    expect((await report()).checks.round).toBe('1');
    clock += 1;
    const next = report();
    release();
    expect((await next).checks.round).toBe('2');
    expect(rounds).toBe(2);
  });
});

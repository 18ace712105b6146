import { randomUUID } from 'node:crypto';
import IORedis from 'ioredis';
import { signToken } from '@kz/auth';
import { Config, DEVELOPMENT_ORIGINS, loadConfig, parseOriginList } from '@kz/config';
import { createClient, UnreadNotificationCountDocument } from '@kz/client';
import { dropDatabase } from '@kz/db';
import { deleteKeysWithPrefix, testConfig, uniqueName, uniqueQueuePrefix } from '@kz/testing';
import { RunningGateway, startGateway } from './app';
import { CORS_REQUEST_HEADERS, corsOrigins } from './cors';

/**
 * CORS at a real gateway (no subgraph is needed for `{ __typename }` or for the refusals before GraphQL), with
 * `CORS_ORIGINS=https://console.kz.gov.cn,http://localhost:*` and a rate limit of 2 a minute.
 */
const CONSOLE = 'https://console.kz.gov.cn';
const VITE = 'http://localhost:5173';
let config: Config;
let gateway: RunningGateway;

beforeAll(async () => {
  config = testConfig({
    HOST: '127.0.0.1',
    QUEUE_PREFIX: uniqueQueuePrefix(),
    GATEWAY_DATABASE: uniqueName('gateway'),
    MEDIA_DATABASE: uniqueName('media'),
    GATEWAY_RATE_LIMIT_PER_MINUTE: '2',
    MAX_BODY_BYTES: '1000',
    CORS_ORIGINS: `${CONSOLE},http://localhost:*`,
  });
  gateway = await startGateway(config, { port: 0 });
});
afterAll(async () => {
  await gateway?.stop();
  await dropDatabase(config, config.GATEWAY_DATABASE);
  await dropDatabase(config, config.MEDIA_DATABASE);
  const redis = new IORedis(config.REDIS_URL, { maxRetriesPerRequest: 1 });
  await deleteKeysWithPrefix(redis, config.QUEUE_PREFIX);
  redis.disconnect();
});

/** A token of its own for each call, so the rate limit of 2 a minute counts only where a test means it to. */
const freshToken = () => signToken(config, { sub: `cors-${randomUUID()}`, roles: ['RESIDENT'] });

function preflight(origin: string, headers: Record<string, string> = {}) {
  return fetch(gateway.url, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type', ...headers },
  });
}

async function post(origin: string | undefined, init: { token?: string; body?: string; headers?: Record<string, string> } = {}) {
  return fetch(gateway.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(origin ? { origin } : {}),
      ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
      ...init.headers,
    },
    body: init.body ?? JSON.stringify({ query: '{ __typename }' }),
  });
}

const corsHeaders = (response: Response) =>
  Object.fromEntries([...response.headers].filter(([name]) => name.startsWith('access-control-') || name === 'vary'));

describe('a preflight (OPTIONS /graphql)', () => {
  it('from a listed origin: 204 naming that origin, the methods, the headers the client sends, a max age; no credentials', async () => {
    for (const origin of [CONSOLE, VITE, 'http://localhost:4173']) {
      const response = await preflight(origin);
      expect(response.status).toBe(204);
      expect(corsHeaders(response)).toEqual({
        'access-control-allow-origin': origin,
        'access-control-allow-methods': 'GET, POST',
        'access-control-allow-headers':
          'authorization, content-type, accept, accept-language, x-request-id, apollographql-client-name, apollographql-client-version, apollo-require-preflight, x-apollo-operation-name',
        'access-control-max-age': '7200',
        vary: 'Origin',
      });
      expect(await response.text()).toBe('');
    }
  });

  it('allows every header @kz/client sends, with every option set', async () => {
    const sent: string[] = [];
    const client = createClient({
      url: gateway.url,
      token: 'a-token',
      locale: 'zh-CN',
      clientName: 'kz-console',
      clientVersion: '1.0.0',
      fetch: async (_url, init) => {
        sent.push(...Object.keys(init?.headers as Record<string, string>));
        return new Response(JSON.stringify({ data: { unreadNotificationCount: 0 } }));
      },
    });
    await client.request(UnreadNotificationCountDocument);
    expect(sent.length).toBeGreaterThanOrEqual(7);
    expect(CORS_REQUEST_HEADERS).toEqual(expect.arrayContaining(sent.map((name) => name.toLowerCase())));
  });

  it('from any other origin: 403 with a coded error and no CORS header, so the browser sends nothing', async () => {
    for (const origin of ['https://evil.example', 'https://console.kz.gov.cn.evil.example', 'http://console.kz.gov.cn', 'http://127.0.0.1:5173', 'null']) {
      const response = await preflight(origin, { 'accept-language': 'zh-CN' });
      expect(response.status).toBe(403);
      expect(corsHeaders(response)).toEqual({ vary: 'Origin' });
      const body = (await response.json()) as { errors: { message: string; extensions: Record<string, unknown> }[] };
      expect(body.errors[0]!.extensions).toEqual({ code: 'FORBIDDEN', reason: 'originNotAllowed', origin });
      expect(body.errors[0]!.message).toContain('CORS_ORIGINS');
      expect(body.errors[0]!.message).toMatch(/不能在浏览器中调用本网关/);
    }
  });
});

describe('answers to a listed origin', () => {
  const readable = (origin: string) => ({
    'access-control-allow-origin': origin,
    'access-control-expose-headers': 'x-request-id, retry-after',
    vary: 'Origin',
  });

  it('200: names the origin and lets the page read the request id', async () => {
    const response = await post(CONSOLE, { token: await freshToken(), headers: { 'x-request-id': 'cors-200' } });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ data: { __typename: 'Query' } });
    expect(corsHeaders(response)).toEqual(readable(CONSOLE));
    expect(response.headers.get('x-request-id')).toBe('cors-200');
  });

  it('401 for a bad token: the page can read the code and the request id', async () => {
    const response = await post(VITE, { token: 'not-a-token', headers: { 'x-request-id': 'cors-401' } });
    expect(response.status).toBe(401);
    expect(corsHeaders(response)).toEqual(readable(VITE));
    expect(response.headers.get('x-request-id')).toBe('cors-401');
    expect(((await response.json()) as { errors: { extensions: unknown }[] }).errors[0]!.extensions).toEqual({ code: 'UNAUTHENTICATED', reason: 'invalidToken' });
  });

  it('413 for a body over the limit: the page can read the code', async () => {
    const response = await post(CONSOLE, { body: JSON.stringify({ query: `{ __typename ${' '.repeat(2000)}}` }) });
    expect(response.status).toBe(413);
    expect(corsHeaders(response)).toEqual(readable(CONSOLE));
    expect(((await response.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('429 over the rate limit: the page can read the code and Retry-After', async () => {
    const token = await freshToken();
    // Five calls at a limit of 2 a minute: at least one is refused even if a minute turns between them.
    const answers = [];
    for (let i = 0; i < 5; i += 1) answers.push(await post(CONSOLE, { token }));
    const refused = answers.find((answer) => answer.status === 429);
    expect(refused).toBeDefined();
    expect(corsHeaders(refused!)).toEqual(readable(CONSOLE));
    expect(Number(refused!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(((await refused!.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code).toBe('RATE_LIMITED');
  });
});

describe('answers to anyone else', () => {
  it('an unlisted origin gets the answer without CORS headers, so its browser keeps it from the page', async () => {
    const response = await post('https://evil.example', { token: await freshToken() });
    expect(response.status).toBe(200);
    expect(corsHeaders(response)).toEqual({ vary: 'Origin' });
  });

  it('a caller without Origin (a server, a mini-program, curl) is not CORS and is answered as before', async () => {
    const response = await post(undefined, { token: await freshToken() });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ data: { __typename: 'Query' } });
    expect(corsHeaders(response)).toEqual({ vary: 'Origin' });
  });

  it('/health and /metrics are not for pages: no CORS headers there', async () => {
    const base = gateway.url.replace(/\/graphql$/, '');
    for (const path of ['/health', '/metrics']) {
      const response = await fetch(`${base}${path}`, { headers: { origin: CONSOLE } });
      expect(response.status).toBe(200);
      expect(corsHeaders(response)).toEqual({});
    }
  });
});

describe('photo uploads (POST /uploads) from a page', () => {
  // A 1×1 PNG.
  const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
  const upload = (token: string) => {
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(png)], { type: 'image/png' }), 'dot.png');
    return fetch(gateway.url.replace(/\/graphql$/, '/uploads'), { method: 'POST', headers: { origin: CONSOLE, authorization: `Bearer ${token}` }, body: form });
  };

  it('answers with CORS headers, and counts against the caller rate limit (429 with Retry-After)', async () => {
    const token = await freshToken();
    const answers = [await upload(token), await upload(token), await upload(token)];
    expect(answers.map((answer) => [answer.status, answer.headers.get('access-control-allow-origin')])).toEqual([
      [201, CONSOLE],
      [201, CONSOLE],
      [429, CONSOLE],
    ]);
    expect(answers[2]!.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(((await answers[2]!.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code).toBe('RATE_LIMITED');
  });
});

describe('CORS_ORIGINS when unset', () => {
  it('is none in production and pages on this machine otherwise', () => {
    const texts = (env: Record<string, string>) => corsOrigins(loadConfig(env)).map((pattern) => pattern.text);
    expect(corsOrigins({ NODE_ENV: 'production', CORS_ORIGINS: undefined })).toEqual([]);
    expect(texts({})).toEqual(parseOriginList(DEVELOPMENT_ORIGINS).map((pattern) => pattern.text));
    expect(texts({ NODE_ENV: 'test' })).toEqual(['http://localhost:*', 'http://127.0.0.1:*', 'https://localhost:*', 'https://127.0.0.1:*']);
    expect(texts({ CORS_ORIGINS: 'none' })).toEqual([]);
    expect(corsOrigins({ NODE_ENV: 'production', CORS_ORIGINS: parseOriginList(CONSOLE) }).map((pattern) => pattern.text)).toEqual([CONSOLE]);
  });
});

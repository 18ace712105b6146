import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { signToken } from '@kz/auth';
import { catalog, createRedis, QUEUES, Queues } from '@kz/events';
import { deleteKeysWithPrefix, testConfig, uniqueName, uniqueQueuePrefix } from '@kz/testing';
import { RunningOpsDashboard, startOpsDashboard } from './app';
import { SESSION_COOKIE } from './admin-auth';

const prefix = uniqueQueuePrefix();
// An analytics database nobody created: the subscriptions page must say it cannot read it (the analytics worker creates
// it; apps/e2e/src/analytics-dashboard.e2e.spec.ts shows the page with the worker's subscriptions).
const config = testConfig({ QUEUE_PREFIX: prefix, HOST: '127.0.0.1', ANALYTICS_DATABASE: uniqueName('analytics') });
const KZ = { unitId: '1', unitPath: '1' };

let dashboard: RunningOpsDashboard;
let redis: Redis;
let queues: Queues;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  dashboard = await startOpsDashboard(config, { port: 0 });
  redis = createRedis(config.REDIS_URL, 'producer');
  queues = new Queues(redis, prefix);
  tokens.admin = await signToken(config, { sub: 'p-admin', roles: ['CENTER_ADMIN'], ...KZ });
  tokens.volunteer = await signToken(config, { sub: 'p-vol', roles: ['VOLUNTEER'] });
  tokens.dispatcher = await signToken(config, { sub: 'p-disp', roles: ['DISPATCHER'], ...KZ });
  tokens.otherKey = await signToken({ ...config, JWT_SECRET: 'another-secret-of-enough-length-0123456789' }, { sub: 'p-x', roles: ['CENTER_ADMIN'], ...KZ });
});

afterAll(async () => {
  await dashboard?.stop();
  await queues?.close();
  await deleteKeysWithPrefix(redis, prefix);
  redis?.disconnect();
});

const get = (path: string, headers: Record<string, string> = {}) => fetch(`${dashboard.url}${path}`, { headers, redirect: 'manual' });
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('the ops dashboard', () => {
  it('refuses the queues API without a token (401), with a token of another key (401), and to anyone but a CENTER_ADMIN (403)', async () => {
    const none = await get('/api/queues');
    expect(none.status).toBe(401);
    expect(((await none.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code).toBe('UNAUTHENTICATED');
    expect((await get('/api/queues', bearer(tokens.otherKey!))).status).toBe(401);
    expect((await get('/api/queues', { authorization: 'Basic YWRtaW46YWRtaW4=' })).status).toBe(401);
    const volunteer = await get('/api/queues', bearer(tokens.volunteer!));
    expect(volunteer.status).toBe(403);
    expect(((await volunteer.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code).toBe('FORBIDDEN');
    expect((await get('/api/queues', bearer(tokens.dispatcher!))).status).toBe(403);
    // The board's page too, and a browser gets the sign-in form with the status.
    const page = await get('/', { accept: 'text/html' });
    expect(page.status).toBe(401);
    expect(await page.text()).toContain('<form method="post" action="login">');
  });

  it('lists every queue of the routing table, with the workers\' prefix, to a CENTER_ADMIN', async () => {
    const response = await get('/api/queues', bearer(tokens.admin!));
    expect(response.status).toBe(200);
    const body = (await response.json()) as { queues: { name: string }[] };
    expect(body.queues.map((queue) => queue.name).sort()).toEqual([...QUEUES].sort());

    // A job added under the platform's prefix shows up in that queue's counts through the board's API.
    const id = randomUUID();
    await queues.get('analytics').add('org.sevenHaves.updated', { id, type: 'org.sevenHaves.updated', version: catalog['org.sevenHaves.updated'].version }, { jobId: id, delay: 3_600_000 });
    const after = (await (await get('/api/queues', bearer(tokens.admin!))).json()) as { queues: { name: string; counts: Record<string, number> }[] };
    expect(after.queues.find((queue) => queue.name === 'analytics')!.counts.delayed).toBe(1);
  });

  it('signs a CENTER_ADMIN in with the form into an HttpOnly cookie, and refuses the form to others', async () => {
    const form = (token: string) =>
      fetch(`${dashboard.url}/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token }).toString(),
        redirect: 'manual',
      });
    const refused = await form(tokens.volunteer!);
    expect(refused.status).toBe(403);
    expect(refused.headers.get('set-cookie')).toBeNull();
    expect((await form('not-a-token')).status).toBe(401);

    const signedIn = await form(tokens.admin!);
    expect(signedIn.status).toBe(303);
    const cookie = signedIn.headers.get('set-cookie')!;
    expect(cookie).toMatch(new RegExp(`^${SESSION_COOKIE}=`));
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Strict');
    const session = cookie.split(';')[0]!;
    expect((await get('/api/queues', { cookie: session })).status).toBe(200);
    const board = await get('/', { cookie: session, accept: 'text/html' });
    expect(board.status).toBe(200);
    expect(await board.text()).toContain('<html');
    // A cookie holding someone else's token does not open it.
    expect((await get('/api/queues', { cookie: `${SESSION_COOKIE}=${tokens.volunteer}` })).status).toBe(403);
  });

  it('says on the subscriptions page, to a CENTER_ADMIN only, that the analytics database cannot be read before it exists', async () => {
    expect((await get('/subscriptions', { accept: 'text/html' })).status).toBe(401);
    expect((await get('/subscriptions', bearer(tokens.dispatcher!))).status).toBe(403);
    const page = await get('/subscriptions', bearer(tokens.admin!));
    expect(page.status).toBe(503);
    const html = await page.text();
    expect(html).toContain(`Cannot read the analytics database ${config.ANALYTICS_DATABASE}: database &#34;${config.ANALYTICS_DATABASE}&#34; does not exist`);
    expect(html).not.toContain('<table>');
    // /ready does not depend on it: the board works without the analytics worker.
    expect((await get('/ready')).status).toBe(200);
  });

  it('serves /health, /ready and /metrics openly, with the depth of every queue and its own request counts', async () => {
    const health = await get('/health');
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ service: 'ops-dashboard', status: 'ok', checks: {} });
    const ready = await get('/ready');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ service: 'ops-dashboard', status: 'ok', checks: { redis: 'ok' } });

    const id = randomUUID();
    const scrape = async () => (await get('/metrics')).text();
    const before = await scrape();
    for (const queue of QUEUES) expect(before).toMatch(new RegExp(`^queue_jobs_failed\\{queue="${queue}",service="ops-dashboard"\\} \\d+$`, 'm'));
    const waiting = (text: string) => Number(/^queue_jobs_waiting\{queue="points-credit",service="ops-dashboard"\} (\d+)$/m.exec(text)![1]);
    await queues.get('points-credit').add('x', { id }, { jobId: id });
    const after = await scrape();
    expect(waiting(after)).toBe(waiting(before) + 1);
    expect(after).toMatch(/^http_requests_total\{route="api",status="401",service="ops-dashboard"\} [1-9]/m);
  });
});

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { openDocumentsDatabase, publishManifest, RunningGateway, startGateway } from '@kz/gateway';
import { DEMO_PASSWORD } from '@kz/seed-data';
import { metricSample, scrapeMetrics } from '@kz/testing';
import { clientManifest } from '../client';
import { Platform, startPlatform } from '../stack';
import { launchChromium, RunningChromium } from './chromium';
import { PageServer, startPageServer } from './page-server';

/**
 * A front-end team's whole path, in a real browser: its page (`page/`, bundled with esbuild from an entry that imports
 * `@kz/client`) is served from its own origin, `http://localhost:<port>`, which the platform's `CORS_ORIGINS` lists;
 * in headless Chromium it signs 周建华 in, reads `me` and places an order. The same page from `http://127.0.0.1:<port>`,
 * an origin not on the list, is refused by the browser. Then the page sends its operations by id to a gateway that
 * enforces trusted documents, with the client's manifest published as a release would publish it.
 */
const SCREENSHOTS = join(__dirname, '..', '..', '..', '..', 'tmp', 'e2e', 'browser');
const RESIDENT_PHONE = '13900230008'; // 周建华, a resident of 迎宾社区

let chromium: RunningChromium;
let pages: PageServer;
let platform: Platform;
let enforcing: RunningGateway;

beforeAll(async () => {
  chromium = await launchChromium(); // first: without Chromium the test fails here, saying which package to install
  pages = await startPageServer();
  platform = await startPlatform({ seed: 'demo', env: { CORS_ORIGINS: `http://localhost:${pages.port}` } });
  const registry = await openDocumentsDatabase(platform.config);
  try {
    await publishManifest(registry, clientManifest(), 'kz-resident-web', '1.0.0');
  } finally {
    await registry.destroy();
  }
  const subgraphUrls = Object.fromEntries(Object.entries(platform.subgraphs).map(([name, subgraph]) => [name, subgraph.url]));
  enforcing = await startGateway({ ...platform.config, TRUSTED_DOCUMENTS: 'enforce' }, { port: 0, subgraphUrls });
  mkdirSync(SCREENSHOTS, { recursive: true });
}, 60_000);
afterAll(async () => {
  await chromium?.close();
  await enforcing?.stop();
  await platform?.stop();
  await pages?.stop();
});

/** Opens the page from an origin, with the gateway to call, and collects what the browser logs. */
async function openPage(origin: string, gatewayUrl: string, persisted = false): Promise<{ page: Page; console: string[] }> {
  const page = await chromium.context.newPage();
  const console: string[] = [];
  page.on('console', (message) => console.push(message.text()));
  const search = new URLSearchParams({ gateway: gatewayUrl, ...(persisted ? { persisted: '1' } : {}) });
  await page.goto(`${origin}/?${search}`);
  await page.waitForSelector('body[data-state="ready"]');
  return { page, console };
}

/** Signs in on the page and waits until it has shown an outcome; returns the final state. */
async function signInAndOrder(page: Page): Promise<string | null> {
  await page.fill('#phone', RESIDENT_PHONE);
  await page.fill('#password', DEMO_PASSWORD);
  await page.click('#submit');
  await page.waitForSelector('body[data-state="done"], body[data-state="failed"]');
  return page.getAttribute('body', 'data-state');
}

/** What the page shows once done, with the error if it failed (so a failure says why). */
async function shown(page: Page) {
  return {
    state: await page.getAttribute('body', 'data-state'),
    error: (await page.isVisible('#error')) ? await page.textContent('#error') : null,
    name: await page.textContent('#name'),
    home: await page.textContent('#home'),
    orderCode: await page.textContent('#order-code'),
    orderStatus: await page.textContent('#order-status'),
  };
}

async function storedOrder(code: string): Promise<{ title: string; channel: string } | undefined> {
  const [row] = await platform.orders.query('SELECT title, channel FROM service_order WHERE code = $1', [code]);
  return row;
}

const preflightsRefused = async (gatewayUrl: string) =>
  metricSample(await scrapeMetrics(gatewayUrl), 'http_requests_total', { route: 'preflight', status: '403' }) ?? 0;

describe('a page on a listed origin', () => {
  it('signs in, reads who it is (a query) and places an order (a mutation) through @kz/client', async () => {
    const { page } = await openPage(`http://localhost:${pages.port}`, platform.gatewayUrl);
    await signInAndOrder(page);
    await page.screenshot({ path: join(SCREENSHOTS, 'listed-origin.png'), fullPage: true });
    const result = await shown(page);
    expect(result).toEqual({
      state: 'done',
      error: null,
      name: '周建华',
      home: '迎宾社区新时代文明实践站',
      orderCode: expect.stringMatching(/^KZ-\d{8}-\d{4}$/),
      orderStatus: 'SUBMITTED',
    });
    expect(await storedOrder(result.orderCode!)).toEqual({ title: '楼道声控灯损坏', channel: 'APP' });
    await page.close();
  });

  it("reads a refusal's status and request id, as the client needs to tell the user what happened", async () => {
    const { page } = await openPage(`http://localhost:${pages.port}`, platform.gatewayUrl);
    const answer = await page.evaluate(async (url) => {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer not-a-token', 'x-request-id': 'browser-401' },
        body: JSON.stringify({ query: '{ __typename }' }),
      });
      const body = (await response.json()) as { errors: { extensions: { code: string } }[] };
      return { status: response.status, requestId: response.headers.get('x-request-id'), code: body.errors[0]!.extensions.code };
    }, platform.gatewayUrl);
    expect(answer).toEqual({ status: 401, requestId: 'browser-401', code: 'UNAUTHENTICATED' });
    await page.close();
  });
});

describe('a page on an origin not on the list', () => {
  it('is refused by the browser: its preflight gets no CORS header, so nothing is sent and the page sees a failed fetch', async () => {
    const refusedBefore = await preflightsRefused(platform.gatewayUrl);
    const { page, console } = await openPage(`http://127.0.0.1:${pages.port}`, platform.gatewayUrl);
    expect(await signInAndOrder(page)).toBe('failed');
    await page.screenshot({ path: join(SCREENSHOTS, 'unlisted-origin.png'), fullPage: true });
    // The client's code for an answer that never came: status 0, SERVICE_UNAVAILABLE.
    expect(await page.getAttribute('#error', 'data-code')).toBe('SERVICE_UNAVAILABLE');
    expect(await page.getAttribute('#error', 'data-status')).toBe('0');
    expect(await page.isVisible('#result')).toBe(false);
    expect(console.join('\n')).toMatch(new RegExp(`from origin 'http://127\\.0\\.0\\.1:${pages.port}' has been blocked by CORS policy`));
    // The gateway refused the preflight (403), so the login itself never reached it.
    expect(await preflightsRefused(platform.gatewayUrl)).toBe(refusedBefore + 1);
    await page.close();
  });
});

describe('a page sending its operations by id to a gateway with TRUSTED_DOCUMENTS=enforce', () => {
  it("runs them from the client's published manifest, and the page can read the refusal of anything else", async () => {
    const { page } = await openPage(`http://localhost:${pages.port}`, enforcing.url, true);
    const sent: unknown[] = [];
    page.on('request', (request) => {
      if (request.url() === enforcing.url && request.method() === 'POST') sent.push(request.postDataJSON());
    });
    await signInAndOrder(page);
    await page.screenshot({ path: join(SCREENSHOTS, 'trusted-documents.png'), fullPage: true });
    const result = await shown(page);
    expect(result).toMatchObject({ state: 'done', error: null, name: '周建华', orderStatus: 'SUBMITTED' });
    expect(await storedOrder(result.orderCode!)).toEqual({ title: '楼道声控灯损坏', channel: 'APP' });
    // Login, Me and PlaceOrder went by id, with no text.
    expect(sent.map((body) => Object.keys(body as object).sort())).toEqual(Array(3).fill(['documentId', 'operationName', 'variables']));
    expect(sent.map((body) => (body as { operationName: string }).operationName)).toEqual(['Login', 'Me', 'PlaceOrder']);

    const freeText = await page.evaluate(async (url) => {
      const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ __typename }' }) });
      return { status: response.status, body: (await response.json()) as { errors: { extensions: { code: string } }[] } };
    }, enforcing.url);
    expect({ status: freeText.status, code: freeText.body.errors[0]!.extensions.code }).toEqual({ status: 400, code: 'PERSISTED_DOCUMENT_REQUIRED' });
    await page.close();
  });
});

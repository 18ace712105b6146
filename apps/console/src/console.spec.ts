import { loadConfig } from '@kz/config';
import { buildConsoleAssets, BUNDLE_BUDGET_BYTES, ConsoleAssets } from './bundle';
import { RunningConsole, startConsole } from './server';

/**
 * The console's promises that need no platform: one small script, and a server that serves only the page, with a
 * content security policy that lets it talk to its gateway and nothing else. The browser test
 * (`apps/e2e/src/browser/console.e2e.spec.ts`) drives it against a real platform.
 */
let assets: ConsoleAssets;
let server: RunningConsole;
const GATEWAY = 'http://localhost:4999/graphql';

beforeAll(async () => {
  assets = await buildConsoleAssets();
  server = await startConsole(loadConfig({ LOG_LEVEL: 'silent' }), { port: 0, gatewayUrl: GATEWAY, assets });
});
afterAll(() => server?.stop());

it(`keeps its one script within the budget of ${BUNDLE_BUDGET_BYTES / 1024} KB minified`, () => {
  const bytes = Buffer.byteLength(assets.js);
  expect(bytes).toBeGreaterThan(1000);
  expect(bytes).toBeLessThanOrEqual(BUNDLE_BUDGET_BYTES);
});

it('sends its operations by id: the script holds the ids of the documents it uses and no GraphQL parser', () => {
  expect(assets.js).toMatch(/sha256:[0-9a-f]{64}/);
  expect(assets.js).not.toMatch(/graphql\/language|require\("node:/);
});

it('serves the page with the gateway it calls and a content security policy allowing only that gateway', async () => {
  const response = await fetch(`${server.url}/`);
  expect(response.status).toBe(200);
  const html = await response.text();
  expect(html).toContain(`<meta name="kz-gateway" content="${GATEWAY}" />`);
  expect(html).toContain('<html lang="zh-CN">');
  const csp = response.headers.get('content-security-policy');
  expect(csp).toContain("script-src 'self'");
  expect(csp).toContain("default-src 'none'");
  expect(csp).toContain('connect-src http://localhost:4999 ws://localhost:4999');
  expect(csp).toContain("frame-ancestors 'none'");
  expect(response.headers.get('x-content-type-options')).toBe('nosniff');
});

it('serves its script and style sheet, /health, and nothing else', async () => {
  const script = await fetch(`${server.url}/app.js`);
  expect({ status: script.status, type: script.headers.get('content-type') }).toEqual({ status: 200, type: 'text/javascript; charset=utf-8' });
  expect(await script.text()).toBe(assets.js);
  expect((await fetch(`${server.url}/app.css`)).headers.get('content-type')).toBe('text/css; charset=utf-8');
  expect((await fetch(`${server.url}/health`)).status).toBe(200);
  expect((await fetch(`${server.url}/../package.json`)).status).toBe(404);
  expect((await fetch(`${server.url}/src/server.ts`)).status).toBe(404);
  expect((await fetch(`${server.url}/`, { method: 'POST' })).status).toBe(405);
});

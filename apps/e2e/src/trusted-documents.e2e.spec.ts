import type { DataSource } from 'typeorm';
import type { Config } from '@kz/config';
import { documentHash, openDocumentsDatabase, parseManifest, publishManifest, retireVersion, startGateway } from '@kz/gateway';
import { eventually, metricLabelValues, metricSample, scrapeMetrics } from '@kz/testing';
import { Platform, startPlatform } from './stack';

/**
 * Trusted documents through real gateways over one platform and one registry: the platform's gateway logs unknown
 * documents, a second enforces, a third has them off. Manifests are published as `npm run documents:publish` does.
 */
let platform: Platform;
let registry: DataSource;
let enforcing: { url: string; stop(): Promise<void> };
let off: { url: string; stop(): Promise<void> };
let token: string;

const UNITS = 'query StationCount { units { totalCount } }';
const UNIT = 'query UnitById($id: ID!) { unit(id: $id) { id code name level } }';
const SHARED = 'query UnitNames { units(first: 3) { edges { node { name } } } }';
const manifestOf = (...documents: string[]) => parseManifest(Object.fromEntries(documents.map((text) => [documentHash(text), text])));

async function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as { data?: Record<string, unknown> | null; errors?: { message: string; extensions?: Record<string, unknown> }[] } };
}

/** GraphQL requests the subgraphs have served, from their own /metrics. */
async function subgraphCalls(): Promise<number> {
  let total = 0;
  for (const subgraph of Object.values(platform.subgraphs)) total += metricSample(await scrapeMetrics(subgraph.url), 'http_requests_total', { route: 'graphql' }) ?? 0;
  return total;
}

async function gatewayWith(config: Partial<Config>, documentsRefreshMs?: number) {
  const urls = Object.fromEntries(Object.entries(platform.subgraphs).map(([name, subgraph]) => [name, subgraph.url]));
  return startGateway({ ...platform.config, ...config }, { port: 0, subgraphUrls: urls, documentsRefreshMs });
}

beforeAll(async () => {
  platform = await startPlatform({ seed: 'demo', env: { TRUSTED_DOCUMENTS: 'log' } });
  registry = await openDocumentsDatabase(platform.config);
  await publishManifest(registry, manifestOf(UNITS, UNIT, SHARED), 'kz-console', '1.0.0');
  await publishManifest(registry, manifestOf(SHARED), 'kz-miniprogram', '3.2.0');
  // Its periodic check is an hour away: whatever it picks up during the tests came through LISTEN/NOTIFY.
  enforcing = await gatewayWith({ TRUSTED_DOCUMENTS: 'enforce' }, 3_600_000);
  off = await gatewayWith({ TRUSTED_DOCUMENTS: 'off' });
  token = await platform.tokenAs('RESIDENT');
});
afterAll(async () => {
  await enforcing?.stop();
  await off?.stop();
  await registry?.destroy();
  await platform?.stop();
});

describe('a registered document by id', () => {
  it('gives the same data as its text, in each id form', async () => {
    const variables = { id: '5' };
    const byText = await post(platform.gatewayUrl, { query: UNIT, variables });
    expect(byText.body.data).toMatchObject({ unit: { id: '5', code: 'KZ-HANFENG-YINGBIN' } });
    const hash = documentHash(UNIT);
    for (const url of [enforcing.url, off.url, platform.gatewayUrl]) {
      const byId = await post(url, { documentId: `sha256:${hash}`, variables });
      expect(byId).toEqual({ status: 200, body: byText.body });
      const apollo = await post(url, { variables, extensions: { persistedQuery: { version: 1, sha256Hash: hash } } });
      expect(apollo).toEqual({ status: 200, body: byText.body });
    }
    const get = await fetch(`${enforcing.url}?documentId=sha256:${hash}&variables=${encodeURIComponent(JSON.stringify(variables))}`, {
      headers: { authorization: `Bearer ${token}`, 'apollo-require-preflight': 'true' },
    });
    expect(await get.json()).toEqual(byText.body);
  });

  it('refuses documentId together with query text', async () => {
    const result = await post(enforcing.url, { documentId: `sha256:${documentHash(UNITS)}`, query: UNITS });
    expect(result.status).toBe(400);
    expect(result.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'documentId' });
  });
});

describe('TRUSTED_DOCUMENTS=enforce', () => {
  it('refuses free text and unknown ids with a coded 400 before any subgraph is called', async () => {
    const before = await subgraphCalls();
    const unknown = documentHash('query Unknown { units { totalCount } }');
    const freeText = await post(enforcing.url, { query: '{ units { totalCount } }' }, { 'accept-language': 'zh-CN' });
    expect(freeText.status).toBe(400);
    expect(freeText.body.errors?.[0]?.extensions).toEqual({ code: 'PERSISTED_DOCUMENT_REQUIRED' });
    expect(freeText.body.errors?.[0]?.message).toMatch(/只执行已登记的文档/);
    expect(freeText.body).not.toHaveProperty('data');
    for (const body of [{ documentId: `sha256:${unknown}` }, { extensions: { persistedQuery: { version: 1, sha256Hash: unknown } } }, { documentId: 'made-up' }]) {
      const result = await post(enforcing.url, body);
      expect(result.status).toBe(400);
      expect(result.body.errors?.[0]?.extensions?.code).toBe('PERSISTED_DOCUMENT_NOT_FOUND');
    }
    const introspection = await post(enforcing.url, { query: '{ __schema { queryType { name } } }' });
    expect(introspection.body.errors?.[0]?.extensions?.code).toBe('PERSISTED_DOCUMENT_REQUIRED');
    // An APQ registration (hash and text) of an unregistered operation is refused too.
    const registration = await post(enforcing.url, { query: 'query Sneaky { units { totalCount } }', extensions: { persistedQuery: { version: 1, sha256Hash: documentHash('query Sneaky { units { totalCount } }') } } });
    expect(registration.body.errors?.[0]?.extensions?.code).toBe('PERSISTED_DOCUMENT_NOT_FOUND');
    expect(await subgraphCalls()).toBe(before);
  });

  it('accepts the exact text of a registered document, and nothing else', async () => {
    const exact = await post(enforcing.url, { query: UNITS });
    expect(exact).toEqual({ status: 200, body: { data: { units: { totalCount: 15 } } } });
    const reformatted = await post(enforcing.url, { query: UNITS.replace('{ units', '{\n  units') });
    expect(reformatted.body.errors?.[0]?.extensions?.code).toBe('PERSISTED_DOCUMENT_REQUIRED');
  });
});

describe('TRUSTED_DOCUMENTS=log and off', () => {
  it('log: runs an unregistered document and counts it by client name', async () => {
    const client = { 'apollographql-client-name': 'kz-probe' };
    const counted = async () => metricSample(await scrapeMetrics(platform.gatewayUrl), 'gateway_unregistered_documents_total', { client_name: 'kz-probe', outcome: 'ran' }) ?? 0;
    const before = await counted();
    const result = await post(platform.gatewayUrl, { query: '{ units { totalCount } }' }, client);
    expect(result).toEqual({ status: 200, body: { data: { units: { totalCount: 15 } } } });
    expect(await counted()).toBe(before + 1);
    await post(platform.gatewayUrl, { query: UNITS }, client); // registered text: not counted
    expect(await counted()).toBe(before + 1);
  });

  it('off: ids still resolve, free text runs uncounted, and an unknown APQ hash tells Apollo clients to send the text', async () => {
    expect((await post(off.url, { documentId: `sha256:${documentHash(UNITS)}` })).body).toEqual({ data: { units: { totalCount: 15 } } });
    expect((await post(off.url, { query: '{ units { totalCount } }' })).body).toEqual({ data: { units: { totalCount: 15 } } });
    expect(metricSample(await scrapeMetrics(off.url), 'gateway_unregistered_documents_total')).toBeUndefined();
    const apq = await post(off.url, { extensions: { persistedQuery: { version: 1, sha256Hash: documentHash('{ __typename }') } } });
    expect(apq.body.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_SUPPORTED');
    const withText = await post(off.url, { query: '{ __typename }', extensions: { persistedQuery: { version: 1, sha256Hash: documentHash('{ __typename }') } } });
    expect(withText.body).toEqual({ data: { __typename: 'Query' } });
  });
});

describe('publishing', () => {
  it('reaches running gateways through the notification, without waiting for the periodic check', async () => {
    const text = 'query UnitLevels { units(first: 2) { edges { node { level } } } }';
    const id = { documentId: `sha256:${documentHash(text)}` };
    expect((await post(enforcing.url, id)).status).toBe(400);
    await publishManifest(registry, manifestOf(UNITS, text), 'kz-console', '1.1.0');
    await eventually(async () => (await post(enforcing.url, id)).status === 200, 5_000);
    expect((await post(enforcing.url, id)).body.data).toEqual({ units: { edges: [{ node: { level: 'CENTER' } }, { node: { level: 'INSTITUTE' } }] } });
  });

  it('is caught up by the periodic check when a notification is missed', async () => {
    const gateway = await gatewayWith({ TRUSTED_DOCUMENTS: 'enforce' }, 100);
    try {
      // Written as a publish would, but without NOTIFY (a notification lost in a reconnect or a failover).
      const text = 'query UnitCodes { units(first: 1) { edges { node { code } } } }';
      await registry.transaction(async (manager) => {
        await manager.query(`INSERT INTO app (name) VALUES ('kz-silent')`);
        await manager.query(`INSERT INTO app_version (app, version) VALUES ('kz-silent', '1')`);
        await manager.query('INSERT INTO document (hash, body) VALUES ($1, $2)', [documentHash(text), text]);
        await manager.query(`INSERT INTO app_version_document (app, version, hash) VALUES ('kz-silent', '1', $1)`, [documentHash(text)]);
        await manager.query('UPDATE registry_state SET revision = revision + 1');
      });
      await eventually(async () => (await post(gateway.url, { documentId: `sha256:${documentHash(text)}` })).status === 200, 5_000);
    } finally {
      await gateway.stop();
    }
  });

  it('reconnects a dropped notification connection and catches up on what it missed', async () => {
    const [dropped] = await registry.query(
      `SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE application_name = 'kz-gateway-documents' AND datname = current_database()`,
    );
    expect(dropped.n).toBeGreaterThanOrEqual(3); // one per gateway
    const text = 'query AfterReconnect { units(first: 1) { totalCount } }';
    await publishManifest(registry, manifestOf(text), 'kz-console', '1.3.0');
    await eventually(async () => (await post(enforcing.url, { query: text })).status === 200, 10_000);
  });

  it('is idempotent: the same manifest for the same version again changes nothing', async () => {
    const again = await publishManifest(registry, manifestOf(UNITS, UNIT, SHARED), 'kz-console', '1.0.0');
    expect(again).toMatchObject({ published: false, documents: 3, newDocuments: 0 });
    const [{ n }] = await registry.query(`SELECT count(*)::int AS n FROM app_version WHERE app = 'kz-console' AND version = '1.0.0'`);
    expect(n).toBe(1);
    // A new version sharing documents stores only what is new.
    const next = await publishManifest(registry, manifestOf(UNITS, 'query Tiny { units(first: 1) { totalCount } }'), 'kz-console', '1.2.0');
    expect(next).toMatchObject({ published: true, documents: 2, newDocuments: 1 });
  });

  it('refuses a conflicting body for a registered hash, and other documents for a published version, storing nothing', async () => {
    const [{ n: documentsBefore }] = await registry.query('SELECT count(*)::int AS n FROM document');
    const conflicting = parseManifest({ [documentHash(UNITS)]: 'query StationCount { units { totalCount edges { cursor } } }', [documentHash('query Fresh { __typename }')]: 'query Fresh { __typename }' });
    await expect(publishManifest(registry, conflicting, 'kz-console', '9.0.0')).rejects.toThrow(/registry holds another document under this hash/);
    const forged = parseManifest({ [documentHash('query A { __typename }')]: 'query B { __typename }' });
    await expect(publishManifest(registry, forged, 'kz-console', '9.0.1')).rejects.toThrow(/is not the sha256 of its document/);
    await expect(publishManifest(registry, manifestOf(UNITS), 'kz-console', '1.0.0')).rejects.toThrow(/published with other documents/);
    const [{ n: documentsAfter }] = await registry.query('SELECT count(*)::int AS n FROM document');
    expect(documentsAfter).toBe(documentsBefore);
    const [{ n: versions }] = await registry.query(`SELECT count(*)::int AS n FROM app_version WHERE version LIKE '9.%'`);
    expect(versions).toBe(0);
    await expect(registry.query(`UPDATE document SET body = 'query X { __typename }' WHERE hash = $1`, [documentHash(UNITS)])).rejects.toThrow(/document_hash_is_sha256_of_body/);
  });

  it('retiring a version refuses the documents only it held', async () => {
    const only = 'query RetiredOnly { units(first: 1) { totalCount } }';
    await publishManifest(registry, manifestOf(only, UNITS), 'kz-retiring', '0.9.0');
    await eventually(async () => (await post(enforcing.url, { query: only })).status === 200, 5_000);
    expect(await retireVersion(registry, 'kz-retiring', '0.9.0')).toEqual({ retired: true });
    expect(await retireVersion(registry, 'kz-retiring', '0.9.0')).toEqual({ retired: false });
    await eventually(async () => (await post(enforcing.url, { query: only })).status === 400, 5_000);
    expect((await post(enforcing.url, { query: UNITS })).status).toBe(200); // other versions still hold it
  });
});

describe('client identity in /metrics', () => {
  const requests = (text: string, labels: Record<string, string>) => metricSample(text, 'gateway_operation_requests_total', labels) ?? 0;

  it('counts requests, errors and latency per operation and client, from the headers or the manifest', async () => {
    await post(enforcing.url, { query: UNITS }, { 'apollographql-client-name': 'kz-console', 'apollographql-client-version': '1.0.0' });
    // By id without headers: the one app version that registered the document.
    await post(enforcing.url, { documentId: `sha256:${documentHash(UNIT)}`, variables: { id: '5' } });
    // A document two apps share, without headers: neither app can be told.
    await post(enforcing.url, { documentId: `sha256:${documentHash(SHARED)}` });
    // An error in the answer: a required variable missing.
    const client = { 'apollographql-client-name': 'kz-console', 'apollographql-client-version': '1.0.0' };
    expect((await post(enforcing.url, { query: UNIT, variables: {} }, client)).body.errors).toHaveLength(1);
    await post(enforcing.url, { query: '{ units { totalCount } }' }, { 'apollographql-client-name': 'kz-console', 'apollographql-client-version': '1.0.0' });
    const text = await scrapeMetrics(enforcing.url);
    expect(requests(text, { operation: 'StationCount', client_name: 'kz-console', client_version: '1.0.0' })).toBeGreaterThanOrEqual(1);
    expect(requests(text, { operation: 'UnitById', client_name: 'kz-console', client_version: '1.0.0' })).toBeGreaterThanOrEqual(1);
    expect(requests(text, { operation: 'UnitNames', client_name: '(unknown)', client_version: '(unknown)' })).toBe(1);
    expect(metricSample(text, 'gateway_operation_errors_total', { operation: 'UnitById', client_name: 'kz-console', client_version: '1.0.0' })).toBe(1);
    expect(metricSample(text, 'gateway_operation_errors_total', { operation: 'StationCount', client_name: 'kz-console', client_version: '1.0.0' })).toBeUndefined();
    expect(requests(text, { operation: '(unregistered)', client_name: 'kz-console', client_version: '1.0.0' })).toBe(1);
    expect(metricSample(text, 'gateway_operation_duration_seconds_count', { operation: 'UnitById', client_name: 'kz-console', client_version: '1.0.0' })).toBeGreaterThanOrEqual(1);
  });

  it('sanitises what clients send and bounds the label values', async () => {
    await post(off.url, { query: '{ __typename }' }, { 'apollographql-client-name': 'my app/"x"', 'apollographql-client-version': '2.0 beta' });
    for (let i = 0; i < 110; i += 1) await post(off.url, { query: `query Probe${i} { __typename }` }, { 'apollographql-client-name': `probe-${i}` });
    const text = await scrapeMetrics(off.url);
    expect(requests(text, { operation: '(anonymous)', client_name: 'my_app__x_', client_version: '2.0_beta' })).toBe(1);
    const operations = metricLabelValues(text, 'gateway_operation_requests_total', 'operation');
    const names = metricLabelValues(text, 'gateway_operation_requests_total', 'client_name');
    // 100 unregistered operation names at most, and 50 client names, then (other); registered ones are always shown.
    expect([...operations].filter((name) => !name.startsWith('(')).length).toBeLessThanOrEqual(100 + 3);
    expect(operations).toContain('(other)');
    const registered = ['kz-console', 'kz-miniprogram', 'kz-retiring', 'kz-silent'];
    expect([...names].filter((name) => !name.startsWith('(') && !registered.includes(name)).length).toBe(50);
    expect(names).toContain('(other)');
  });
});

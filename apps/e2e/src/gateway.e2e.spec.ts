import { UnsecuredJWT } from 'jose';
import { signClaims, signToken } from '@kz/auth';
import type { Config } from '@kz/config';
import { dropDatabase } from '@kz/db';
import { CLIENT_ERROR_CODES, RunningGateway, startGateway } from '@kz/gateway';
import { errorCodes, graphql, testConfig, uniqueName, uniqueQueuePrefix } from '@kz/testing';
import { Platform, startPlatform } from './stack';

let platform: Platform;
let resident: string;

beforeAll(async () => {
  platform = await startPlatform({ seed: 'demo' });
  resident = await platform.tokenAs('RESIDENT');
});
afterAll(() => platform.stop());

describe('tokens at the gateway', () => {
  const query = '{ units { totalCount } }';

  it('accepts a valid token', async () => {
    const result = await platform.query<{ units: { totalCount: number } }>(query, {}, { token: resident });
    expect(result.data!.units.totalCount).toBe(15);
  });

  it.each([
    ['expired', () => signToken(platform.config, { sub: 'p', roles: ['RESIDENT'] }, -60), 'expiredToken'],
    ['signed with another key', () => signToken({ ...platform.config, JWT_SECRET: 'z'.repeat(40) }, { sub: 'p', roles: ['RESIDENT'] }), 'invalidToken'],
    [
      'unsigned (alg: none)',
      async () =>
        new UnsecuredJWT({ roles: ['CENTER_ADMIN'], unitPath: '1' })
          .setSubject('p')
          .setIssuer(platform.config.JWT_ISSUER)
          .setAudience(platform.config.JWT_AUDIENCE)
          .setExpirationTime('1h')
          .encode(),
      'invalidToken',
    ],
    ['garbage', async () => 'not-a-token', 'invalidToken'],
  ])('refuses a token that is %s with 401 UNAUTHENTICATED', async (_case, makeToken, reason) => {
    const result = await platform.query(query, {}, { token: await makeToken() });
    expect(result.status).toBe(401);
    expect(result.errors?.[0]?.extensions).toEqual({ code: 'UNAUTHENTICATED', reason });
  });

  describe('with JWT_CLOCK_TOLERANCE_SECONDS=120', () => {
    let gateway: RunningGateway;
    let config: Config;
    beforeAll(async () => {
      config = testConfig({ JWT_CLOCK_TOLERANCE_SECONDS: '120', HOST: '127.0.0.1', QUEUE_PREFIX: uniqueQueuePrefix(), GATEWAY_RATE_LIMIT_PER_MINUTE: '0', MEDIA_DATABASE: uniqueName('media') });
      gateway = await startGateway(config, { port: 0 });
    });
    afterAll(async () => {
      await gateway.stop();
      await dropDatabase(config, config.MEDIA_DATABASE);
    });
    const expiredAgo = (seconds: number) => signToken(platform.config, { sub: 'p', roles: ['RESIDENT'] }, -seconds);

    it('accepts a token that expired within the tolerance (60 s ago), which the default 5 s refuses', async () => {
      const token = await expiredAgo(60);
      const tolerant = await graphql<{ __typename: string }>(gateway.url, '{ __typename }', {}, { token });
      expect({ status: tolerant.status, data: tolerant.data }).toEqual({ status: 200, data: { __typename: 'Query' } });
      const byDefault = await platform.query('{ __typename }', {}, { token });
      expect({ status: byDefault.status, extensions: byDefault.errors?.[0]?.extensions }).toEqual({
        status: 401,
        extensions: { code: 'UNAUTHENTICATED', reason: 'expiredToken' },
      });
    });

    it('refuses a token that expired beyond the tolerance (180 s ago) with 401 UNAUTHENTICATED', async () => {
      const result = await graphql(gateway.url, '{ __typename }', {}, { token: await expiredAgo(180) });
      expect(result.status).toBe(401);
      expect(result.errors?.[0]?.extensions).toEqual({ code: 'UNAUTHENTICATED', reason: 'expiredToken' });
    });
  });

  it('refuses an authorization header that is not a bearer token', async () => {
    const result = await platform.query(query, {}, { headers: { authorization: 'Basic dXNlcjpwYXNz' } });
    expect(result.status).toBe(401);
  });
});

describe('requests the gateway cannot run', () => {
  async function post(body: string, language?: string) {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (language) headers['accept-language'] = language;
    const response = await fetch(platform.gatewayUrl, { method: 'POST', headers, body });
    const json = (await response.json()) as { data?: unknown; errors?: { message: string; extensions?: { code?: unknown } }[] };
    return { status: response.status, ...json };
  }

  it.each([
    ['an operationName the document does not hold', { query: 'query A { __typename }', operationName: 'B' }, 'OPERATION_RESOLUTION_FAILURE'],
    ['an operationName for a document with only an anonymous operation', { query: '{ __typename }', operationName: 'A' }, 'OPERATION_RESOLUTION_FAILURE'],
    ['several operations and no operationName', { query: 'query A { __typename } query B { __typename }' }, 'OPERATION_RESOLUTION_FAILURE'],
    ['an operationName that is not a string', { query: 'query A { __typename }', operationName: 5 }, 'BAD_REQUEST'],
    ['no query', { variables: {} }, 'BAD_REQUEST'],
    ['a query that is not a string', { query: 5 }, 'BAD_REQUEST'],
    ['variables that are not an object', { query: '{ __typename }', variables: [1] }, 'BAD_REQUEST'],
    ['variables as a JSON string', { query: '{ __typename }', variables: '{}' }, 'BAD_REQUEST'],
    ['a body that is not an object', 5, 'BAD_REQUEST'],
    ['a syntax error', { query: '{ __typename ' }, 'GRAPHQL_PARSE_FAILED'],
    ['a field the graph does not have', { query: '{ nope }' }, 'GRAPHQL_VALIDATION_FAILED'],
    ['a subscription (the graph has none)', { query: 'subscription { __typename }' }, 'GRAPHQL_VALIDATION_FAILED'],
    ['a variable of the wrong type', { query: 'query($id: ID!) { unit(id: $id) { name } }', variables: { id: {} } }, 'BAD_USER_INPUT'],
  ])('answers %s with HTTP 400 and a documented code', async (_case, body, code) => {
    const result = await post(JSON.stringify(body));
    expect({ status: result.status, codes: result.errors?.map((error) => error.extensions?.code), data: result.data }).toEqual({
      status: 400,
      codes: [code],
      data: undefined,
    });
    expect(CLIENT_ERROR_CODES).toContain(code);
  });

  it('names the missing operation, in the caller’s language', async () => {
    const english = await post(JSON.stringify({ query: 'query A { __typename }', operationName: 'B' }));
    expect(english.errors?.[0]?.message).toBe('The document has no operation named "B".');
    const chinese = await post(JSON.stringify({ query: 'query A { __typename } query B { __typename }' }), 'zh-CN');
    expect(chinese.errors?.[0]?.message).toBe('请求的文档包含多个操作，请在 operationName 中指明要执行的操作。');
  });

  it('runs the named operation of a document with several', async () => {
    const result = await post(JSON.stringify({ query: 'query A { a: __typename } query B { b: __typename }', operationName: 'B' }));
    expect({ status: result.status, data: result.data }).toEqual({ status: 200, data: { b: 'Query' } });
  });

  it('answers an unregistered persisted query hash sent without its text with PERSISTED_QUERY_NOT_SUPPORTED (automatic persisted queries are off)', async () => {
    const result = await post(JSON.stringify({ extensions: { persistedQuery: { version: 1, sha256Hash: 'a'.repeat(64) } } }));
    expect(result.errors?.map((error) => error.extensions?.code)).toEqual(['PERSISTED_QUERY_NOT_SUPPORTED']);
  });
});

describe('the gateway to subgraph link', () => {
  it('keeps connections to a subgraph alive across requests', async () => {
    let opened = 0;
    const count = () => (opened += 1);
    platform.subgraphs.org.server.on('connection', count);
    try {
      for (let i = 0; i < 20; i += 1) {
        const result = await platform.query(`{ units(first: 1) { totalCount } }`, {}, { token: resident });
        expect(result.errors).toBeUndefined();
      }
    } finally {
      platform.subgraphs.org.server.off('connection', count);
    }
    expect(opened).toBeLessThanOrEqual(1);
  });

  it('forwards the request id and answers with it', async () => {
    const result = await platform.query(`{ units(first: 1) { totalCount } }`, {}, { token: resident, headers: { 'x-request-id': 'trace-42' } });
    expect(result.headers.get('x-request-id')).toBe('trace-42');
  });
});

describe('query limits', () => {
  it('refuses a query deeper than the limit, naming depth and limit', async () => {
    const deep = `{ units { edges { node { parent { parent { parent { children { edges { node { children { edges { node { name } } } } } } } } } } } } }`;
    const result = await platform.query(deep, {}, { token: resident });
    expect(result.status).toBe(400);
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'depth', max: 12 });
    expect(result.errors?.[0]?.message).toMatch(/levels deep; the limit is 12/);
  });

  it('refuses a query whose lists multiply past the cost limit, and explains in Chinese when asked', async () => {
    const costly = `{ units(first: 100) { edges { node { children(first: 100) { edges { node { teams(first: 100) { edges { node { name } } } } } } } } } }`;
    const result = await platform.query(costly, {}, { token: resident, language: 'zh-CN' });
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'cost' });
    expect(result.errors?.[0]?.message).toMatch(/估算成本/);
  });

  it('counts variables in the cost', async () => {
    const query = `query($n: Int) { units(first: $n) { edges { node { children(first: $n) { edges { node { teams(first: $n) { totalCount } } } } } } } }`;
    const cheap = await platform.query(query, { n: 5 }, { token: resident });
    expect(cheap.errors).toBeUndefined();
    const costly = await platform.query(query, { n: 100 }, { token: resident });
    expect(errorCodes(costly)).toEqual(['QUERY_TOO_COMPLEX']);
  });

  it('refuses too many aliases', async () => {
    const aliases = Array.from({ length: 60 }, (_, i) => `a${i}: units(first: 1) { totalCount }`).join(' ');
    const result = await platform.query(`{ ${aliases} }`, {}, { token: resident });
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'aliases' });
  });

  it('refuses a body over the size limit with 413', async () => {
    const result = await platform.query(`{ units { totalCount } }`, { padding: 'x'.repeat(200_000) }, { token: resident });
    expect(result.status).toBe(413);
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', max: 100_000 });
  });

  it('lets introspection through in development', async () => {
    const result = await platform.query<{ __schema: { queryType: { name: string } } }>(`{ __schema { queryType { name } } }`);
    expect(result.data!.__schema.queryType.name).toBe('Query');
  });
});

describe('subgraphs trust only the gateway', () => {
  const query = '{ units { totalCount } }';
  const claims = { sub: 'p-admin', roles: ['CENTER_ADMIN' as const], unitId: '1', unitPath: '1' };

  it('refuses a direct call without the signature', async () => {
    const result = await graphql(platform.subgraphs.org.url, query);
    expect(result.status).toBe(401);
    expect(errorCodes(result)).toEqual(['UNAUTHENTICATED']);
  });

  it('refuses an expired signature (a replayed request)', async () => {
    const headers = signClaims(platform.config.CLAIMS_SIGNING_SECRET, claims, { query, variables: {} }, Date.now() - 60_000);
    const result = await graphql(platform.subgraphs.org.url, query, {}, { headers });
    expect(result.status).toBe(401);
  });

  it('refuses altered claims', async () => {
    const headers = signClaims(platform.config.CLAIMS_SIGNING_SECRET, { ...claims, roles: ['RESIDENT'] }, { query, variables: {} });
    headers['x-kz-claims'] = Buffer.from(JSON.stringify(claims)).toString('base64url');
    const result = await graphql(platform.subgraphs.org.url, query, {}, { headers });
    expect(result.status).toBe(401);
  });

  it('refuses a signature made for another operation', async () => {
    const headers = signClaims(platform.config.CLAIMS_SIGNING_SECRET, claims, { query: '{ unit(id: "1") { name } }', variables: {} });
    const result = await graphql(platform.subgraphs.org.url, query, {}, { headers });
    expect(result.status).toBe(401);
  });

  it('accepts what the gateway signs', async () => {
    const headers = signClaims(platform.config.CLAIMS_SIGNING_SECRET, claims, { query, variables: {} });
    const result = await graphql<{ units: { totalCount: number } }>(platform.subgraphs.org.url, query, {}, { headers });
    expect(result.data!.units.totalCount).toBe(15);
  });
});

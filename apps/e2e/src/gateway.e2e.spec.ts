import { UnsecuredJWT } from 'jose';
import { signClaims, signToken } from '@kz/auth';
import { errorCodes, graphql } from '@kz/testing';
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

  it('refuses an authorization header that is not a bearer token', async () => {
    const result = await platform.query(query, {}, { headers: { authorization: 'Basic dXNlcjpwYXNz' } });
    expect(result.status).toBe(401);
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

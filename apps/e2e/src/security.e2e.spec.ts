import { signClaims, CLAIMS_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER } from '@kz/auth';
import { errorCodes, graphql } from '@kz/testing';
import { Platform, startPlatform } from './stack';

/**
 * Door checks that gateway.e2e.spec.ts does not already make: HTTP batching, the per-caller rate limit, and the
 * signed claims header checked by every subgraph (not only org), each refusal with its code.
 */
const RATE_LIMIT = 5;
let platform: Platform;

beforeAll(async () => {
  platform = await startPlatform({ env: { GATEWAY_RATE_LIMIT_PER_MINUTE: String(RATE_LIMIT) } });
});
afterAll(() => platform.stop());

/** A caller of its own per test, so that one test's requests never use up another's budget. */
let callers = 0;
const freshToken = () => platform.token({ sub: `p-security-${(callers += 1)}`, roles: ['RESIDENT'] });

async function post(body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(platform.gatewayUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as { errors?: { message: string; extensions?: Record<string, unknown> }[] } };
}

describe('HTTP batching', () => {
  it('refuses a JSON array of operations with 400 BAD_USER_INPUT (reason batch), in the caller’s language', async () => {
    const token = await freshToken();
    const batch = [{ query: '{ __typename }' }, { query: '{ __typename }' }];
    const result = await post(batch, { authorization: `Bearer ${token}`, 'accept-language': 'zh-CN' });
    expect(result.status).toBe(400);
    expect(result.body.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', reason: 'batch' });
    expect(result.body.errors?.[0]?.message).toMatch(/批量请求/);
    expect(result.body).not.toHaveProperty('data');
    // Even a batch of one is refused: the limits and the rate limit count one operation per request.
    expect((await post([{ query: '{ __typename }' }])).status).toBe(400);
  });

  it('still serves one operation per request', async () => {
    const result = await post({ query: '{ __typename }' }, { authorization: `Bearer ${await freshToken()}` });
    expect(result.status).toBe(200);
  });
});

describe('the per-caller rate limit at the gateway', () => {
  it(`lets ${RATE_LIMIT} requests a minute through per subject, then answers 429 RATE_LIMITED with Retry-After`, async () => {
    const token = await freshToken();
    for (let i = 0; i < RATE_LIMIT; i += 1) {
      const ok = await platform.query('{ __typename }', {}, { token });
      expect(ok.status).toBe(200);
      expect(ok.errors).toBeUndefined();
    }
    const refused = await platform.query('{ __typename }', {}, { token, language: 'zh-CN' });
    expect(refused.status).toBe(429);
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED', limit: RATE_LIMIT });
    expect(refused.errors?.[0]?.message).toMatch(/请求过于频繁/);
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(refused.errors?.[0]?.extensions?.retryAfterSeconds).toBe(retryAfter);
    expect(refused.data).toBeUndefined();

    // Another person is not held back by the first one's requests.
    const other = await platform.query('{ __typename }', {}, { token: await freshToken() });
    expect(other.status).toBe(200);
  });

  it('counts a mutation like a query and refuses it before it reaches a subgraph', async () => {
    const token = await freshToken();
    for (let i = 0; i < RATE_LIMIT; i += 1) await platform.query('{ __typename }', {}, { token });
    const before = await platform.volunteers.query('SELECT count(*)::int AS n FROM person');
    const refused = await platform.query(
      'mutation($input: SignUpInput!) { signUp(input: $input) { token } }',
      { input: { realName: '限流测试', mobile: '13800009999', idNumber: '500234199001011234', password: 'abc12345', homeUnitId: '1' } },
      { token },
    );
    expect(refused.status).toBe(429);
    expect(errorCodes(refused)).toEqual(['RATE_LIMITED']);
    expect(await platform.volunteers.query('SELECT count(*)::int AS n FROM person')).toEqual(before);
  });

  it('limits anonymous callers per IP address', async () => {
    const statuses: number[] = [];
    for (let i = 0; i <= RATE_LIMIT; i += 1) statuses.push((await platform.query('{ __typename }')).status);
    expect(statuses).toEqual([...Array(RATE_LIMIT).fill(200), 429]);
  });

  it('exposes refusals as a metric', async () => {
    const metricsUrl = platform.gatewayUrl.replace(/\/graphql$/, '/metrics');
    const text = await (await fetch(metricsUrl)).text();
    expect(text).toMatch(/gateway_rate_limited_total\{[^}]*\} [1-9]/);
  });
});

describe('query limits on mutations', () => {
  it('refuses a mutation document that aliases one mutation many times (a brute-force vector) before anything runs', async () => {
    const aliases = Array.from({ length: 60 }, (_, i) => `a${i}: signUp(input: $input) { token }`).join(' ');
    const before = await platform.volunteers.query('SELECT count(*)::int AS n FROM person');
    const result = await platform.query(
      `mutation($input: SignUpInput!) { ${aliases} }`,
      { input: { realName: '别名测试', mobile: '13800008888', idNumber: '500234199001011234', password: 'abc12345', homeUnitId: '1' } },
      { token: await freshToken() },
    );
    expect(result.status).toBe(400);
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'aliases', max: platform.config.MAX_ALIASES });
    expect(await platform.volunteers.query('SELECT count(*)::int AS n FROM person')).toEqual(before);
  });
});

describe('subgraph errors through the gateway', () => {
  it('passes on a subgraph’s refusal of a variable (HTTP 400 there) as BAD_USER_INPUT, without the subgraph’s URL or body', async () => {
    const result = await platform.query(
      'mutation($input: CreateRewardInput!) { createReward(input: $input) { id } }',
      { input: { name: '大米', kind: 'GOODS', price: 1, activeUntil: 'yesterday' } },
      { token: await platform.token({ sub: `p-security-${(callers += 1)}`, roles: ['CENTER_ADMIN'], unitId: '1', unitPath: '1' }) },
    );
    expect(errorCodes(result)).toEqual(['BAD_USER_INPUT']);
    expect(JSON.stringify(result.errors)).not.toMatch(/127\.0\.0\.1|localhost|"response"/);
  });
});

describe('every subgraph trusts only what the gateway signed', () => {
  const query = '{ __typename }';
  const claims = { sub: 'p-admin', roles: ['CENTER_ADMIN' as const], unitId: '1', unitPath: '1' };
  const subgraphs = ['org', 'volunteers', 'orders', 'points', 'notifications', 'analytics'] as const;
  const secret = () => platform.config.CLAIMS_SIGNING_SECRET;
  const sign = (operation: { query: string; variables: Record<string, unknown> }, now?: number) => signClaims(secret(), claims, operation, now);

  const tampered: [string, () => Record<string, string>][] = [
    ['no claims header at all', () => ({})],
    [
      'claims edited after signing (RESIDENT raised to CENTER_ADMIN)',
      () => {
        const headers = signClaims(secret(), { sub: 'p-admin', roles: ['RESIDENT'] }, { query, variables: {} });
        return { ...headers, [CLAIMS_HEADER]: Buffer.from(JSON.stringify(claims)).toString('base64url') };
      },
    ],
    ['an anonymous signature with claims swapped in', () => ({ ...signClaims(secret(), null, { query, variables: {} }), [CLAIMS_HEADER]: Buffer.from(JSON.stringify(claims)).toString('base64url') })],
    ['a replayed header (timestamp 60 s old)', () => sign({ query, variables: {} }, Date.now() - 60_000)],
    ['a timestamp from the future', () => sign({ query, variables: {} }, Date.now() + 60_000)],
    ['the timestamp edited after signing', () => ({ ...sign({ query, variables: {} }), [TIMESTAMP_HEADER]: String(Date.now() + 1) })],
    ['a digest of another operation', () => sign({ query: '{ __typename __typename }', variables: {} })],
    ['a digest of other variables', () => sign({ query, variables: { x: 1 } })],
    ['signed with another secret', () => signClaims('another-secret-that-is-long-enough-0123456789', claims, { query, variables: {} })],
    ['a truncated signature', () => {
      const headers = sign({ query, variables: {} });
      return { ...headers, [SIGNATURE_HEADER]: headers[SIGNATURE_HEADER]!.slice(0, 20) };
    }],
  ];

  it.each(subgraphs)('%s accepts the header the gateway would send (so the refusals below mean something)', async (name) => {
    const result = await graphql(platform.subgraphs[name].url, query, {}, { headers: sign({ query, variables: {} }) });
    expect(result.status).toBe(200);
    expect(result.errors).toBeUndefined();
  });

  describe.each(subgraphs)('%s', (name) => {
    it.each(tampered)('refuses %s with 401 UNAUTHENTICATED (gatewayOnly)', async (_case, headers) => {
      const result = await graphql(platform.subgraphs[name].url, query, {}, { headers: headers() });
      expect(result.status).toBe(401);
      expect(result.errors?.map((error) => error.extensions)).toEqual([{ code: 'UNAUTHENTICATED', reason: 'gatewayOnly' }]);
      expect(result.data).toBeUndefined();
    });
  });
});

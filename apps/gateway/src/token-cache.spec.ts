import { Claims, createJwtVerifier, signToken } from '@kz/auth';
import { Unauthenticated } from '@kz/errors';
import { cachingVerifier } from './token-cache';

const jwt = { JWT_SECRET: 's'.repeat(32), JWT_ISSUER: 'kz', JWT_AUDIENCE: 'kz-api', JWT_CLOCK_TOLERANCE_SECONDS: 5 };
const claims: Claims = { sub: '42', roles: ['RESIDENT'] };

/** The real verifier, counted, and a clock the test moves. */
function setup(max = 100) {
  const real = createJwtVerifier({ ...jwt, JWT_PUBLIC_KEY: undefined });
  let calls = 0;
  let clock = Date.now();
  const verify = cachingVerifier(
    async (token) => {
      calls += 1;
      return real(token);
    },
    { max, clockToleranceSeconds: jwt.JWT_CLOCK_TOLERANCE_SECONDS, now: () => clock },
  );
  return { verify, calls: () => calls, advance: (ms: number) => (clock += ms) };
}

describe('cachingVerifier', () => {
  it('verifies a token once and answers its next uses from the cache, each with a copy of the claims', async () => {
    const { verify, calls } = setup();
    const token = await signToken(jwt, claims);
    const first = await verify(token);
    first.roles.push('CENTER_ADMIN');
    first.sub = 'tampered';
    const second = await verify(token);
    expect(second).toEqual(claims);
    second.roles.push('CENTER_ADMIN');
    expect(await verify(token)).toEqual(claims);
    expect(calls()).toBe(1);
  });

  it('keeps no failure: a bad token goes to the verifier every time and fails every time', async () => {
    const { verify, calls } = setup();
    const token = await signToken(jwt, claims);
    const forged = `${token.slice(0, -2)}AA`;
    await expect(verify(forged)).rejects.toBeInstanceOf(Unauthenticated);
    await expect(verify(forged)).rejects.toBeInstanceOf(Unauthenticated);
    expect(calls()).toBe(2);
  });

  it('drops a token at the second the verifier calls it expired (exp plus the clock tolerance)', async () => {
    const { verify, calls, advance } = setup();
    const token = await signToken(jwt, claims, 60);
    await verify(token);
    advance(60_000); // past exp, within the tolerance: still valid, from the cache
    await verify(token);
    expect(calls()).toBe(1);
    // Past exp + 5 s on the cache's clock: not answered from the cache but sent to the verifier again (which, on the
    // real clock, still finds the token fresh, so the entry is kept again).
    advance(6_000);
    await verify(token);
    expect(calls()).toBe(2);
  });

  it('refuses an expired token as the verifier does, with nothing cached', async () => {
    const { verify } = setup();
    const token = await signToken(jwt, claims, -10);
    await expect(verify(token)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('keeps at most `max` tokens, the least recently used leaving first', async () => {
    const { verify, calls } = setup(2);
    const [a, b, c] = await Promise.all(['1', '2', '3'].map((sub) => signToken(jwt, { sub, roles: ['RESIDENT'] })));
    await verify(a!);
    await verify(b!);
    await verify(a!); // a is now the most recent
    await verify(c!); // b leaves
    expect(calls()).toBe(3);
    await verify(a!);
    await verify(c!);
    expect(calls()).toBe(3);
    await verify(b!);
    expect(calls()).toBe(4);
  });
});

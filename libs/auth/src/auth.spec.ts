import { generateKeyPairSync } from 'node:crypto';
import { SignJWT, UnsecuredJWT } from 'jose';
import { loadConfig } from '@kz/config';
import { DomainError } from '@kz/errors';
import { Actor, createJwtVerifier, signClaims, signToken, verifyClaims } from './index';

const config = loadConfig({ NODE_ENV: 'test' });
const verify = createJwtVerifier(config);
const admin = { sub: 'p-1', roles: ['STATION_ADMIN' as const], unitId: '12', unitPath: '1/3/12' };

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'OK';
  } catch (error) {
    return error instanceof DomainError ? `${error.code}:${error.params.reason}` : String(error);
  }
}

describe('bearer tokens', () => {
  it('accepts a token it signed and returns its claims', async () => {
    await expect(verify(await signToken(config, admin))).resolves.toEqual(admin);
  });

  it('refuses expired tokens, other keys, alg none and edited payloads', async () => {
    expect(await codeOf(verify(await signToken(config, admin, -60)))).toBe('UNAUTHENTICATED:expiredToken');
    const otherKey = await signToken({ ...config, JWT_SECRET: 'x'.repeat(40) }, admin);
    expect(await codeOf(verify(otherKey))).toBe('UNAUTHENTICATED:invalidToken');
    const unsecured = new UnsecuredJWT({ roles: ['CENTER_ADMIN'], unitPath: '1' })
      .setSubject('p-1')
      .setIssuer(config.JWT_ISSUER)
      .setAudience(config.JWT_AUDIENCE)
      .setExpirationTime('1h')
      .encode();
    expect(await codeOf(verify(unsecured))).toBe('UNAUTHENTICATED:invalidToken');
    const [header, , signature] = (await signToken(config, admin)).split('.');
    const forged = Buffer.from(JSON.stringify({ ...admin, roles: ['CENTER_ADMIN'] })).toString('base64url');
    expect(await codeOf(verify(`${header}.${forged}.${signature}`))).toBe('UNAUTHENTICATED:invalidToken');
  });

  it('accepts a token expired within JWT_CLOCK_TOLERANCE_SECONDS and refuses one expired beyond it', async () => {
    const tolerant = createJwtVerifier(loadConfig({ NODE_ENV: 'test', JWT_CLOCK_TOLERANCE_SECONDS: '120' }));
    await expect(tolerant(await signToken(config, admin, -60))).resolves.toEqual(admin);
    expect(await codeOf(tolerant(await signToken(config, admin, -180)))).toBe('UNAUTHENTICATED:expiredToken');
    const strict = createJwtVerifier(loadConfig({ NODE_ENV: 'test', JWT_CLOCK_TOLERANCE_SECONDS: '0' }));
    expect(await codeOf(strict(await signToken(config, admin, -60)))).toBe('UNAUTHENTICATED:expiredToken');
    expect(config.JWT_CLOCK_TOLERANCE_SECONDS).toBe(5);
  });

  it('refuses a staff token that does not say which unit it administers', async () => {
    expect(await codeOf(verify(await signToken(config, { sub: 'p-2', roles: ['STATION_ADMIN'] })))).toBe(
      'UNAUTHENTICATED:invalidToken',
    );
  });

  it('with a public key, accepts only tokens signed by its private key', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const verifyPublic = createJwtVerifier({ ...config, JWT_PUBLIC_KEY: pem });
    const token = await new SignJWT({ roles: ['RESIDENT'] })
      .setProtectedHeader({ alg: 'ES256' })
      .setSubject('p-9')
      .setIssuer(config.JWT_ISSUER)
      .setAudience(config.JWT_AUDIENCE)
      .setExpirationTime('1h')
      .sign(privateKey);
    await expect(verifyPublic(token)).resolves.toEqual({ sub: 'p-9', roles: ['RESIDENT'] });
    // An HS256 token made with the shared secret is not enough once a public key is configured.
    expect(await codeOf(verifyPublic(await signToken(config, admin)))).toBe('UNAUTHENTICATED:invalidToken');
  });
});

describe('signed claims between gateway and subgraphs', () => {
  const secret = config.CLAIMS_SIGNING_SECRET;
  const operation = { query: '{ unit(id: "1") { name } }', variables: { a: 1 } };
  const getter = (headers: Record<string, string>) => (name: string) => headers[name];
  const verifyHeaders = (headers: Record<string, string>, op = operation, now = Date.now()) => {
    try {
      return verifyClaims(secret, getter(headers), op, 30, now);
    } catch (error) {
      return (error as DomainError).code;
    }
  };

  it('carries the claims, or an anonymous caller, across', () => {
    expect(verifyHeaders(signClaims(secret, admin, operation))).toEqual(admin);
    expect(verifyHeaders(signClaims(secret, null, operation))).toBeNull();
  });

  it('refuses missing, altered, replayed or re-targeted headers', () => {
    const headers = signClaims(secret, admin, operation);
    expect(verifyHeaders({})).toBe('UNAUTHENTICATED');
    const promoted = Buffer.from(JSON.stringify({ ...admin, roles: ['CENTER_ADMIN'] })).toString('base64url');
    expect(verifyHeaders({ ...headers, 'x-kz-claims': promoted })).toBe('UNAUTHENTICATED');
    expect(verifyHeaders(headers, operation, Date.now() + 31_000)).toBe('UNAUTHENTICATED');
    expect(verifyHeaders(headers, { ...operation, variables: { a: 2 } })).toBe('UNAUTHENTICATED');
    expect(verifyHeaders(headers, { ...operation, query: 'mutation { x }' })).toBe('UNAUTHENTICATED');
    const other = signClaims('y'.repeat(40), admin, operation);
    expect(verifyHeaders(other)).toBe('UNAUTHENTICATED');
  });
});

describe('Actor scope', () => {
  it('lets staff act only inside their subtree, and the center admin anywhere', () => {
    const station = new Actor(admin);
    expect(station.inScope('1/3/12', ['STATION_ADMIN'])).toBe(true);
    expect(station.inScope('1/3/12/40', ['STATION_ADMIN'])).toBe(true);
    expect(station.inScope('1/3/120', ['STATION_ADMIN'])).toBe(false);
    expect(station.inScope('1/3', ['STATION_ADMIN'])).toBe(false);
    expect(station.inScope('1/3/12', ['INSTITUTE_ADMIN'])).toBe(false);
    const center = new Actor({ sub: 'p-0', roles: ['CENTER_ADMIN'], unitPath: '1' });
    expect(center.inScope('1/9/99', ['CENTER_ADMIN'])).toBe(true);
    expect(() => new Actor(null).requireScope('1', 'CENTER_ADMIN')).toThrow(/signed in/);
    expect(() => station.requireScope('1/4', 'STATION_ADMIN')).toThrow(/not allowed/);
  });
});

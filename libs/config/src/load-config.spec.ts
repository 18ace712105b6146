import { ConfigError, DEV_JWT_SECRET, loadConfig } from './index';

describe('loadConfig', () => {
  it('gives working defaults for local development', () => {
    const config = loadConfig({});
    expect(config.GATEWAY_PORT).toBe(4000);
    expect(config.PGHOST).toBe('127.0.0.1');
    expect(config.QUEUE_PREFIX).toBe('{kz}');
    expect(config.NODE_ENV).toBe('development');
  });

  it('coerces numbers and treats an empty value as unset', () => {
    const config = loadConfig({ ORG_PORT: '5001', PGPORT: '' });
    expect(config.ORG_PORT).toBe(5001);
    expect(config.PGPORT).toBe(5432);
  });

  it('stops with a message naming every bad variable', () => {
    expect(() => loadConfig({ ORG_PORT: 'abc', REDIS_URL: 'not a url' })).toThrow(ConfigError);
    try {
      loadConfig({ ORG_PORT: 'abc', REDIS_URL: 'not a url' });
    } catch (error) {
      const problems = (error as ConfigError).problems;
      expect(problems).toHaveLength(2);
      expect(problems).toEqual(
        expect.arrayContaining([expect.stringMatching(/^ORG_PORT: .*"abc"/), expect.stringMatching(/^REDIS_URL: /)]),
      );
    }
  });

  it('never prints the value of a secret', () => {
    expect(() => loadConfig({ JWT_SECRET: 'short-secret' })).toThrow(/JWT_SECRET: must be at least 32 characters$/m);
  });

  it('refuses the development secrets in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/CLAIMS_SIGNING_SECRET: the development default/);
    const ok = loadConfig({
      NODE_ENV: 'production',
      JWT_SECRET: 'p'.repeat(40),
      CLAIMS_SIGNING_SECRET: 'q'.repeat(40),
      PII_ENCRYPTION_KEY: 'ab'.repeat(32),
    });
    expect(ok.JWT_SECRET).not.toBe(DEV_JWT_SECRET);
  });

  it('requires the queue prefix to be a Redis Cluster hash tag', () => {
    expect(() => loadConfig({ QUEUE_PREFIX: 'kz' })).toThrow(/QUEUE_PREFIX: must be a Redis Cluster hash tag/);
  });
});

import { generateKeyPairSync } from 'node:crypto';
import { ConfigError, DEV_CERTIFICATE_SIGNING_KEY, DEV_JWT_SECRET, loadConfig } from './index';

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

  it('keeps the token clock tolerance between 0 and 300 seconds', () => {
    expect(loadConfig({}).JWT_CLOCK_TOLERANCE_SECONDS).toBe(5);
    expect(loadConfig({ JWT_CLOCK_TOLERANCE_SECONDS: '0' }).JWT_CLOCK_TOLERANCE_SECONDS).toBe(0);
    expect(() => loadConfig({ JWT_CLOCK_TOLERANCE_SECONDS: '301' })).toThrow(/- JWT_CLOCK_TOLERANCE_SECONDS: /);
    expect(() => loadConfig({ JWT_CLOCK_TOLERANCE_SECONDS: '-1' })).toThrow(/- JWT_CLOCK_TOLERANCE_SECONDS: /);
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
      CERTIFICATE_SIGNING_KEY: 'cd'.repeat(32),
    });
    expect(ok.JWT_SECRET).not.toBe(DEV_JWT_SECRET);
  });

  it('takes an Ed25519 certificate signing key as a hex seed or a PKCS#8 PEM, and refuses the development one in production', () => {
    const pem = generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    expect(loadConfig({ CERTIFICATE_SIGNING_KEY: pem }).CERTIFICATE_SIGNING_KEY).toBe(pem);
    expect(loadConfig({ CERTIFICATE_SIGNING_KEY: pem.replace(/\n/g, '\\n') }).CERTIFICATE_SIGNING_KEY).toContain('BEGIN PRIVATE KEY');
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    expect(() => loadConfig({ CERTIFICATE_SIGNING_KEY: rsa })).toThrow(/CERTIFICATE_SIGNING_KEY: must be an Ed25519 private key: PKCS#8 PEM or a 32-byte seed as 64 hex characters$/m);
    expect(() => loadConfig({ CERTIFICATE_RETIRED_PUBLIC_KEYS: 'abc' })).toThrow(/CERTIFICATE_RETIRED_PUBLIC_KEYS/);
    const production = { NODE_ENV: 'production', JWT_SECRET: 'p'.repeat(40), CLAIMS_SIGNING_SECRET: 'q'.repeat(40), PII_ENCRYPTION_KEY: 'ab'.repeat(32) };
    expect(() => loadConfig(production)).toThrow(/CERTIFICATE_SIGNING_KEY: the development default is refused/);
    expect(() => loadConfig({ ...production, CERTIFICATE_SIGNING_KEY: DEV_CERTIFICATE_SIGNING_KEY })).toThrow(/CERTIFICATE_SIGNING_KEY/);
    expect(loadConfig({ ...production, CERTIFICATE_SIGNING_KEY: pem }).NODE_ENV).toBe('production');
  });

  it('refuses the development webhook secret in production once a webhook is configured', () => {
    const production = { NODE_ENV: 'production', JWT_SECRET: 'p'.repeat(40), CLAIMS_SIGNING_SECRET: 'q'.repeat(40), PII_ENCRYPTION_KEY: 'ab'.repeat(32), CERTIFICATE_SIGNING_KEY: 'cd'.repeat(32) };
    expect(loadConfig(production).NOTIFICATION_WEBHOOK_URL).toBeUndefined();
    expect(() => loadConfig({ ...production, NOTIFICATION_WEBHOOK_URL: 'https://sms.example/send' })).toThrow(/NOTIFICATION_WEBHOOK_SECRET: the development default/);
    expect(loadConfig({ ...production, NOTIFICATION_WEBHOOK_URL: 'https://sms.example/send', NOTIFICATION_WEBHOOK_SECRET: 'w'.repeat(40) }).NOTIFICATION_WEBHOOK_SECRET).toBe('w'.repeat(40));
  });

  it('refuses a missing WeChat secret in production once WeChat is on, and reads templates as JSON', () => {
    const production = { NODE_ENV: 'production', JWT_SECRET: 'p'.repeat(40), CLAIMS_SIGNING_SECRET: 'q'.repeat(40), PII_ENCRYPTION_KEY: 'ab'.repeat(32), CERTIFICATE_SIGNING_KEY: 'cd'.repeat(32) };
    expect(loadConfig(production).WECHAT_APP_ID).toBeUndefined();
    expect(() => loadConfig({ ...production, WECHAT_APP_ID: 'wx1234567890abcdef' })).toThrow(/WECHAT_APP_SECRET: required/);
    expect(loadConfig({ ...production, WECHAT_APP_ID: 'wx1234567890abcdef', WECHAT_APP_SECRET: 's3cret' }).WECHAT_APP_SECRET).toBe('s3cret');
    expect(() => loadConfig({ ...production, WECHAT_APP_ID: 'wx1234567890abcdef', WECHAT_APP_SECRET: 's3cret' })).not.toThrow(/s3cret/);
    expect(loadConfig({ WECHAT_TEMPLATES: '{"order.dispatched":"tmpl-1","points.credited":{"id":"tmpl-2","data":{"thing1":"title","number2":"amount"}}}' }).WECHAT_TEMPLATES).toEqual({
      'order.dispatched': 'tmpl-1',
      'points.credited': { id: 'tmpl-2', data: { thing1: 'title', number2: 'amount' } },
    });
    expect(() => loadConfig({ WECHAT_TEMPLATES: 'order.dispatched=tmpl-1' })).toThrow(/WECHAT_TEMPLATES: must be a JSON object/);
    expect(() => loadConfig({ WECHAT_TEMPLATES: '{"order.dispatched":7}' })).toThrow(/WECHAT_TEMPLATES: must map notification kinds/);
  });

  it('reads the event subscriptions as JSON, with the retention defaults, and refuses anything else', () => {
    expect(loadConfig({}).EVENT_SUBSCRIPTIONS).toEqual([]);
    expect(loadConfig({ EVENT_SUBSCRIPTIONS: '[{"name":"warehouse","types":["order.*"],"maxEntries":500}]' }).EVENT_SUBSCRIPTIONS).toEqual([
      { name: 'warehouse', types: ['order.*'], maxEntries: 500, maxAgeSeconds: 7 * 24 * 3600 },
    ]);
    expect(() => loadConfig({ EVENT_SUBSCRIPTIONS: 'warehouse=order.*' })).toThrow(/EVENT_SUBSCRIPTIONS: must be a JSON array/);
    expect(() => loadConfig({ EVENT_SUBSCRIPTIONS: '[{"name":"warehouse","types":[]}]' })).toThrow(/EVENT_SUBSCRIPTIONS: must list subscriptions/);
  });

  it('reads the Open311 clients as JSON, GRID_WORKER by default, key hashes only', () => {
    const hash = 'a'.repeat(64);
    expect(loadConfig({}).OPEN311_CLIENTS).toEqual([]);
    expect(loadConfig({ OPEN311_CLIENTS: `[{"name":"city-app","keySha256":"${hash}","unitCode":"KZ-HANFENG-YINGBIN"}]` }).OPEN311_CLIENTS).toEqual([
      { name: 'city-app', keySha256: hash, unitCode: 'KZ-HANFENG-YINGBIN', role: 'GRID_WORKER' },
    ]);
    expect(() => loadConfig({ OPEN311_CLIENTS: '[{"name":"city-app","keySha256":"the-key-itself","unitCode":"X"}]' })).toThrow(/OPEN311_CLIENTS: must list clients.*keySha256/);
    expect(() => loadConfig({ OPEN311_CLIENTS: `[{"name":"city-app","keySha256":"${hash}","unitCode":"X","role":"VOLUNTEER"}]` })).toThrow(/OPEN311_CLIENTS: must list clients/);
    expect(() => loadConfig({ OPEN311_CLIENTS: '{}' })).toThrow(/OPEN311_CLIENTS: must list clients/);
  });

  it('takes a cheaper password hash outside production only', () => {
    const production = { NODE_ENV: 'production', JWT_SECRET: 'p'.repeat(40), CLAIMS_SIGNING_SECRET: 'q'.repeat(40), PII_ENCRYPTION_KEY: 'ab'.repeat(32), CERTIFICATE_SIGNING_KEY: 'cd'.repeat(32) };
    expect(loadConfig({}).PASSWORD_HASH_COST).toBe(15);
    expect(loadConfig({ PASSWORD_HASH_COST: '12' }).PASSWORD_HASH_COST).toBe(12);
    expect(() => loadConfig({ ...production, PASSWORD_HASH_COST: '12' })).toThrow(/PASSWORD_HASH_COST: below 15 is refused/);
    expect(loadConfig({ ...production, PASSWORD_HASH_COST: '16' }).PASSWORD_HASH_COST).toBe(16);
    expect(() => loadConfig({ PASSWORD_HASH_COST: '9' })).toThrow(/PASSWORD_HASH_COST/);
  });

  it('reads quiet hours as an Asia/Shanghai window or off', () => {
    expect(loadConfig({}).QUIET_HOURS).toBe('22:00-07:00');
    expect(loadConfig({ QUIET_HOURS: 'off' }).QUIET_HOURS).toBe('off');
    expect(() => loadConfig({ QUIET_HOURS: '22-7' })).toThrow(/QUIET_HOURS: must be HH:MM-HH:MM/);
  });

  it('requires the queue prefix to be a Redis Cluster hash tag', () => {
    expect(() => loadConfig({ QUEUE_PREFIX: 'kz' })).toThrow(/QUEUE_PREFIX: must be a Redis Cluster hash tag/);
  });
});

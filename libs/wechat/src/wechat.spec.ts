import IORedis from 'ioredis';
import { DomainError } from '@kz/errors';
import { deleteKeysWithPrefix, FakeWeChat, uniqueQueuePrefix } from '@kz/testing';
import { AccessTokenCache, classifySendFailure, toPlatformError, WeChatApiError, WeChatClient } from './index';

const redis = new IORedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: 1 });
const prefix = uniqueQueuePrefix();
let wechat: FakeWeChat;

beforeAll(async () => {
  wechat = await FakeWeChat.start();
});

afterAll(async () => {
  await wechat.stop();
  await deleteKeysWithPrefix(redis, prefix);
  redis.disconnect();
});


describe("WeChat's codes as the platform's", () => {
  const codeOf = (errcode: number | null) => toPlatformError(new WeChatApiError('code2Session', errcode, 'x')).code;

  it('reads an invalid or used code as UNAUTHENTICATED, the frequency limit as RATE_LIMITED, a blocked user as FORBIDDEN', () => {
    expect(codeOf(40029)).toBe('UNAUTHENTICATED');
    expect(codeOf(40163)).toBe('UNAUTHENTICATED');
    expect(codeOf(45011)).toBe('RATE_LIMITED');
    expect(codeOf(40226)).toBe('FORBIDDEN');
  });

  it('reads anything else, and no answer at all, as SERVICE_UNAVAILABLE', () => {
    for (const errcode of [-1, 40013, 40125, 61024, null]) expect(codeOf(errcode)).toBe('SERVICE_UNAVAILABLE');
    expect(toPlatformError(new Error('socket hang up')).code).toBe('SERVICE_UNAVAILABLE');
  });

  it('has an English and a Chinese message for each, and never WeChat’s own text', () => {
    for (const errcode of [40029, 45011, 40226, -1]) {
      const error = toPlatformError(new WeChatApiError('code2Session', errcode, 'secret-ish errmsg')) as DomainError;
      expect(error.localizedMessage('en')).toMatch(/WeChat/);
      expect(error.localizedMessage('zh-CN')).toMatch(/微信/);
      expect(error.localizedMessage('en')).not.toContain('secret-ish');
      expect(error.extensions.wechatErrcode).toBe(errcode);
    }
  });

  it('judges a subscribe-message failure: not subscribed is permanent, busy, rate and transport failures transient', () => {
    expect(classifySendFailure(new WeChatApiError('send', 43101, 'user refuse to accept the msg'))).toBe('permanent');
    expect(classifySendFailure(new WeChatApiError('send', 40003, 'invalid openid'))).toBe('permanent');
    expect(classifySendFailure(new WeChatApiError('send', -1, 'system error'))).toBe('transient');
    expect(classifySendFailure(new WeChatApiError('send', 45009, 'reach max api daily quota limit'))).toBe('transient');
    expect(classifySendFailure(new WeChatApiError('send', null, 'HTTP 502', 502))).toBe('transient');
    expect(classifySendFailure(new Error('timeout'))).toBe('transient');
  });
});

describe('the WeChat client against a WeChat stand-in', () => {
  it('exchanges a wx.login code once: the openid and unionid, never the session key; the code a second time is 40163', async () => {
    const client = new WeChatClient({ apiBase: wechat.url, appId: wechat.appId, appSecret: wechat.appSecret, timeoutMs: 2000, redis, prefix });
    const code = wechat.loginCode('o-first', 'u-first');
    const session = await client.code2Session(code);
    expect(session).toEqual({ openid: 'o-first', unionid: 'u-first' });
    expect(JSON.stringify(session)).not.toContain('session');
    await expect(client.code2Session(code)).rejects.toMatchObject({ errcode: 40163 });
    await expect(client.code2Session('never-issued')).rejects.toMatchObject({ errcode: 40029 });
  });

  it('never puts the AppSecret in an error (the one thing that might reach a log)', async () => {
    const secret = 'the-app-secret-itself';
    const errors = await Promise.all([
      new WeChatClient({ apiBase: wechat.url, appId: wechat.appId, appSecret: secret, timeoutMs: 2000, redis, prefix }).code2Session('c').catch((error: unknown) => error),
      new WeChatClient({ apiBase: 'http://127.0.0.1:9', appId: wechat.appId, appSecret: secret, timeoutMs: 2000, redis, prefix }).code2Session('c').catch((error: unknown) => error),
      new WeChatClient({ apiBase: wechat.url, appId: wechat.appId, appSecret: secret, timeoutMs: 2000, redis, prefix: `${prefix}:secret` }).phoneNumber('p').catch((error: unknown) => error),
    ]);
    for (const error of errors) {
      expect(error).toBeInstanceOf(WeChatApiError);
      expect(`${String(error)} ${JSON.stringify(error)} ${(error as Error).stack}`).not.toContain(secret);
    }
  });

  it('times out a WeChat that does not answer as a transport failure', async () => {
    const client = new WeChatClient({ apiBase: 'http://127.0.0.1:9', appId: wechat.appId, appSecret: 'x', timeoutMs: 500, redis, prefix });
    const failure = await client.code2Session('c').catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(WeChatApiError);
    expect((failure as WeChatApiError).errcode).toBeNull();
    expect(toPlatformError(failure).code).toBe('SERVICE_UNAVAILABLE');
  });
});

describe("the server's access token", () => {
  /** A client as one process builds it; `name` keeps each test's token apart (its own key prefix). */
  const fakeClient = (name: string, now?: () => number) =>
    new WeChatClient({ apiBase: wechat.url, appId: wechat.appId, appSecret: wechat.appSecret, timeoutMs: 2000, redis, prefix: `${prefix}:${name}`, now });

  it('is fetched once for many concurrent callers in several processes, and shared through Redis', async () => {
    const before = wechat.calls('stable_token').length;
    const processes = [fakeClient('shared'), fakeClient('shared'), fakeClient('shared')];
    const tokens = await Promise.all(processes.flatMap((client) => Array.from({ length: 20 }, () => client.tokens.get())));
    expect(new Set(tokens).size).toBe(1);
    expect(wechat.calls('stable_token').length - before).toBe(1);
    // The secret travels in the body, never in a URL.
    expect(wechat.calls('stable_token').at(-1)!.query).toEqual({});
    expect(wechat.calls('stable_token').at(-1)!.body).toMatchObject({ grant_type: 'client_credential', appid: wechat.appId, force_refresh: false });
  });

  it('is refreshed once 80 % of its life has passed, and not before', async () => {
    let now = Date.now();
    const client = fakeClient('ageing', () => now);
    const first = await client.tokens.get();
    now += 0.79 * wechat.expiresIn * 1000;
    expect(await client.tokens.get()).toBe(first);
    now += 0.02 * wechat.expiresIn * 1000;
    const second = await client.tokens.get();
    expect(second).not.toBe(first);
    expect(await fakeClient('ageing', () => now).tokens.get()).toBe(second);
  });

  it('is replaced (force_refresh) when WeChat refuses it with 40001, and the call is made again once', async () => {
    const client = fakeClient('revoked');
    const mobile = '13912345678';
    expect((await client.phoneNumber(wechat.phoneCode(mobile))).purePhoneNumber).toBe(mobile);
    const old = await client.tokens.get();
    wechat.revokeTokens();
    const fetches = wechat.calls('stable_token').length;
    expect((await client.phoneNumber(wechat.phoneCode(mobile))).purePhoneNumber).toBe(mobile);
    expect(wechat.calls('stable_token').length).toBe(fetches + 1);
    expect(wechat.calls('stable_token').at(-1)!.body).toMatchObject({ force_refresh: true });
    expect(await client.tokens.get()).not.toBe(old);
    // A second process that still held the old token gets the new one from Redis, not a fetch of its own.
    expect(await fakeClient('revoked').tokens.invalidate(old)).toBe(await client.tokens.get());
    expect(wechat.calls('stable_token').length).toBe(fetches + 1);
  });

  it('is fetched by one process while the others wait for it, even when none is cached', async () => {
    let fetches = 0;
    const caches = Array.from({ length: 4 }, () =>
      new AccessTokenCache({
        redis,
        prefix,
        appId: 'waiting',
        fetchToken: async () => {
          fetches += 1;
          await new Promise((resolve) => setTimeout(resolve, 200));
          return { accessToken: 'slow-token', expiresIn: 7200 };
        },
      }),
    );
    expect(await Promise.all(caches.map((cache) => cache.get()))).toEqual(['slow-token', 'slow-token', 'slow-token', 'slow-token']);
    expect(fetches).toBe(1);
  });
});

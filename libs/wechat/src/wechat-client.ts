import type { Redis } from 'ioredis';
import type { SharedStore } from '@kz/events';
import { AccessTokenCache } from './access-token';
import { WeChatApiError } from './wechat-errors';

export interface WeChatClientOptions {
  apiBase: string;
  appId: string;
  /** The AppSecret: sent in request bodies only (never in a URL, so never in an access log), never logged. */
  appSecret: string;
  timeoutMs: number;
  /** Where the access token is shared: Redis, or the queue backend's shared store (`QUEUE_BACKEND`). */
  redis: Redis | SharedStore;
  prefix: string;
  now?: () => number;
}

/** What `code2Session` tells the server. `sessionKey` stays on the server: nothing here stores or returns it further. */
export interface WeChatSession {
  openid: string;
  unionid: string | null;
}

export interface WeChatPhone {
  /** With the country code when not mainland China, e.g. `13800138000` or `+85261234567`. */
  phoneNumber: string;
  purePhoneNumber: string;
  countryCode: string;
}

export interface SubscribeMessage {
  touser: string;
  templateId: string;
  /** Keyword → value, e.g. `{ thing1: '新订单' }` (WeChat's `{ thing1: { value } }` is built here). */
  data: Record<string, string>;
  page?: string;
}

type Json = Record<string, unknown> & { errcode?: number; errmsg?: string };

/**
 * The one module that knows WeChat's URLs and answers: `code2Session`, the phone number of a `getPhoneNumber` code,
 * subscribe messages, and the server's access token (shared through Redis, see `AccessTokenCache`). Failures are
 * thrown as `WeChatApiError` with WeChat's `errcode` (null for timeouts, lost connections and 5xx); callers turn them
 * into platform codes (`toPlatformError`, `classifySendFailure`). A call refused for its access token (40001/42001) is
 * repeated once with a fresh one.
 */
export class WeChatClient {
  readonly tokens: AccessTokenCache;

  constructor(private readonly options: WeChatClientOptions) {
    this.tokens = new AccessTokenCache({
      redis: options.redis,
      prefix: options.prefix,
      appId: options.appId,
      now: options.now,
      fetchToken: (force) => this.fetchAccessToken(force),
    });
  }

  /** `GET /sns/jscode2session`: the openid (and unionid) of a `wx.login` code. The code works once. */
  async code2Session(code: string): Promise<WeChatSession> {
    const query = new URLSearchParams({ appid: this.options.appId, secret: this.options.appSecret, js_code: code, grant_type: 'authorization_code' });
    // WeChat takes the secret only in this query string: the URL is never logged, and errors name the API, not the URL.
    const body = await this.call('code2Session', `/sns/jscode2session?${query}`, { method: 'GET' });
    if (typeof body.openid !== 'string' || body.openid.length === 0) throw new WeChatApiError('code2Session', null, 'no openid in the answer');
    return { openid: body.openid, unionid: typeof body.unionid === 'string' && body.unionid ? body.unionid : null };
  }

  /** `POST /wxa/business/getuserphonenumber`: the phone number behind a `getPhoneNumber` code. */
  async phoneNumber(phoneCode: string): Promise<WeChatPhone> {
    const body = await this.withToken((token) =>
      this.call('getuserphonenumber', `/wxa/business/getuserphonenumber?access_token=${encodeURIComponent(token)}`, {
        method: 'POST',
        body: JSON.stringify({ code: phoneCode }),
      }),
    );
    const info = body.phone_info as Partial<WeChatPhone> | undefined;
    if (!info?.purePhoneNumber) throw new WeChatApiError('getuserphonenumber', null, 'no phone_info in the answer');
    return { phoneNumber: info.phoneNumber ?? info.purePhoneNumber, purePhoneNumber: info.purePhoneNumber, countryCode: info.countryCode ?? '86' };
  }

  /** `POST /cgi-bin/message/subscribe/send`: one subscribe message to one openid. */
  async sendSubscribeMessage(message: SubscribeMessage): Promise<void> {
    const data = Object.fromEntries(Object.entries(message.data).map(([keyword, value]) => [keyword, { value }]));
    await this.withToken((token) =>
      this.call('subscribeMessage.send', `/cgi-bin/message/subscribe/send?access_token=${encodeURIComponent(token)}`, {
        method: 'POST',
        body: JSON.stringify({ touser: message.touser, template_id: message.templateId, ...(message.page ? { page: message.page } : {}), data, lang: 'zh_CN' }),
      }),
    );
  }

  /** `POST /cgi-bin/stable_token` (the secret in the body); `force_refresh` after WeChat refused the one we had. */
  private async fetchAccessToken(force: boolean): Promise<{ accessToken: string; expiresIn: number }> {
    const body = await this.call('stable_token', '/cgi-bin/stable_token', {
      method: 'POST',
      body: JSON.stringify({ grant_type: 'client_credential', appid: this.options.appId, secret: this.options.appSecret, force_refresh: force }),
    });
    if (typeof body.access_token !== 'string' || typeof body.expires_in !== 'number') throw new WeChatApiError('stable_token', null, 'no access_token in the answer');
    return { accessToken: body.access_token, expiresIn: body.expires_in };
  }

  private async withToken(call: (token: string) => Promise<Json>): Promise<Json> {
    const token = await this.tokens.get();
    try {
      return await call(token);
    } catch (error) {
      if (!(error instanceof WeChatApiError) || !error.tokenRejected) throw error;
      return call(await this.tokens.invalidate(token));
    }
  }

  private async call(api: string, path: string, init: { method: 'GET' | 'POST'; body?: string }): Promise<Json> {
    let response: Response;
    try {
      response = await fetch(new URL(path, this.options.apiBase), {
        method: init.method,
        headers: init.body ? { 'content-type': 'application/json' } : {},
        body: init.body,
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
    } catch (error) {
      const name = (error as Error).name;
      if (name === 'TimeoutError' || name === 'AbortError') throw new WeChatApiError(api, null, `no answer within ${this.options.timeoutMs} ms`);
      const cause = (error as { cause?: { code?: string } }).cause?.code;
      throw new WeChatApiError(api, null, `unreachable (${cause ?? 'fetch failed'})`);
    }
    const text = await response.text().catch(() => '');
    if (!response.ok) throw new WeChatApiError(api, null, text.slice(0, 200), response.status);
    let body: Json;
    try {
      body = JSON.parse(text) as Json;
    } catch {
      throw new WeChatApiError(api, null, 'the answer is not JSON', response.status);
    }
    if (typeof body.errcode === 'number' && body.errcode !== 0) throw new WeChatApiError(api, body.errcode, String(body.errmsg ?? ''));
    return body;
  }
}

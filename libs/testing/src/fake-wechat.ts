import { once } from 'node:events';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the fake received: the API's path, its query and its JSON body. */
export interface WeChatRequest {
  path: string;
  query: Record<string, string>;
  body: Record<string, unknown>;
}

type Answer = { status?: number; json?: Record<string, unknown> };

/**
 * A local stand-in for WeChat's server API on 127.0.0.1 (port 0), answering as WeChat documents it:
 * `GET /sns/jscode2session` (`{openid, session_key, unionid}`; an unknown code 40029, a used one 40163),
 * `POST /cgi-bin/stable_token` and `GET /cgi-bin/token` (`{access_token, expires_in}`),
 * `POST /wxa/business/getuserphonenumber` (`{errcode: 0, phone_info: {phoneNumber, purePhoneNumber, countryCode}}`) and
 * `POST /cgi-bin/message/subscribe/send` (`{errcode: 0, errmsg: 'ok'}`). Calls with a token it did not issue (or one
 * revoked) answer 40001. Tests script errors per API with `failNext`.
 */
export class FakeWeChat {
  readonly requests: WeChatRequest[] = [];
  /** Subscribe messages accepted (errcode 0), as sent. */
  readonly messages: { touser: string; template_id: string; page?: string; data: Record<string, { value: string }> }[] = [];
  expiresIn = 7200;
  private server!: Server;
  private readonly codes = new Map<string, { openid: string; unionid?: string; used: boolean }>();
  private readonly phoneCodes = new Map<string, string>();
  private readonly validTokens = new Set<string>();
  private readonly script = new Map<string, Answer[]>();
  private serial = 0;
  url = '';

  constructor(
    readonly appId: string,
    readonly appSecret: string,
  ) {}

  static async start(appId = 'wxfake0123456789', appSecret = 'fake-wechat-secret'): Promise<FakeWeChat> {
    const fake = new FakeWeChat(appId, appSecret);
    fake.server = createServer((request, response) => void fake.handle(request, response));
    fake.server.listen(0, '127.0.0.1');
    await once(fake.server, 'listening');
    fake.url = `http://127.0.0.1:${(fake.server.address() as AddressInfo).port}`;
    return fake;
  }

  /** A fresh `wx.login` code for a WeChat user (it works once). */
  loginCode(openid: string, unionid?: string): string {
    const code = `code-${(this.serial += 1)}-${openid}`;
    this.codes.set(code, { openid, unionid, used: false });
    return code;
  }

  /** A fresh `getPhoneNumber` code for a mainland number. */
  phoneCode(mobile: string): string {
    const code = `phone-${(this.serial += 1)}`;
    this.phoneCodes.set(code, mobile);
    return code;
  }

  /** The next `times` calls of `api` (`jscode2session`, `stable_token`, `getuserphonenumber`, `send`) get `errcode` (or an HTTP status). */
  failNext(api: string, times: number, failure: { errcode: number } | { status: number }): void {
    const answers = this.script.get(api) ?? [];
    for (let i = 0; i < times; i += 1) {
      answers.push('errcode' in failure ? { json: { errcode: failure.errcode, errmsg: `scripted ${failure.errcode}` } } : { status: failure.status, json: {} });
    }
    this.script.set(api, answers);
  }

  /** WeChat forgets every token it issued (another server fetched a new one with force_refresh, say). */
  revokeTokens(): void {
    this.validTokens.clear();
  }

  /** Requests to one API (the last part of the path: `jscode2session`, `stable_token`, `send`…). */
  calls(api: string): WeChatRequest[] {
    return this.requests.filter((request) => request.path.endsWith(`/${api}`));
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    this.server.close();
    await once(this.server, 'close');
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const url = new URL(request.url ?? '/', 'http://fake');
    let body: Record<string, unknown> = {};
    try {
      body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {};
    } catch {
      return this.reply(response, { json: { errcode: 47001, errmsg: 'data format error' } });
    }
    const request_: WeChatRequest = { path: url.pathname, query: Object.fromEntries(url.searchParams), body };
    this.requests.push(request_);
    const api = url.pathname.split('/').pop()!;
    const scripted = this.script.get(api)?.shift();
    if (scripted) return this.reply(response, scripted);
    this.reply(response, { json: this.answer(api, request_) });
  }

  private answer(api: string, { query, body }: WeChatRequest): Record<string, unknown> {
    switch (api) {
      case 'jscode2session': {
        if (query.appid !== this.appId || query.secret !== this.appSecret) return { errcode: 40125, errmsg: 'invalid appsecret' };
        const code = this.codes.get(query.js_code ?? '');
        if (!code) return { errcode: 40029, errmsg: 'invalid code' };
        if (code.used) return { errcode: 40163, errmsg: 'code been used' };
        code.used = true;
        return { openid: code.openid, session_key: `session-key-of-${code.openid}`, ...(code.unionid ? { unionid: code.unionid } : {}) };
      }
      case 'token':
      case 'stable_token': {
        const appid = api === 'token' ? query.appid : body.appid;
        const secret = api === 'token' ? query.secret : body.secret;
        if (appid !== this.appId || secret !== this.appSecret) return { errcode: 40125, errmsg: 'invalid appsecret' };
        const token = `token-${(this.serial += 1)}`;
        this.validTokens.add(token);
        return { access_token: token, expires_in: this.expiresIn };
      }
      case 'getuserphonenumber':
      case 'send': {
        if (!this.validTokens.has(query.access_token ?? '')) return { errcode: 40001, errmsg: 'invalid credential, access_token is invalid or not latest' };
        if (api === 'send') {
          this.messages.push(body as (typeof this.messages)[number]);
          return { errcode: 0, errmsg: 'ok' };
        }
        const mobile = this.phoneCodes.get(String(body.code ?? ''));
        if (!mobile) return { errcode: 40029, errmsg: 'invalid code' };
        return { errcode: 0, errmsg: 'ok', phone_info: { phoneNumber: mobile, purePhoneNumber: mobile, countryCode: '86', watermark: { timestamp: 0, appid: this.appId } } };
      }
      default:
        return { errcode: 40066, errmsg: 'invalid url' };
    }
  }

  private reply(response: ServerResponse, answer: Answer): void {
    response.writeHead(answer.status ?? 200, { 'content-type': 'application/json' });
    response.end(JSON.stringify(answer.json ?? {}));
  }
}

import { DomainError, ServiceUnavailable } from '@kz/errors';

/** WeChat's `errcode`s this platform acts on (developers.weixin.qq.com, 服务端 API 全局返回码). */
export const WECHAT_ERRCODES = {
  SYSTEM_BUSY: -1,
  INVALID_ACCESS_TOKEN: 40001,
  INVALID_CODE: 40029,
  CODE_USED: 40163,
  USER_BLOCKED: 40226,
  ACCESS_TOKEN_EXPIRED: 42001,
  SUBSCRIBE_RATE: 45009,
  FREQUENCY_LIMIT: 45011,
  NOT_SUBSCRIBED: 43101,
} as const;

/** An answer of WeChat's API with a non-zero `errcode`, or no usable answer at all (`errcode` null). */
export class WeChatApiError extends Error {
  constructor(
    readonly api: string,
    readonly errcode: number | null,
    readonly errmsg: string,
    /** The HTTP status, when the failure is one (5xx); undefined for errcode answers and transport failures. */
    readonly status?: number,
  ) {
    super(`WeChat ${api}: ${errcode ?? (status ? `HTTP ${status}` : 'unreachable')} ${errmsg}`.trim());
    this.name = 'WeChatApiError';
  }

  /** A token WeChat no longer takes: refresh it and try once more. */
  get tokenRejected(): boolean {
    return this.errcode === WECHAT_ERRCODES.INVALID_ACCESS_TOKEN || this.errcode === WECHAT_ERRCODES.ACCESS_TOKEN_EXPIRED;
  }
}

/**
 * WeChat's failures as the platform's codes, for sign-in and phone binding: an invalid or used code is
 * UNAUTHENTICATED (ask wx.login again), WeChat's frequency limit RATE_LIMITED, a user WeChat blocked FORBIDDEN, anything
 * else (a busy system, a transport failure, a code we do not know) SERVICE_UNAVAILABLE. Nothing of WeChat's own text
 * reaches the client; the errcode does, as `wechatErrcode`, for support.
 */
export function toPlatformError(error: unknown): DomainError {
  if (error instanceof DomainError) return error;
  const errcode = error instanceof WeChatApiError ? error.errcode : null;
  const extra = errcode === null ? {} : { wechatErrcode: errcode };
  switch (errcode) {
    case WECHAT_ERRCODES.INVALID_CODE:
    case WECHAT_ERRCODES.CODE_USED:
      return new DomainError('UNAUTHENTICATED', 'wechat.invalidCode', { reason: 'wechatCode', ...extra });
    case WECHAT_ERRCODES.FREQUENCY_LIMIT:
      return new DomainError('RATE_LIMITED', 'wechat.rateLimited', { retryAfterSeconds: 60, ...extra });
    case WECHAT_ERRCODES.USER_BLOCKED:
      return new DomainError('FORBIDDEN', 'wechat.blocked', extra);
    default:
      return new ServiceUnavailable('wechat.unavailable', extra);
  }
}

/** How a failed subscribe-message send is judged by the notification worker. */
export function classifySendFailure(error: unknown): 'transient' | 'permanent' {
  if (!(error instanceof WeChatApiError)) return 'transient';
  if (error.errcode === null) return 'transient'; // timeout, no connection, 5xx
  if (error.errcode === WECHAT_ERRCODES.SYSTEM_BUSY || error.errcode === WECHAT_ERRCODES.SUBSCRIBE_RATE || error.errcode === WECHAT_ERRCODES.FREQUENCY_LIMIT) {
    return 'transient';
  }
  // A token still refused after one refresh is WeChat's trouble or ours for a while, not the message's.
  if (error.tokenRejected) return 'transient';
  return 'permanent'; // 43101 not subscribed / refused, 40003 bad openid, 40037 bad template, 47003 bad data…
}

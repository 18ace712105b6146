export { AccessTokenCache } from './access-token';
export type { AccessTokenCacheOptions } from './access-token';
export { WeChatClient } from './wechat-client';
export type { SubscribeMessage, WeChatClientOptions, WeChatPhone, WeChatSession } from './wechat-client';
export { classifySendFailure, toPlatformError, WeChatApiError, WECHAT_ERRCODES } from './wechat-errors';

export { variables, DEV_CERTIFICATE_SIGNING_KEY, DEV_CLAIMS_SECRET, DEV_JWT_SECRET, DEV_PII_KEY, DEV_WEBHOOK_SECRET, DEV_WECHAT_APP_SECRET } from './variables';
export type { Config, Variable, WeChatTemplate } from './variables';
export { ConfigError, loadConfig, loadConfigOrExit, configTableMarkdown } from './load-config';
export { DEVELOPMENT_ORIGINS, originAllowed, OriginPatternError, parseOriginList, parseOriginPattern } from './origins';
export type { OriginPattern } from './origins';
export { parseTrustedProxies, TrustedProxies, TrustedProxyError, unmapIPv4 } from './proxies';

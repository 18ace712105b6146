export { variables, DEV_CLAIMS_SECRET, DEV_JWT_SECRET, DEV_PII_KEY, DEV_WEBHOOK_SECRET } from './variables';
export type { Config, Variable } from './variables';
export { ConfigError, loadConfig, loadConfigOrExit, configTableMarkdown } from './load-config';

export { startConsole, contentSecurityPolicy } from './server';
export type { ConsoleOptions, RunningConsole } from './server';
export { buildConsoleAssets, BUNDLE_BUDGET_BYTES } from './bundle';
export type { ConsoleAssets } from './bundle';
export { CONSOLE_RELEASE } from './release';

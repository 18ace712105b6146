export { createHttpApp, readinessBody, REQUEST_ID_HEADER } from './server';
export { cachedReport, runChecks } from './readiness';
export type { ReadinessCheck, RunChecksOptions } from './readiness';
export type { HttpApp, HttpAppOptions, HealthReport, ParsedRequest, RequestHandler } from './server';
export { executeApollo } from './apollo';
export { sendError, sendJson } from './json-error';
export { readBody, BodyTooLarge } from './body';
export { runMain } from './run-main';
export { appFile, loadSchemaFile } from './app-file';

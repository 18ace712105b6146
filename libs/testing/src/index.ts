export { uniqueName, uniqueQueuePrefix } from './names';
export { testConfig, createTestDatabase } from './databases';
export type { TestDatabase } from './databases';
export { PrivateRedis, freePort, deleteKeysWithPrefix } from './redis-server';
export { graphql, signedSubgraphRequest, errorCodes } from './graphql-client';
export type { GraphQLResult, RequestOptions } from './graphql-client';
export { startStack } from './stack';
export type { Stack, StackOptions, RunningSubgraphLike, Stoppable } from './stack';

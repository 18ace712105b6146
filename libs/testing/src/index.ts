export { uniqueName, uniqueQueuePrefix } from './names';
export { testConfig, createTestDatabase } from './databases';
export type { TestDatabase } from './databases';
export { PrivateRedis, freePort, deleteKeysWithPrefix } from './redis-server';

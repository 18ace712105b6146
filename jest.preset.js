// Shared Jest settings for every project. Tests run TypeScript through ts-jest in transpile-only mode
// (type checking is `npm run typecheck`, once for the whole workspace) and resolve the `@kz/*` libs from source.
const path = require('node:path');
const { compilerOptions } = require('./tsconfig.base.json');

const root = __dirname;
const moduleNameMapper = Object.fromEntries(
  Object.entries(compilerOptions.paths).map(([alias, [target]]) => [`^${alias}$`, path.join(root, target)]),
);

module.exports = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: path.join(root, 'tsconfig.base.json'), diagnostics: false }],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper,
  testMatch: ['**/*.spec.ts'],
  // Integration tests start servers and talk to Postgres and Redis; never sleep in them. The limit only catches a test
  // that hangs: on a machine loaded by other work a whole platform's start or a 200-way race takes several times as
  // long as alone, and how fast things are belongs to `npm run bench`, not to a test's deadline.
  testTimeout: 120_000,
};

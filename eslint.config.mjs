import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

const DEP_CONSTRAINTS = [
  // Apps are deployed on their own: they may use libs, never another app.
  { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib'] },
  { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib'] },
  { sourceTag: 'type:e2e', onlyDependOnLibsWithTags: ['type:lib', 'type:app'] },
  { sourceTag: 'type:tool', onlyDependOnLibsWithTags: ['type:lib', 'type:app'] },
];

const APP_ENTRY_POINTS = [
  '@kz/gateway',
  '@kz/console',
  '@kz/org-subgraph',
  '@kz/volunteers-subgraph',
  '@kz/orders-subgraph',
  '@kz/points-subgraph',
  '@kz/notifications-subgraph',
  '@kz/analytics-subgraph',
  '@kz/dispatch-worker',
  '@kz/notification-worker',
  '@kz/analytics-worker',
  '@kz/ops-dashboard',
];

export default [
  { ignores: ['**/node_modules/**', '**/dist/**', '**/.nx/**', 'docs/**', 'tmp/**', 'libs/client/src/generated/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { '@nx': nx },
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: DEP_CONSTRAINTS,
        },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    // End-to-end tests and developer tools start apps in-process, so only they may import an app's entry point.
    files: ['apps/e2e/**/*.ts', 'tools/**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: APP_ENTRY_POINTS,
          depConstraints: DEP_CONSTRAINTS,
        },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
];

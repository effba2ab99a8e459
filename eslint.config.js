// Lint rules that protect the design: workflow code stays deterministic and
// sandbox-safe, and no promise is left floating.
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((name) => `node:${name}`)];

export default tseslint.config(
  { ignores: ['node_modules/', '.baton/', '.serverless/', '.esbuild/', 'bench/results/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['*.js', 'bin/*.js'] }, tsconfigRootDir: import.meta.dirname },
      globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', URL: 'readonly', AbortSignal: 'readonly', fetch: 'readonly' },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Workflow code runs in Temporal's deterministic sandbox: no Node builtins,
    // no AWS SDK, no clients, and from shared/ only the pure modules.
    files: ['worker/workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins.map((name) => ({ name, message: 'Node builtins are not allowed in workflow code.' })),
          patterns: [
            { group: ['@aws-sdk/*', '@smithy/*'], message: 'The AWS SDK belongs in activities, not workflow code.' },
            {
              group: ['@temporalio/client', '@temporalio/worker', '@temporalio/activity', 'isolated-vm', 'esbuild', 'pg', 'mysql2', 'zod'],
              message: 'Workflow code may only use @temporalio/workflow and pure modules.',
            },
            {
              regex: '/shared/(?!definition/plan\\.ts$|store/keys\\.ts$)',
              message: 'From shared/, workflow code may import only the pure modules (definition/plan.ts, store/keys.ts).',
            },
            {
              regex: '/activities/(?!types\\.ts$|index\\.ts$)',
              message: 'Workflow code reaches activities only through proxyActivities with `import type`.',
            },
          ],
        },
      ],
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/activities/index.ts'], allowTypeImports: true, message: 'Use `import type` for activities.' }] },
      ],
    },
  },
);

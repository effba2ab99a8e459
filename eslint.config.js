// Lint rules that protect the design: workflow code stays deterministic and
// sandbox-safe, and no promise is left floating.
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((name) => `node:${name}`)];

export default tseslint.config(
  { ignores: ['node_modules/', 'ui-dist/', '.baton/', '.serverless/', '.esbuild/', 'bench/results/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['*.js', 'bin/*.js', 'scripts/*.js'] }, tsconfigRootDir: import.meta.dirname },
      globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', URL: 'readonly', AbortSignal: 'readonly', fetch: 'readonly' },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // The run contract is pure: workflow code imports it, so no Node API, no
    // I/O, no package but @temporalio/workflow (and zod in schemas/, which
    // workflow code may import types from only).
    files: ['shared/contract/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins.map((name) => ({ name, message: 'The contract is pure: no Node builtins.' })),
          patterns: [
            { regex: '^(?!@temporalio/workflow$|zod$|\\.{1,2}/)', message: 'The contract may import only @temporalio/workflow, zod and itself.' },
            { regex: '^\\.\\./\\.\\./', message: 'The contract imports nothing from outside shared/contract/.' },
          ],
        },
      ],
    },
  },
  {
    files: ['shared/contract/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins.map((name) => ({ name, message: 'The contract is pure: no Node builtins.' })),
          patterns: [
            { regex: '^(?!@temporalio/workflow$|zod$|\\./)', message: 'The contract may import only @temporalio/workflow, zod and itself.' },
            // Workflow code imports these files: zod and the schemas only as types, so neither enters the bundle.
            { regex: '^(zod|\\./schemas/.*)$', allowTypeImports: true, message: 'Outside shared/contract/schemas/, zod and the schemas are imported as types only.' },
          ],
        },
      ],
    },
  },
  {
    // shared/ is what the functions and the worker both use: it depends on neither.
    files: ['shared/**/*.ts'],
    ignores: ['shared/contract/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ regex: '^(\\.\\./)+(worker|functions|local|cli)/', message: 'shared/ imports nothing from worker/, functions/, local/ or cli/.' }] },
      ],
    },
  },
  {
    // Workflow code runs in Temporal's deterministic sandbox: it imports
    // @temporalio/workflow, its own folder and the run contract, nothing else.
    files: ['worker/workflows/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins.map((name) => ({ name, message: 'Node builtins are not allowed in workflow code.' })),
          patterns: [
            {
              regex: '^(?!@temporalio/workflow$|\\./|\\.\\./\\.\\./shared/contract/)',
              message: 'Workflow code may import only @temporalio/workflow, worker/workflows/ and shared/contract/.',
            },
            {
              regex: '^\\.\\./\\.\\./shared/contract/schemas/',
              allowTypeImports: true,
              message: 'The contract schemas (zod) enter workflow code as types only.',
            },
          ],
        },
      ],
    },
  },
  {
    // The run viewer runs in browsers: browser globals, and nothing from Node
    // or the server side; it knows the API only by its answers (ui/src/types.ts).
    files: ['ui/**/*.{ts,tsx}'],
    languageOptions: {
      globals: {
        window: 'readonly', document: 'readonly', location: 'readonly', sessionStorage: 'readonly', fetch: 'readonly',
        performance: 'readonly', addEventListener: 'readonly', removeEventListener: 'readonly', URL: 'readonly',
        URLSearchParams: 'readonly', Blob: 'readonly', Event: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly',
      },
    },
    rules: {
      'no-restricted-globals': ['error', { name: 'process', message: 'The UI runs in a browser.' }, { name: 'Buffer', message: 'The UI runs in a browser.' }],
      'no-restricted-properties': ['error', { property: 'innerHTML', message: 'Render text with preact; never set HTML.' }, { property: 'outerHTML', message: 'Render text with preact; never set HTML.' }],
      'no-restricted-syntax': ['error', { selector: "JSXAttribute[name.name='dangerouslySetInnerHTML']", message: 'Every user string is rendered as text.' }],
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins.map((name) => ({ name, message: 'The UI runs in a browser: no Node builtins.' })),
          patterns: [{ regex: '^(?!preact(/.*)?$|@dagrejs/dagre$|\\.{1,2}/)', message: 'The UI imports preact, dagre and its own files only.' }],
        },
      ],
    },
  },
);

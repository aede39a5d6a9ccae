// ESLint flat config: typescript-eslint's recommended rules everywhere, and for workflows/ the
// determinism rules of temporalio/samples-typescript's `.shared/.eslintrc.js`, made stricter by
// the house style (style.md: no I/O, no clock reads, no config, no Node built-ins in workflows).
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const nodeBuiltins = builtinModules.filter((name) => !name.startsWith('_'));

const builtinMessage = 'Node built-ins are not available in the workflow sandbox; do the work in an activity';

const workflowRestrictedImports = {
  paths: [
    ...['@temporalio/activity', '@temporalio/client', '@temporalio/worker', '@temporalio/testing'].map((name) => ({
      name,
      message: 'workflow code runs in the deterministic sandbox: import only @temporalio/workflow and @temporalio/common',
    })),
    // Exact names: as patterns, `domain` or `path` would also match `../domain/types`.
    ...nodeBuiltins.map((name) => ({ name, message: builtinMessage })),
    ...['express', 'nodemailer', 'twilio', 'smtp-server'].map((name) => ({
      name,
      message: 'I/O belongs in activities/, not in workflow code',
    })),
  ],
  patterns: [
    {
      group: ['node:*'],
      message: builtinMessage,
    },
    {
      group: ['**/activities', '**/activities/*'],
      allowTypeImports: true,
      message: 'workflows see activities only as types (`import type`) and call them through proxyActivities',
    },
    {
      group: ['**/config', '**/config/*'],
      message: 'workflows read no configuration: it reaches them through their input or an activity',
    },
  ],
};

export default defineConfig(
  { ignores: ['node_modules/', '.temporal/', 'data/', 'dist/', 'coverage/', 'artifacts/'] },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    files: ['**/*.{js,cjs,mjs}'],
    languageOptions: { globals: globals.node },
  },
  {
    // The dashboard's scripts run in the browser as ES modules (api/dashboard.ts serves them).
    files: ['web/**/*.js'],
    languageOptions: { globals: globals.browser, sourceType: 'module' },
  },
  {
    files: ['**/*.cjs', 'jest.config.js'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-restricted-imports': ['error', workflowRestrictedImports],
      'no-restricted-globals': [
        'error',
        ...['process', 'require', '__dirname', '__filename', 'Buffer', 'fetch', 'setImmediate', 'clearImmediate'].map(
          (name) => ({ name, message: `${name} is I/O or host state: not available in workflow code` }),
        ),
      ],
      'no-restricted-properties': [
        'error',
        {
          object: 'Math',
          property: 'random',
          message: 'use uuid4() from @temporalio/workflow, or take the choice as input',
        },
        {
          object: 'Date',
          property: 'now',
          message: 'workflows read no clock (style.md): take time from the input, timers, or workflowInfo()',
        },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: "NewExpression[callee.name='Date'][arguments.length=0]",
          message: 'workflows read no clock (style.md): `new Date()` is Date.now(); take time from the input, timers, or workflowInfo()',
        },
      ],
    },
  },
);

// ESLint (flat config): typescript-eslint's recommended rules (syntax only, no type information, so the whole lint
// takes seconds) and the layer rules of src/ (scripts/lint/layers.mjs, listed in docs/layers.md).
// `npm run lint` runs this, the import-cycle check (scripts/lint/cycles.mjs) and knip.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import layers from './scripts/lint/layers.mjs';

export default tseslint.config(
  { ignores: ['dist/', 'out/', 'node_modules/', 'test-output/', '.vscode-test/', 'test/vscode-server/', 'media/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      // `_name` marks a parameter kept for its position; tsc's noUnusedParameters agrees.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      // Terminal-output sanitizers and their tests match control characters on purpose.
      'no-control-regex': 'off',
    },
  },
  {
    files: ['**/*.{ts,mts}'],
    rules: { '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'separate-type-imports' }] },
  },
  { files: ['**/*.{js,mjs}'], languageOptions: { globals: globals.node } },
  // Page scripts evaluated in the workbench by the UI tests.
  { files: ['test/vscode/ui/**/*.mjs'], languageOptions: { globals: { ...globals.node, ...globals.browser } } },
  // Tests and scripts cast recorded JSON and private fields freely.
  { files: ['test/**', 'scripts/**'], rules: { '@typescript-eslint/no-explicit-any': 'off' } },
  // ssh2 is loaded at the first SSH connection (src/core/transport/ssh/ssh2Module.ts): a value import anywhere else
  // would evaluate it at every start, Local-only ones included.
  {
    files: ['src/**/*.ts'],
    ignores: ['src/core/transport/ssh/ssh2Module.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'ssh2',
              allowTypeImports: true,
              message: 'load ssh2 with loadSsh2() (src/core/transport/ssh/ssh2Module.ts); type imports are fine.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/**/*.ts'],
    plugins: { layers },
    rules: { 'layers/imports': 'error' },
  },
);

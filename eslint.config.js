// Lint rules, including the layer boundaries of docs/ARCHITECTURE.md ("What may import what"):
// lib/semantics and lib/stores never import axios or each other, and lib/semantics no node: module.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const layer = (files, banned) => ({
  files,
  rules: {
    'no-restricted-imports': ['error', { patterns: banned.map((group) => ({ group: [group], message: 'crosses a layer boundary (see docs/ARCHITECTURE.md, "What may import what")' })) }],
  },
});

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.tmp/**', 'coverage/**', 'test/browser/output/**', '.ci/**', '**/*.js', '**/*.mjs', '**/*.cjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['lib/**/*.ts'],
    rules: { 'no-console': 'error' },
  },
  layer(['lib/semantics/**/*.ts'], ['axios', '../stores/*', '../axios/*', '../cli/*', 'node:*']),
  layer(['lib/stores/**/*.ts'], ['axios', '../semantics/*', '../axios/*', '../cli/*']),
  // The command line tool (Node only) sits above everything: nothing in the library imports it.
  layer(['lib/axios/**/*.ts', 'lib/index.ts'], ['../cli/*', './cli/*']),
  {
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-expressions': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
    },
  },
);

// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      '.bench-work/**',
      'bin/**',
      'eslint.config.js',
      '**/*.cjs',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { project: './tsconfig.test.json', tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    // Pure modules do no I/O: no fs, no network, no child processes.
    files: [
      'src/reference/**',
      'src/oci/**',
      'src/registry/auth/challenge.ts',
      'src/registry/auth/scope.ts',
      'src/registry/http/retry-policy.ts',
      'src/bundle-writer/bundle-plan.ts',
      'src/bundle-writer/bundle-metadata.ts',
      'src/bundle-writer/tar-header.ts',
      'src/graph/platform-filter.ts',
      'src/graph/assemble-graph.ts',
      'src/graph/config-platform.ts',
      'src/graph/image-graph.ts',
      'src/copy/copy-plan.ts',
      'src/copy/plan-summary.ts',
      'src/copy/copy-request.ts',
      'src/store/listed-name.ts',
      'src/bundle-writer/image-closure.ts',
      'src/xz/format-error.ts',
      'src/xz/vli.ts',
      'src/xz/check-type.ts',
      'src/xz/stream-flags.ts',
      'src/xz/stream-header.ts',
      'src/xz/stream-footer.ts',
      'src/xz/block-header.ts',
      'src/xz/index-encoding.ts',
      'src/xz/lzma2-filter.ts',
      'src/xz/lzma2-stored-chunks.ts',
      'src/xz/stored-block-layout.ts',
      'src/xz/crc64.ts',
      'src/xz/block-check.ts',
      'src/xz/xz-layout.ts',
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: ['node:fs*', 'node:net', 'node:http*', 'node:child_process', 'undici'] },
      ],
    },
  },
  {
    // Commands are thin: flags in, one library call, rendering out.
    files: ['commands/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: ['node:fs*', 'node:net', 'node:http*', 'undici', 'tar', 'yaml'] },
      ],
    },
  },
  {
    files: ['test/**', 'bench/**'],
    rules: {
      '@typescript-eslint/no-unused-expressions': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
);

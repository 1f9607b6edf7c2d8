import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'hashicorp/', 'vagrant/'] },
  js.configs.recommended,
  // Type-aware rules need type information: the project service reads tsconfig.json,
  // whose include covers src, test and bench (every TypeScript file here).
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      // No line over 120 characters: prettier's printWidth, which prettier cannot enforce on comments, strings,
      // template literals and regex literals. No exemptions: a long one is split into parts or built from named pieces.
      'max-len': ['error', { code: 120 }],
    },
  },
  // Plain JavaScript (bin, scripts, the tool configs) is outside the TypeScript project: no type-aware rules.
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    files: ['bin/**/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
);

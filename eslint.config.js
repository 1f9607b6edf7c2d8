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
      // No line over 120 characters (prettier's printWidth, which prettier does not enforce on comments and
      // literals). Left long: regex literals and template literals (their text is what runs or is asserted).
      'max-len': ['error', { code: 120, ignoreUrls: true, ignoreRegExpLiterals: true, ignoreTemplateLiterals: true }],
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

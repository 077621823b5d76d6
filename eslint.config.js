// Lint rules, chiefly the import boundaries from docs/ARCHITECTURE.md:
// only main/app/ imports electron; native/ imports nothing from main/;
// renderer/ imports only types from main/rpc/ and nothing else from main/ or native/;
// protocol/ imports nothing of the project's; the runtime trees (main/, native/, protocol/,
// authority/) import nothing from tools/, and the kiosk and the authority only share protocol/.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const electronOnlyInApp = {
  name: 'electron',
  message: 'Only main/app/ may import electron; keep the core host-independent.',
};

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'test-results/**', 'models/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-imports': ['error', { paths: [electronOnlyInApp] }],
    },
  },
  {
    files: ['main/**'],
    ignores: ['main/app/**'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [electronOnlyInApp],
        patterns: [
          { regex: '(^|/)tools/', message: 'The kiosk does not ship tools/: move what it needs into main/.' },
          { regex: '(^|/)authority/', message: 'The kiosk shares only protocol/ with the authority.' },
        ],
      }],
    },
  },
  {
    files: ['main/app/**'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ regex: '(^|/)tools/', message: 'The kiosk does not ship tools/.' }],
      }],
    },
  },
  {
    files: ['authority/**'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [electronOnlyInApp],
        patterns: [
          { regex: '(^|/)(tools|main|native)/', message: 'The authority shares only protocol/ with the kiosk and does not ship tools/.' },
        ],
      }],
    },
  },
  {
    files: ['protocol/**'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [electronOnlyInApp],
        patterns: [
          { regex: '(^|/)(main|native|authority|tools|renderer)/', message: 'protocol/ is shared by kiosk and authority: it imports nothing of theirs.' },
        ],
      }],
    },
  },
  {
    files: ['native/**'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [electronOnlyInApp],
        patterns: [{ regex: '(^|/)(main|tools|authority)/', message: 'native/ must not import from main/, tools/ or authority/.' }],
      }],
    },
  },
  {
    files: ['renderer/**'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': ['error', {
        paths: [electronOnlyInApp],
        patterns: [
          { regex: '(^|/)native/', message: 'The renderer talks to devices only through the RPC bridge.' },
          { regex: '(^|/)main/(?!rpc/)', message: 'The renderer may import only types from main/rpc/.' },
          { regex: '(^|/)main/rpc/', allowTypeImports: true, message: 'Import only types from main/rpc/ (use `import type`).' },
        ],
      }],
    },
  },
);

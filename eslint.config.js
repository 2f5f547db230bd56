import js from '@eslint/js'
import boundaries from 'eslint-plugin-boundaries'
import globals from 'globals'
import tseslint from 'typescript-eslint'

// Every layer of src/main: the package entries (lib) and the app entries may use all of them.
const EVERY_LAYER = [
  'base',
  'shared',
  'host-pipe',
  'ipc',
  'host',
  'launcher',
  'headless',
  'electron',
  'lib',
  'demo-host',
]

export default tseslint.config(
  {
    ignores: [
      'out/**',
      'dist/**',
      'docs/api/**',
      'coverage/**',
      'node_modules/**',
      'test-results/**',
      // A host entry that is not valid JavaScript, on purpose: start() must name its stderr line.
      'test/fixtures/start-failures/syntax-error.mjs',
      'playwright-report/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: [
      'scripts/**/*.mjs',
      '.ci/**/*.mjs',
      'bench/**/*.mjs',
      'test/fixtures/**/*.mjs',
      'examples/**/*.mjs',
    ],
    languageOptions: { globals: globals.node },
  },
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': 'off',
    },
  },
  {
    // Only the Electron glue may import electron.
    files: ['src/**/*.ts'],
    ignores: ['src/main/electron/**', 'src/main/index.ts', 'src/lib/electron.ts', 'src/preload/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['electron', 'electron/*'],
              message: 'Only src/main/electron, src/lib/electron.ts and src/main/index.ts import electron.',
            },
          ],
        },
      ],
    },
  },
  {
    // The core and the protocol stay runtime-free: no Electron, no sockets, no processes.
    files: ['src/main/host-pipe/**/*.ts', 'src/shared/**/*.ts', 'src/lib/index.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['node:*', 'net', 'fs', 'child_process'], message: 'The core is runtime-free.' },
            { group: ['electron', 'electron/*'], message: 'The core must not import electron.' },
          ],
        },
      ],
    },
  },
  {
    // The layer order (README, Architecture): each layer imports only the layers below it.
    files: ['src/**/*.ts'],
    plugins: { boundaries },
    settings: {
      'import/resolver': { node: { extensions: ['.ts', '.js', '.json'] } },
      'boundaries/include': ['src/**/*'],
      'boundaries/elements': [
        { type: 'base', pattern: 'src/main/base' },
        { type: 'shared', pattern: 'src/shared' },
        { type: 'host-pipe', pattern: 'src/main/host-pipe' },
        { type: 'ipc', pattern: 'src/main/ipc' },
        { type: 'host', pattern: 'src/main/host' },
        { type: 'launcher', pattern: 'src/main/launcher' },
        { type: 'headless', pattern: 'src/main/headless' },
        { type: 'electron', pattern: 'src/main/electron' },
        { type: 'lib', pattern: 'src/lib' },
        // What the demo host entry (src/main/host.ts) serves: an app of the library, beside it.
        { type: 'demo-host', pattern: 'src/main/demo-host' },
        { type: 'entry', pattern: 'src/main/*.ts', mode: 'file' },
        { type: 'preload', pattern: 'src/preload' },
        { type: 'renderer', pattern: 'src/renderer' },
      ],
    },
    rules: {
      'boundaries/no-unknown-files': 'error',
      'boundaries/element-types': [
        'error',
        {
          default: 'disallow',
          message: '${file.type} must not import ${dependency.type} (layer order: README, Architecture)',
          rules: [
            { from: 'base', allow: ['base'] },
            { from: 'shared', allow: ['shared'] },
            { from: 'host-pipe', allow: ['base', 'shared', 'host-pipe'] },
            { from: 'ipc', allow: ['base', 'shared', 'host-pipe', 'ipc'] },
            { from: 'host', allow: ['base', 'shared', 'ipc', 'host'] },
            { from: 'launcher', allow: ['base', 'shared', 'host-pipe', 'ipc', 'launcher'] },
            { from: 'headless', allow: ['base', 'shared', 'host-pipe', 'ipc', 'launcher', 'headless'] },
            { from: 'electron', allow: ['base', 'shared', 'host-pipe', 'ipc', 'launcher', 'electron'] },
            {
              // The package's public entries (exports map): re-exports of the layers below.
              from: 'lib',
              allow: EVERY_LAYER,
            },
            {
              from: 'entry',
              allow: EVERY_LAYER,
            },
            { from: 'demo-host', allow: ['shared', 'lib', 'host', 'demo-host'] },
            { from: 'preload', allow: ['shared', 'preload'] },
            { from: 'renderer', allow: ['shared', 'renderer'] },
          ],
        },
      ],
    },
  },
)

import { defineConfig } from 'tsup'

// The library build (the package's `exports`); the demo app keeps electron-vite. One ESM build
// with code splitting, so every class lives in one shared chunk and `instanceof` holds across
// entries. Dependencies and electron stay external. Declarations come from `tsc -p
// tsconfig.lib.json` (one .d.ts per source file, so each class is declared once too).
export default defineConfig({
  entry: {
    index: 'src/lib/index.ts',
    node: 'src/lib/node.ts',
    host: 'src/lib/host.ts',
    electron: 'src/lib/electron.ts',
  },
  outDir: 'dist',
  format: ['esm'],
  platform: 'node',
  target: 'node20',
  splitting: true,
  treeshake: true,
  sourcemap: true,
  clean: true,
  dts: false,
  external: ['electron'],
})

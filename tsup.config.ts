import { defineConfig } from 'tsup'

// The library build (the package's `exports`); the demo app keeps electron-vite. One ESM build
// with code splitting, so every class lives in one shared chunk and `instanceof` holds across
// entries. zod and electron are peer dependencies and stay external: the app's zod must be the one
// its schemas and hostpipe's share. The declarations are bundled the same way (shared .d.ts
// chunks, so each class is declared once; relative imports carry their `.js`, as NodeNext
// resolution in an ESM consumer requires).
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
  dts: true,
  tsconfig: 'tsconfig.lib.json',
  external: ['electron', 'zod'],
})

import { resolve } from 'node:path'
import { defineConfig } from 'electron-vite'

// One config, three builds (electron-vite's layout). The main build has three entries:
// the Electron app, the headless launcher and the host process, so each runs as its own file.
export default defineConfig({
  main: {
    build: {
      // zod is bundled (tree-shaken, one chunk) rather than loaded from node_modules at run time:
      // resolving and evaluating its many ES modules was most of a host's cold start. electron-log,
      // the demo app's logger, is a dev dependency (only `dependencies` are external by default):
      // named here so the demo app loads it from node_modules instead of bundling its CommonJS.
      externalizeDeps: { include: ['electron-log'], exclude: ['zod'] },
      rollupOptions: {
        input: {
          index: resolve(__dirname, 'src/main/index.ts'),
          headless: resolve(__dirname, 'src/main/headless.ts'),
          host: resolve(__dirname, 'src/main/host.ts'),
        },
        // zod's sources carry annotation comments Rollup cannot place and drops, harmlessly; their
        // dozen lines of warning would bury `npm start`'s one line about the missing Electron.
        onwarn(warning, warn) {
          if (warning.code === 'INVALID_ANNOTATION' && warning.id?.includes('/node_modules/zod/')) return
          warn(warning)
        },
      },
    },
  },
  preload: {
    build: {
      rollupOptions: {
        input: { index: resolve(__dirname, 'src/preload/index.ts') },
        // A sandboxed preload cannot be an ES module.
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(__dirname, 'src/renderer'),
    build: {
      rollupOptions: { input: { index: resolve(__dirname, 'src/renderer/index.html') } },
    },
  },
})

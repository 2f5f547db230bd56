import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Fails any test during which a listener (or another callback) threw: see the file.
    setupFiles: ['test/support/unexpected-errors.setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // CI sums this report with Playwright's into one "N passed, N failed" line.
    reporters: ['default', 'json'],
    outputFile: { json: 'test-results/vitest.json' },
    coverage: {
      provider: 'v8',
      include: ['src/**/*.ts'],
      exclude: ['src/renderer/**', 'src/preload/**', 'src/main/electron/**', 'src/main/index.ts'],
      reporter: ['text-summary', 'json-summary'],
      // The core and the protocol carry the guarantees: they stay fully tested.
      thresholds: {
        'src/main/host-pipe/**': { lines: 95 },
        'src/shared/**': { lines: 95 },
      },
    },
  },
})

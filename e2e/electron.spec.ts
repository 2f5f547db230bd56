import { _electron as electron, expect, test } from '@playwright/test'
// @ts-expect-error: a plain .mjs helper shared with `npm start`, without type declarations.
import { findElectronBinary } from '../scripts/electron-binary.mjs'

const binary = (findElectronBinary as () => string | undefined)()

test.describe('Electron app', () => {
  test.skip(
    !binary,
    'no Electron binary is installed here (offline machine): the panel is tested in Chromium against the headless launcher instead',
  )

  test('opens the diagnostics window with a connected pipe', async () => {
    const app = await electron.launch({ executablePath: binary, args: ['out/main/index.js'] })
    try {
      const window = await app.firstWindow()
      await expect(window.getByTestId('pipe-state')).toHaveText('connected', { timeout: 20_000 })
      await expect(window.getByTestId('buffer-capacity')).toHaveText('64')
      // Sandboxed and isolated: no Node in the page, only the preload's bridge.
      const page = await window.evaluate(() => ({
        hasRequire: 'require' in globalThis,
        hasProcess: 'process' in globalThis,
        hasBridge: 'pipeDiagnostics' in globalThis,
      }))
      expect(page).toEqual({ hasRequire: false, hasProcess: false, hasBridge: true })
      await window.getByTestId('btn-kill-host').click()
      await expect(window.getByTestId('pipe-state')).toHaveText('connected')
      await window.screenshot({ path: test.info().outputPath('electron-window.png') })
    } finally {
      await app.close()
    }
  })
})

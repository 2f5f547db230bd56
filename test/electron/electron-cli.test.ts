import { describe, expect, it } from 'vitest'
import { appArgs, parseElectronArgs } from '../../src/main/electron/electron-cli'

describe('parsing the Electron app’s flags', () => {
  it('defaults to the pipe transport and no overrides', () => {
    expect(parseElectronArgs([])).toEqual({ ok: true, options: { transport: 'pipe' } })
  })

  it('reads every flag the headless launcher has', () => {
    expect(
      parseElectronArgs([
        '--transport',
        'port',
        '--host-delay-ms',
        '5',
        '--saga-timeout-ms=2000',
        '--max-restarts',
        '0',
      ]),
    ).toEqual({
      ok: true,
      options: { transport: 'port', hostDelayMs: 5, sagaTimeoutMs: 2000, maxRestarts: 0 },
    })
  })

  it('leaves Chromium’s own switches and positionals alone', () => {
    expect(parseElectronArgs(['--no-sandbox', '.', '--enable-logging', '--transport=port'])).toEqual({
      ok: true,
      options: { transport: 'port' },
    })
  })

  it('refuses an unknown transport, naming it', () => {
    const result = parseElectronArgs(['--transport', 'carrier-pigeon'])
    expect(result).toEqual({ ok: false, error: '--transport must be "pipe" or "port", got "carrier-pigeon"' })
  })

  it('refuses numbers that are not non-negative integers', () => {
    for (const bad of ['-1', '1.5', 'abc', '', '1e3']) {
      const result = parseElectronArgs(['--max-restarts', bad])
      expect(result.ok, bad).toBe(false)
    }
    expect(parseElectronArgs(['--host-delay-ms']).ok).toBe(false)
  })

  it('skips the executable, and the app path when unpackaged', () => {
    expect(appArgs(['electron', '.', '--transport', 'port'], false)).toEqual(['--transport', 'port'])
    expect(appArgs(['hostpipe', '--transport', 'port'], true)).toEqual(['--transport', 'port'])
  })
})

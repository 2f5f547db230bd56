import { describe, expect, it } from 'vitest'
import { hostArgsOf, launcherOptionsOf, parseLauncherArgs } from '../../src/main/launcher/launcher-cli'

const headless = { strict: true, acceptsPort: true }
const electron = { strict: false, acceptsPort: false }

describe('launcher CLI flags', () => {
  it('defaults to the pipe transport and no overrides', () => {
    expect(parseLauncherArgs([], headless)).toEqual({ ok: true, options: { transport: 'pipe' } })
  })

  it('parses every headless flag', () => {
    const r = parseLauncherArgs(
      [
        '--port',
        '0',
        '--transport',
        'port',
        '--host-delay-ms',
        '5',
        '--saga-timeout-ms',
        '40000',
        '--max-restarts',
        '100',
        '--standby',
        '2',
        '--unresponsive-ms',
        '0',
      ],
      headless,
    )
    expect(r).toEqual({
      ok: true,
      options: {
        transport: 'port',
        port: 0,
        hostDelayMs: 5,
        sagaTimeoutMs: 40000,
        maxRestarts: 100,
        standby: 2,
        unresponsiveMs: 0,
      },
    })
    if (r.ok) expect(hostArgsOf(r.options)).toEqual(['--host-delay-ms', '5'])
  })

  it('names the flag and the value it refuses', () => {
    expect(parseLauncherArgs(['--transport', 'carrier-pigeon'], headless)).toEqual({
      ok: false,
      error: '--transport must be "pipe" or "port", got "carrier-pigeon"',
    })
    expect(parseLauncherArgs(['--max-restarts', '1.5'], headless)).toMatchObject({
      ok: false,
      error: expect.stringContaining('--max-restarts must be a non-negative integer'),
    })
    expect(parseLauncherArgs(['--standby', 'two'], headless)).toEqual({
      ok: false,
      error: '--standby must be a non-negative integer, got "two"',
    })
    expect(parseLauncherArgs(['--port', '70000'], headless)).toMatchObject({
      ok: false,
      error: expect.stringContaining('65535'),
    })
    expect(parseLauncherArgs(['--bogus'], headless)).toMatchObject({ ok: false })
  })

  it('takes --hosts N as the pool size in both entries, and refuses a pool of none', () => {
    for (const entry of [headless, electron]) {
      const r = parseLauncherArgs(['--hosts', '3'], entry)
      expect(r).toEqual({ ok: true, options: { transport: 'pipe', hosts: 3 } })
      if (r.ok) expect(launcherOptionsOf(r.options)).toMatchObject({ hosts: 3 })
      expect(parseLauncherArgs(['--hosts', '0'], entry)).toEqual({
        ok: false,
        error: '--hosts must be a positive integer, got "0"',
      })
      expect(parseLauncherArgs(['--hosts', 'two'], entry)).toEqual({
        ok: false,
        error: '--hosts must be a positive integer, got "two"',
      })
    }
  })

  it('leaves Electron and Chromium switches alone in the app, and has no --port there', () => {
    const r = parseLauncherArgs(['.', '--inspect', '--port', '8080', '--transport', 'port'], electron)
    expect(r).toEqual({ ok: true, options: { transport: 'port' } })
  })

  it('maps every launcher flag to the launcher option of the same meaning, for both entries', () => {
    const r = parseLauncherArgs(
      [
        '--port',
        '8080',
        '--transport',
        'port',
        '--host-delay-ms',
        '5',
        '--saga-timeout-ms',
        '40000',
        '--max-restarts',
        '100',
        '--standby',
        '0',
        '--unresponsive-ms',
        '250',
      ],
      headless,
    )
    if (!r.ok) throw new Error(r.error)
    expect(launcherOptionsOf(r.options)).toEqual({
      transport: 'port',
      hostArgs: ['--host-delay-ms', '5'],
      sagaTimeoutMs: 40000,
      maxRestarts: 100,
      standby: 0,
      unresponsiveMs: 250,
    })
  })

  it('leaves an absent flag undefined so the launcher default applies', () => {
    expect(launcherOptionsOf({ transport: 'pipe' })).toEqual({
      transport: 'pipe',
      hostArgs: [],
      sagaTimeoutMs: undefined,
      maxRestarts: undefined,
      standby: undefined,
      unresponsiveMs: undefined,
    })
  })
})

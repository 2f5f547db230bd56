import { access, mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { DiagnosticsSnapshot } from '../../src/shared/diagnostics'
import { IPC_CHANNELS } from '../../src/shared/ipc-channels'

const fake = vi.hoisted(() => ({
  windows: [] as Array<{
    options: Record<string, unknown>
    emit(event: string, ...args: unknown[]): boolean
    close(): void
    loaded: string[]
    shown: number
    focused: number
    destroyed: boolean
    bounds: { x: number; y: number; width: number; height: number }
    webContents: {
      emit(event: string, ...args: unknown[]): boolean
      sent: Array<[string, unknown]>
      mainFrame: { url: string }
      openHandler?: (d: { url: string }) => { action: string }
    }
  }>,
  sessionCalls: [] as string[],
  headersListener: undefined as
    undefined | ((d: { responseHeaders?: Record<string, string[]> }, cb: (r: unknown) => void) => void),
  permissionRequest: undefined as undefined | ((wc: unknown, p: string, cb: (ok: boolean) => void) => void),
}))

vi.mock('electron', async () => {
  const { EventEmitter } = await import('node:events')
  class FakeWebContents extends EventEmitter {
    sent: Array<[string, unknown]> = []
    mainFrame = { url: '' }
    openHandler?: (d: { url: string }) => { action: string }
    isDestroyed = () => false
    send(channel: string, data: unknown) {
      this.sent.push([channel, data])
    }
    setWindowOpenHandler(fn: (d: { url: string }) => { action: string }) {
      this.openHandler = fn
    }
  }
  class FakeBrowserWindow extends EventEmitter {
    webContents = new FakeWebContents()
    loaded: string[] = []
    shown = 0
    focused = 0
    destroyed = false
    bounds: { x: number; y: number; width: number; height: number }
    constructor(public options: Record<string, unknown>) {
      super()
      this.bounds = {
        x: (options.x as number) ?? 0,
        y: (options.y as number) ?? 0,
        width: options.width as number,
        height: options.height as number,
      }
      fake.windows.push(this as never)
    }
    async loadFile(path: string) {
      this.loaded.push(path)
      this.webContents.mainFrame.url = `file://${path}`
    }
    async loadURL(url: string) {
      this.loaded.push(url)
      this.webContents.mainFrame.url = url
    }
    isDestroyed = () => this.destroyed
    isMinimized = () => false
    isFullScreen = () => false
    restore() {}
    show() {
      this.shown++
    }
    focus() {
      this.focused++
    }
    getNormalBounds() {
      return this.bounds
    }
    close() {
      this.emit('close')
      this.destroyed = true
      this.emit('closed')
    }
  }
  const fakeSession = {
    webRequest: {
      onHeadersReceived: (fn: typeof fake.headersListener) => {
        fake.headersListener = fn
      },
    },
    setPermissionRequestHandler: (fn: typeof fake.permissionRequest) => {
      fake.permissionRequest = fn
    },
    setPermissionCheckHandler: () => fake.sessionCalls.push('check'),
  }
  return {
    BrowserWindow: FakeBrowserWindow,
    screen: { getAllDisplays: () => [{ workArea: { x: 0, y: 0, width: 1920, height: 1080 } }] },
    session: {
      fromPartition: (p: string) => {
        fake.sessionCalls.push(`partition:${p}`)
        return fakeSession
      },
    },
  }
})

const { DiagnosticsWindow } = await import('../../src/main/electron/diagnostics-window')
const { PANEL_CSP } = await import('../../src/main/electron/content-security-policy')
const { PANEL_PARTITION } = await import('../../src/main/electron/window-options')

const PANEL_PATH = '/app/out/renderer/index.html'
let dir: string

function setup() {
  let subscriber: ((s: DiagnosticsSnapshot) => void) | undefined
  const unsubscribe = vi.fn()
  const source = {
    snapshot: vi.fn(),
    act: vi.fn(),
    subscribe: vi.fn((fn: (s: DiagnosticsSnapshot) => void) => {
      subscriber = fn
      return unsubscribe
    }),
  }
  const log = { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() }
  const boundsFile = join(dir, 'diagnostics-window.json')
  const window = new DiagnosticsWindow({
    panel: { kind: 'file', path: PANEL_PATH, url: `file://${PANEL_PATH}` },
    preloadPath: '/app/out/preload/index.cjs',
    boundsFile,
    source,
    log,
  })
  return {
    window,
    source,
    unsubscribe,
    push: (s: unknown) => subscriber?.(s as DiagnosticsSnapshot),
    boundsFile,
  }
}

beforeEach(async () => {
  fake.windows.length = 0
  dir = await mkdtemp(join(tmpdir(), 'hostpipe-window-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('the diagnostics window', () => {
  it('opens one sandboxed window with the preload and loads the panel file', async () => {
    const { window } = setup()
    await window.show()
    expect(fake.windows).toHaveLength(1)
    const win = fake.windows[0]!
    expect(win.options.webPreferences).toMatchObject({
      preload: '/app/out/preload/index.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
    })
    expect(win.loaded).toEqual([PANEL_PATH])
    win.emit('ready-to-show')
    expect(win.shown).toBe(1)
  })

  it('brings the open window to the front instead of opening another', async () => {
    const { window } = setup()
    await Promise.all([window.show(), window.show()])
    await window.show()
    expect(fake.windows).toHaveLength(1)
    expect(fake.windows[0]!.focused).toBe(1)
  })

  it('denies navigation away from the panel and every new window', async () => {
    const { window } = setup()
    await window.show()
    const wc = fake.windows[0]!.webContents
    const away = { preventDefault: vi.fn() }
    wc.emit('will-navigate', away, 'https://example.com/')
    expect(away.preventDefault).toHaveBeenCalled()
    const reload = { preventDefault: vi.fn() }
    wc.emit('will-navigate', reload, `file://${PANEL_PATH}`)
    expect(reload.preventDefault).not.toHaveBeenCalled()
    expect(wc.openHandler?.({ url: 'https://example.com/' })).toEqual({ action: 'deny' })
  })

  it('pushes snapshots to the panel while it shows the panel, and stops when closed', async () => {
    const { window, push, unsubscribe, boundsFile } = setup()
    await window.show()
    const win = fake.windows[0]!
    push({ state: 'connected' })
    win.webContents.mainFrame.url = 'https://elsewhere.example/'
    push({ state: 'stopped' })
    expect(win.webContents.sent).toEqual([[IPC_CHANNELS.snapshot, { state: 'connected' }]])
    win.close()
    expect(unsubscribe).toHaveBeenCalledOnce()
    // Closing saves the bounds; let that write finish before the directory goes.
    await vi.waitFor(() => access(boundsFile))
  })

  it('saves its bounds on close and restores them next time', async () => {
    const first = setup()
    await first.window.show()
    const win = fake.windows[0]!
    win.bounds = { x: 40, y: 30, width: 1000, height: 700 }
    win.close()
    await vi.waitFor(async () =>
      expect(JSON.parse(await readFile(first.boundsFile, 'utf8'))).toEqual({
        x: 40,
        y: 30,
        width: 1000,
        height: 700,
      }),
    )
    const second = setup()
    await second.window.show()
    expect(fake.windows[1]!.options).toMatchObject({ x: 40, y: 30, width: 1000, height: 700 })
  })

  it('hardens its own session: the CSP header on every response and no permissions', () => {
    DiagnosticsWindow.hardenSession()
    expect(fake.sessionCalls).toContain(`partition:${PANEL_PARTITION}`)
    let answered: unknown
    fake.headersListener?.({ responseHeaders: { 'content-type': ['text/html'] } }, (r) => (answered = r))
    expect(answered).toEqual({
      responseHeaders: { 'content-type': ['text/html'], 'Content-Security-Policy': [PANEL_CSP] },
    })
    const granted = vi.fn()
    fake.permissionRequest?.({}, 'media', granted)
    expect(granted).toHaveBeenCalledWith(false)
  })
})

import type { MenuItemConstructorOptions } from 'electron'
import { describe, expect, it, vi } from 'vitest'
import { appMenuTemplate, OPEN_DIAGNOSTICS_ACCELERATOR } from '../../src/main/electron/app-menu'

function flatten(items: MenuItemConstructorOptions[]): MenuItemConstructorOptions[] {
  return items.flatMap((item) => [item, ...(Array.isArray(item.submenu) ? flatten(item.submenu) : [])])
}

describe('the application menu', () => {
  it('opens the diagnostics window from an item with Cmd/Ctrl+Shift+D', () => {
    const openDiagnostics = vi.fn()
    const items = flatten(appMenuTemplate({ isMac: false, withDevTools: false, openDiagnostics }))
    const item = items.find((i) => i.id === 'open-diagnostics')
    expect(item?.accelerator).toBe(OPEN_DIAGNOSTICS_ACCELERATOR)
    expect(OPEN_DIAGNOSTICS_ACCELERATOR).toBe('CmdOrCtrl+Shift+D')
    item?.click?.({} as never, undefined, {} as never)
    expect(openDiagnostics).toHaveBeenCalledOnce()
  })

  it('has the macOS app menu only on macOS', () => {
    const roles = (isMac: boolean) =>
      appMenuTemplate({ isMac, withDevTools: false, openDiagnostics: () => {} }).map((i) => i.role)
    expect(roles(true)).toContain('appMenu')
    expect(roles(false)).not.toContain('appMenu')
  })

  it('offers DevTools only when asked to', () => {
    const hasDevTools = (withDevTools: boolean) =>
      flatten(appMenuTemplate({ isMac: false, withDevTools, openDiagnostics: () => {} })).some(
        (i) => i.role === 'toggleDevTools',
      )
    expect(hasDevTools(true)).toBe(true)
    expect(hasDevTools(false)).toBe(false)
  })
})

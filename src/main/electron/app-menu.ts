import type { MenuItemConstructorOptions } from 'electron'

export const OPEN_DIAGNOSTICS_ACCELERATOR = 'CmdOrCtrl+Shift+D'

/** The application menu. Pure, so its shape is testable without Electron. */
export function appMenuTemplate(opts: {
  isMac: boolean
  /** Offer DevTools only where they help (unpackaged builds). */
  withDevTools: boolean
  openDiagnostics(): void
}): MenuItemConstructorOptions[] {
  const view: MenuItemConstructorOptions[] = [
    {
      id: 'open-diagnostics',
      label: 'Pipe Diagnostics',
      accelerator: OPEN_DIAGNOSTICS_ACCELERATOR,
      click: () => opts.openDiagnostics(),
    },
    { type: 'separator' },
    { role: 'reload' },
    ...(opts.withDevTools ? [{ role: 'toggleDevTools' } as const] : []),
    { type: 'separator' },
    { role: 'resetZoom' },
    { role: 'zoomIn' },
    { role: 'zoomOut' },
    { type: 'separator' },
    { role: 'togglefullscreen' },
  ]
  return [
    ...(opts.isMac ? [{ role: 'appMenu' } as const] : []),
    { label: 'File', submenu: [opts.isMac ? { role: 'close' } : { role: 'quit' }] },
    { role: 'editMenu' },
    { label: 'View', submenu: view },
    { role: 'windowMenu' },
  ]
}

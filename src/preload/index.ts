/**
 * The preload bridge: exposes `window.pipeDiagnostics` (PipeDiagnosticsApi) to the sandboxed
 * diagnostics panel. The renderer never sees ipcRenderer or an IpcRendererEvent, only plain data
 * and the functions below.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron'
import type { ActionResult, DiagnosticsSnapshot, PipeDiagnosticsApi } from '../shared/diagnostics'
import { IPC_CHANNELS } from '../shared/ipc-channels'

const api: PipeDiagnosticsApi = {
  getSnapshot: () => ipcRenderer.invoke(IPC_CHANNELS.getSnapshot) as Promise<DiagnosticsSnapshot>,
  subscribe(cb) {
    const listener = (_event: IpcRendererEvent, snapshot: DiagnosticsSnapshot): void => cb(snapshot)
    ipcRenderer.on(IPC_CHANNELS.snapshot, listener)
    let subscribed = true
    return () => {
      if (!subscribed) return
      subscribed = false
      ipcRenderer.removeListener(IPC_CHANNELS.snapshot, listener)
    }
  },
  onLauncherGone(cb) {
    const listener = (): void => cb()
    ipcRenderer.on(IPC_CHANNELS.launcherGone, listener)
    return () => ipcRenderer.removeListener(IPC_CHANNELS.launcherGone, listener)
  },
  killHost: (slot) =>
    (slot === undefined
      ? ipcRenderer.invoke(IPC_CHANNELS.killHost)
      : ipcRenderer.invoke(IPC_CHANNELS.killHost, slot)) as Promise<ActionResult>,
  stopHost: () => ipcRenderer.invoke(IPC_CHANNELS.stopHost) as Promise<ActionResult>,
  startHost: () => ipcRenderer.invoke(IPC_CHANNELS.startHost) as Promise<ActionResult>,
  burst: (count) => ipcRenderer.invoke(IPC_CHANNELS.burst, count) as Promise<ActionResult>,
}

contextBridge.exposeInMainWorld('pipeDiagnostics', api)

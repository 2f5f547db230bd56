import type { PipeDiagnosticsApi } from '../shared/diagnostics'

declare global {
  interface Window {
    /** Present in the Electron diagnostics window (preload bridge); absent in a plain browser. */
    pipeDiagnostics?: PipeDiagnosticsApi
  }
}

export {}

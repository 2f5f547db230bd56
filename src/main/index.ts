/**
 * The Electron main entry (out/main/index.js). Everything lives in src/main/electron; this file
 * only knows where the build put it, since host.js and the preload are found relative to it.
 */
import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { runElectronApp } from './electron/electron-app'

runElectronApp(dirname(fileURLToPath(import.meta.url)))

// The Electron main process: a launcher whose hosts run under utilityProcess, and its panel.
import { fileURLToPath } from 'node:url'
import { app } from 'electron'
import { createElectronLauncher, openDiagnosticsWindow } from 'hostpipe/electron'
import { commands } from './commands.js'

const launcher = createElectronLauncher({
  hostEntry: fileURLToPath(new URL('./host.js', import.meta.url)),
  commands,
})

await app.whenReady()
await launcher.start()
openDiagnosticsWindow(launcher)
const { sum } = await launcher.call('add', { a: 2, b: 3 })
console.log(`add: ${sum}`)

app.on('window-all-closed', () => {
  void launcher.stop().then(() => app.quit())
})

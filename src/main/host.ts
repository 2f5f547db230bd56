/**
 * The host process entry (built to out/main/host.js). Runs under Electron's utilityProcess and
 * under plain Node's child_process.fork; see `src/main/host/` for the parts.
 */
import { appendFileSync } from 'node:fs'
import { setUnexpectedErrorHandler } from './base/unexpected-error'
import { hasPortChannel, openLauncherConnection } from './host/launcher-connection'
import { parseHostConfig } from './host/host-config'
import { HostRuntime } from './host/host-runtime'
import { watchParent } from './host/parent-watch'
import { stderrLogger } from './host/stderr-logger'

/** How long a stopping host waits for its goodbye to be flushed before it exits anyway. */
const STOP_GRACE_MS = 1000

async function main(): Promise<void> {
  const log = stderrLogger(`[host ${process.pid}]`, process.env.HOSTPIPE_DEBUG === '1')
  setUnexpectedErrorHandler((err) => log.error('unexpected error:', err))
  let config
  try {
    config = parseHostConfig(process.env, process.argv.slice(2), hasPortChannel())
  } catch (err) {
    log.error(err instanceof Error ? err.message : String(err))
    process.exit(2)
  }
  let connection
  try {
    connection = await openLauncherConnection(config, log)
  } catch (err) {
    log.error(`cannot reach the launcher: ${err instanceof Error ? err.message : String(err)}`)
    process.exit(1)
  }
  const recordPath = config.recordPath
  const runtime = new HostRuntime({
    connection,
    token: config.token,
    log,
    delayMs: config.delayMs,
    spawnId: config.spawnId,
    role: config.role,
    // Synchronous: the line is on disk before the command's report (and its ack) is sent.
    onCommandCompleted: recordPath
      ? (seq, sagaId) => appendFileSync(recordPath, `${seq} ${sagaId}\n`)
      : undefined,
  })
  const stopWatchingParent = watchParent(() => stop('the launcher is gone'))
  function stop(reason: string): void {
    runtime.stop(reason)
    setTimeout(() => process.exit(0), STOP_GRACE_MS).unref()
  }
  runtime.onEnd((code) => {
    stopWatchingParent()
    process.exit(code)
  })
  process.once('SIGTERM', () => stop('SIGTERM'))
  runtime.start()
}

void main()

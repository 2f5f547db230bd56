/** Node's inspector port when a flag names none. */
export const DEFAULT_INSPECTOR_PORT = 9229

/** What a host's `execArgv` asks of Node's inspector (docs/launcher.md#debugging-a-host). */
export interface InspectorFlags {
  /**
   * The first of `--inspect`, `--inspect-brk`, `--inspect-wait` or `--inspect-port` (`--debug-port`)
   * in any form, as written; undefined when there is none. Such a host may sit paused in a
   * debugger, so it gets no start, register or liveness timeouts.
   */
  flag: string | undefined
  /**
   * The port the inspector listens on when every host gets the same one: the last port given
   * (Node's rule), 9229 when none is; undefined without an inspector flag and for port 0 (a free
   * port per host).
   */
  fixedPort: number | undefined
}

const INSPECT_FLAG = /^--(inspect|inspect-brk|inspect-wait|inspect-port|debug-port)(?:=(.*))?$/

/** Reads the inspector flags of a host's `execArgv`. Pure; never throws. */
export function inspectorFlagsOf(execArgv: readonly string[]): InspectorFlags {
  let flag: string | undefined
  let port = DEFAULT_INSPECTOR_PORT
  for (let i = 0; i < execArgv.length; i++) {
    const match = INSPECT_FLAG.exec(execArgv[i]!)
    if (!match) continue
    flag ??= execArgv[i]
    let value = match[2]
    // `--inspect-port` needs a value, so Node also takes it as the next argument.
    const takesNext = match[1] === 'inspect-port' || match[1] === 'debug-port'
    if (value === undefined && takesNext && i + 1 < execArgv.length) value = execArgv[++i]
    port = portOf(value) ?? port
  }
  if (flag === undefined) return { flag: undefined, fixedPort: undefined }
  return { flag, fixedPort: port === 0 ? undefined : port }
}

/**
 * The port in `[host:]port` (`9229`, `127.0.0.1:9229`, `[::1]:9229`); undefined for a host alone
 * or no value, which keep the port given before.
 */
function portOf(value: string | undefined): number | undefined {
  if (value === undefined) return undefined
  const tail = value.slice(value.lastIndexOf(':') + 1)
  return /^[0-9]+$/.test(tail) ? Number(tail) : undefined
}

/**
 * Throws a TypeError when `execArgv` fixes the inspector port and the launcher runs more than one
 * host at once (`hosts` active hosts plus `standby` warm standbys): only one of them could listen
 * on that port.
 */
export function checkInspectorPort(execArgv: readonly string[], hosts: number, standby: number): void {
  const { flag, fixedPort } = inspectorFlagsOf(execArgv)
  const total = hosts + standby
  if (fixedPort === undefined || total <= 1) return
  const isPortNamed = execArgv.some((arg) =>
    /^--(?:inspect(?:-brk|-wait)?=|inspect-port|debug-port)/.test(arg),
  )
  throw new TypeError(
    `execArgv (${flag}) puts every host's inspector on port ${fixedPort}` +
      `${isPortNamed ? '' : " (Node's default)"}, but this launcher runs ${total} hosts at once ` +
      `(hosts: ${hosts}, standby: ${standby}) and only one can listen on it; use --inspect=0 ` +
      `(each host gets a free port, printed on its stderr) or standby: 0`,
  )
}

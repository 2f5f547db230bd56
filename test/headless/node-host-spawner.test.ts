import { pathToFileURL } from 'node:url'
import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { defaultHostScript, NodeHostSpawner } from '../../src/main/headless/node-host-spawner'
import type { Logger } from '../../src/main/host-pipe'
import { HOST_SCRIPT, requireBuiltHost } from '../support/ipc-launcher-harness'
import { waitFor } from '../support/ipc-wait'

function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = []
  const push = (...a: unknown[]): void => void lines.push(a.join(' '))
  return { lines, debug: push, info: push, warn: push, error: push }
}

describe('NodeHostSpawner', () => {
  it('finds out/main/host.js beside the launcher bundle, also from a shared chunk', () => {
    requireBuiltHost()
    expect(defaultHostScript(pathToFileURL(resolve('out/main/headless.js')).href)).toBe(HOST_SCRIPT)
    expect(defaultHostScript(pathToFileURL(resolve('out/main/chunks/shared.js')).href)).toBe(HOST_SCRIPT)
  })

  it('forwards host output to the logger, reports the exit once, and kill says false afterwards', async () => {
    requireBuiltHost()
    const log = recordingLogger()
    const spawner = new NodeHostSpawner({ hostScript: HOST_SCRIPT, log })
    // No socket path: the host says so on stderr and exits with code 2.
    const host = spawner.spawn({
      transport: 'pipe',
      token: 't',
      socketPath: null,
      env: { HOSTPIPE_PIPE: '' },
      args: [],
    })
    expect(host.connection).toBeUndefined()
    const exits: unknown[] = []
    host.onExit((info) => exits.push(info))
    await waitFor(() => exits.length === 1, 'the exit')
    expect(exits).toEqual([{ code: 2, signal: null, crashed: true }])
    const late: unknown[] = []
    host.onExit((info) => late.push(info))
    await waitFor(() => late.length === 1, 'the late listener')
    expect(host.kill('SIGKILL')).toBe(false)
    await waitFor(
      () => log.lines.some((l) => l.includes(`[host ${host.pid}]`) && l.includes('HOSTPIPE_PIPE')),
      'stderr',
    )
    expect(exits).toHaveLength(1)
  })

  it('gives a port-transport host a framed socket on fd 3, and no Node IPC channel', async () => {
    requireBuiltHost()
    const spawner = new NodeHostSpawner({ hostScript: HOST_SCRIPT })
    const host = spawner.spawn({ transport: 'port', token: 't', socketPath: null, args: [] })
    expect(host.connection?.description).toBe(`host fd 3 pid ${host.pid}`)
    const frames: string[] = []
    host.connection!.onFrame((f) =>
      frames.push(typeof f === 'string' ? f : new TextDecoder().decode(f as Uint8Array)),
    )
    await waitFor(() => frames.length === 1, 'the register frame')
    expect(JSON.parse(frames[0]!)).toMatchObject({ cmd: 'register', kind: 'host', pid: host.pid, token: 't' })
    let exitCode: number | null | undefined
    host.onExit((info) => (exitCode = info.code))
    host.connection!.close()
    await waitFor(() => exitCode !== undefined, 'the host to exit')
    expect(exitCode).toBe(1)
  })
})

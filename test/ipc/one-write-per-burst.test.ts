import type { Socket } from 'node:net'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { HostPipe } from '../../src/main/host-pipe'
import { connectionWriter } from '../../src/main/ipc/connection-writer'
import { SocketConnection } from '../../src/main/ipc/socket-connection'
import type { RawClient } from '../support/ipc-raw-client'
import { waitFor } from '../support/ipc-wait'
import { socketPair } from '../support/socket-pair'

const BURST = 10

/** The contexts a caller can send a burst from; each runs `burst` and resolves once it has run. */
const contexts: Array<[string, (burst: () => void) => Promise<void>]> = [
  ['a timer callback', (burst) => new Promise((resolve) => setTimeout(() => (burst(), resolve()), 1))],
  ['an immediate', (burst) => new Promise((resolve) => setImmediate(() => (burst(), resolve())))],
  ['a microtask', (burst) => new Promise((resolve) => queueMicrotask(() => (burst(), resolve())))],
  [
    'a promise continuation',
    async (burst) => {
      await new Promise((resolve) => setTimeout(resolve, 1))
      burst()
    },
  ],
]

/**
 * HostPipe writing a real socket through the launcher's own writer (connectionWriter, as
 * LauncherServer sets it), with a spy counting the `socket.write` calls a burst costs.
 */
async function pipeOnSocket(cleanup: Array<() => Promise<void>>): Promise<{
  pipe: HostPipe
  client: RawClient
  socket: Socket
  writes: () => number
}> {
  const { socket, client } = await socketPair(cleanup)
  const conn = new SocketConnection(socket)
  const pipe = new HostPipe({ emit: () => undefined, nextVersion: () => 0 })
  cleanup.push(async () => {
    pipe.dispose()
    conn.close()
  })
  await pipe.setWriter(connectionWriter(conn), { acks: true })
  const write = vi.spyOn(socket, 'write')
  return { pipe, client, socket, writes: () => write.mock.calls.length }
}

describe('one socket write per burst (HostPipe over SocketConnection)', () => {
  const cleanup: Array<() => Promise<void>> = []
  afterEach(async () => {
    for (const fn of cleanup.splice(0).reverse()) await fn()
  })

  it.each(contexts)(
    'writes a burst of sendCommand calls made from %s in one socket.write',
    async (_, run) => {
      const { pipe, client, writes } = await pipeOnSocket(cleanup)
      await run(() => {
        for (let i = 1; i <= BURST; i++) void pipe.sendCommand({ cmd: 'spawn_pool_window', saga_id: i })
      })
      await waitFor(() => client.frames.length === BURST, `${BURST} frames`)
      expect(client.frames.map((f) => [f.seq, f.saga_id])).toEqual(
        Array.from({ length: BURST }, (_, i) => [i + 1, i + 1]),
      )
      expect(writes()).toBe(1)
    },
  )

  it('writes a burst of awaited sendCommand calls in one socket.write', async () => {
    const { pipe, client, writes } = await pipeOnSocket(cleanup)
    await new Promise<void>((resolve) =>
      setTimeout(() => {
        void (async () => {
          for (let i = 1; i <= BURST; i++) await pipe.sendCommand({ cmd: 'spawn_pool_window', saga_id: i })
          resolve()
        })()
      }, 1),
    )
    await waitFor(() => client.frames.length === BURST, `${BURST} frames`)
    expect(writes()).toBe(1)
  })

  it('writes the commands an ack lets out of the buffer in one socket.write', async () => {
    const { socket, client } = await socketPair(cleanup)
    const conn = new SocketConnection(socket)
    const pipe = new HostPipe({ emit: () => undefined, nextVersion: () => 0, maxInFlight: BURST })
    cleanup.push(async () => {
      pipe.dispose()
      conn.close()
    })
    await pipe.setWriter(connectionWriter(conn), { acks: true })
    for (let i = 1; i <= 2 * BURST; i++) void pipe.sendCommand({ cmd: 'spawn_pool_window', saga_id: i })
    await waitFor(() => client.frames.length === BURST, `the first ${BURST} frames`)
    expect(pipe.snapshot().pending).toBe(BURST)
    const write = vi.spyOn(socket, 'write')
    // As LauncherServer calls it: from the I/O callback that read the host's ack.
    setImmediate(() => pipe.ack(BURST))
    await waitFor(() => client.frames.length === 2 * BURST, `${2 * BURST} frames`)
    expect(client.frames.map((f) => f.seq)).toEqual(Array.from({ length: 2 * BURST }, (_, i) => i + 1))
    expect(write).toHaveBeenCalledTimes(1)
  })
})

import { existsSync } from 'node:fs'
import { mkdtemp, rename, rm, stat, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { FrameConnection } from '../../src/main/ipc/frame-connection'
import { SocketServer } from '../../src/main/ipc/socket-server'
import { RawClient } from '../support/ipc-raw-client'
import { waitFor } from '../support/ipc-wait'

describe('SocketServer', () => {
  const cleanup: Array<() => Promise<void>> = []
  afterEach(async () => {
    for (const fn of cleanup.splice(0).reverse()) await fn()
  })

  async function scratchDir(): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'hostpipe-test-'))
    cleanup.push(() => rm(dir, { recursive: true, force: true }))
    return dir
  }

  async function listen(opts: { path?: string } = {}) {
    const conns: FrameConnection[] = []
    const server = await SocketServer.listen({ onConnection: (c) => conns.push(c), ...opts })
    cleanup.push(() => server.close())
    return { server, conns }
  }

  it('listens in a private 0700 directory on a 0600 socket', async () => {
    const { server } = await listen()
    expect(server.dir).toBe(dirname(server.path))
    expect((await stat(server.dir!)).mode & 0o777).toBe(0o700)
    const socket = await stat(server.path)
    expect(socket.isSocket()).toBe(true)
    expect(socket.mode & 0o777).toBe(0o600)
  })

  it('hands each connection over and closes them all on close, removing the socket and its directory', async () => {
    const { server, conns } = await listen()
    const client = await RawClient.connect(server.path)
    await waitFor(() => conns.length === 1, 'the connection')
    const closes: string[] = []
    conns[0]!.onClose((r) => closes.push(r))
    await server.close()
    await client.waitForEnd()
    expect(closes).toEqual(['closed'])
    expect(existsSync(server.path)).toBe(false)
    expect(existsSync(server.dir!)).toBe(false)
  })

  it('replaces a stale socket file nobody listens on', async () => {
    const dir = await scratchDir()
    const path = join(dir, 'fixed.sock')
    // A socket file whose listener is gone: listen elsewhere, move the file, close the listener.
    const old = createServer()
    await new Promise<void>((resolve) => old.listen(join(dir, 'old.sock'), resolve))
    await rename(join(dir, 'old.sock'), path)
    await new Promise<void>((resolve) => old.close(() => resolve()))
    expect((await stat(path)).isSocket()).toBe(true)
    const { server } = await listen({ path })
    expect(server.path).toBe(path)
    expect(server.dir).toBeUndefined()
    const client = await RawClient.connect(path)
    client.destroy()
  })

  it('refuses to remove a file at the path that is not a socket', async () => {
    const path = join(await scratchDir(), 'precious.txt')
    await writeFile(path, 'keep me')
    await expect(SocketServer.listen({ onConnection: () => undefined, path })).rejects.toThrow(/not a socket/)
    expect(existsSync(path)).toBe(true)
  })

  it('refuses to take over a socket another process still answers on', async () => {
    const { server } = await listen()
    await expect(SocketServer.listen({ onConnection: () => undefined, path: server.path })).rejects.toThrow(
      /may be in use/,
    )
    const client = await RawClient.connect(server.path)
    client.destroy()
  })
})

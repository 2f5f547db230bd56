import { rm } from 'node:fs/promises'
import { createServer, type Socket } from 'node:net'
import { join } from 'node:path'
import { makePrivateDir } from '../../src/main/ipc/pipe-path'
import { RawClient } from './ipc-raw-client'
import { waitFor } from './ipc-wait'

/**
 * A real Unix socket pair: the accepting side as a raw Socket, the connecting side as a RawClient.
 * Everything it opens is closed by the functions it pushes onto `cleanup` (run them in reverse).
 */
export async function socketPair(
  cleanup: Array<() => Promise<void>>,
): Promise<{ socket: Socket; client: RawClient }> {
  const dir = await makePrivateDir()
  cleanup.push(() => rm(dir, { recursive: true, force: true }))
  let accepted: Socket | undefined
  const server = createServer((s) => (accepted = s))
  const path = join(dir, 'pair.sock')
  await new Promise<void>((resolve) => server.listen(path, resolve))
  cleanup.push(() => new Promise<void>((resolve) => server.close(() => resolve())))
  const client = await RawClient.connect(path)
  cleanup.push(async () => client.destroy())
  await waitFor(() => accepted !== undefined, 'the accepted socket')
  return { socket: accepted!, client }
}

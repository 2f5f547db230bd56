import { existsSync } from 'node:fs'
import { readFile, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { NodeHostSpawner } from '../../src/main/headless/node-host-spawner'
import { createLauncher } from '../../src/main/launcher/launcher'
import type { Launcher } from '../../src/main/launcher/launcher'
import { HOST_SCRIPT, requireBuiltHost } from '../support/ipc-launcher-harness'

const isLinux = process.platform === 'linux'

/**
 * The real launcher (createLauncher + NodeHostSpawner, pipe transport) started under the most
 * permissive umask: its socket and the launch token must stay private to this user anyway.
 * (test/ipc/socket-server.test.ts checks the SocketServer's modes on their own.)
 */
describe.skipIf(process.platform === 'win32')(
  'the launcher socket and token, seen by other local users',
  () => {
    let launcher: Launcher
    let socketPath: string

    beforeAll(async () => {
      requireBuiltHost()
      launcher = createLauncher({ spawner: new NodeHostSpawner({ hostScript: HOST_SCRIPT }) })
      const umask = process.umask(0o000)
      try {
        await launcher.start()
      } finally {
        process.umask(umask)
      }
      socketPath = launcher.diagnostics.snapshot().socketPath!
    })

    afterAll(async () => {
      await launcher?.dispose()
    })

    it('puts the socket, mode 0600, in a fresh 0700 directory of its own, owned by this user, even with umask 000', async () => {
      const dir = dirname(socketPath)
      expect(dirname(dir)).toBe(tmpdir())
      const dirInfo = await stat(dir)
      const socketInfo = await stat(socketPath)
      expect(dirInfo.mode & 0o777).toBe(0o700)
      expect(socketInfo.isSocket()).toBe(true)
      expect(socketInfo.mode & 0o777).toBe(0o600)
      expect(dirInfo.uid).toBe(process.getuid!())
      expect(socketInfo.uid).toBe(process.getuid!())
    })

    it('uses a 256-bit random token', () => {
      expect(Buffer.from(launcher.token, 'base64url')).toHaveLength(32)
    })

    it.skipIf(!isLinux)(
      'hands the token to the host in its environment (readable by this user only), never on its command line',
      async () => {
        const pid = launcher.diagnostics.snapshot().hostPid!
        const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8')
        expect(cmdline).toContain('host.js')
        expect(cmdline).not.toContain(launcher.token)
        const environ = `/proc/${pid}/environ`
        expect((await readFile(environ, 'utf8')).split('\0')).toContain(`HOSTPIPE_TOKEN=${launcher.token}`)
        expect((await stat(environ)).mode & 0o077).toBe(0)
      },
    )

    it('removes the socket and its directory when disposed', async () => {
      await launcher.dispose()
      expect(existsSync(socketPath)).toBe(false)
      expect(existsSync(dirname(socketPath))).toBe(false)
    })
  },
)

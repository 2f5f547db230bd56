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

    it('uses two 256-bit random tokens, one for hosts and one for the API', () => {
      expect(Buffer.from(launcher.hostToken, 'base64url')).toHaveLength(32)
      expect(Buffer.from(launcher.apiToken, 'base64url')).toHaveLength(32)
      expect(launcher.apiToken).not.toBe(launcher.hostToken)
      expect(launcher.token).toBe(launcher.apiToken)
    })

    it.skipIf(!isLinux)(
      'hands the host token to the host in its environment (readable by this user only), never on its command line, and never the API token',
      async () => {
        const pid = launcher.diagnostics.snapshot().hostPid!
        const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8')
        expect(cmdline).toContain('host.js')
        expect(cmdline).not.toContain(launcher.hostToken)
        const environ = `/proc/${pid}/environ`
        const env = await readFile(environ, 'utf8')
        expect(env.split('\0')).toContain(`HOSTPIPE_TOKEN=${launcher.hostToken}`)
        // The host never sees the API token.
        expect(env).not.toContain(launcher.apiToken)
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

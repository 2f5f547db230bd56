import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MAX_UNREGISTERED_CONNECTIONS } from '../../src/main/ipc/launcher-server'
import { startTestLauncher, type TestHost, type TestLauncher } from '../support/ipc-launcher-harness'
import { waitFor } from '../support/ipc-wait'
import { retainedMemoryMb } from '../support/retained-memory'
import { FuzzClient } from './fuzz-client'
import { HostHeartbeat } from './host-heartbeat'

const isLong = process.env.HOSTPIPE_FUZZ === 'long'
/** Short so the test is quick; the default (5 s) is the same code path. */
const REGISTER_TIMEOUT_MS = 400
const FLOOD_WAVES = isLong ? 10 : 2
const CHURN_CONNECTIONS = isLong ? 5_000 : 500

describe('a flood of connections that never register', () => {
  let launcher: TestLauncher
  let host: TestHost
  let heartbeat: HostHeartbeat

  beforeAll(async () => {
    launcher = await startTestLauncher({
      transport: 'pipe',
      server: { registerTimeoutMs: REGISTER_TIMEOUT_MS },
    })
    host = launcher.spawnHost()
    await launcher.waitForRegistration(host)
    heartbeat = new HostHeartbeat(launcher.pipe)
    heartbeat.start()
  })

  afterAll(async () => {
    heartbeat.stop()
    await launcher.dispose()
  })

  /** After each test: the host acked everything, alone on the socket, in its first session. */
  async function expectHostUnharmed(): Promise<void> {
    const sent = heartbeat.sent
    await waitFor(() => heartbeat.acked >= sent, 'the host to ack every heartbeat command')
    expect(heartbeat.maxAckLatencyMs).toBeLessThan(2_000)
    expect(launcher.emitted.filter((e) => e.event === 'saga_failed')).toEqual([])
    expect(host.exit).toBeUndefined()
    expect(launcher.server.currentHost).toMatchObject({ pid: host.process.pid, sessionId: 1 })
    await waitFor(
      () => launcher.socketServer!.connectionCount === 1 && launcher.server.unregisteredCount === 0,
      'only the host connected',
    )
  }

  it(
    `holds at most ${MAX_UNREGISTERED_CONNECTIONS} unregistered connections, closes the rest at once and ` +
      'the others after the register timeout (silent or dribbling), while the host keeps acking',
    async () => {
      const path = launcher.socketServer!.path
      const extra = 16
      for (let wave = 0; wave < FLOOD_WAVES; wave++) {
        const clients: FuzzClient[] = []
        const dribblers: Array<ReturnType<typeof setInterval>> = []
        try {
          for (let i = 0; i < MAX_UNREGISTERED_CONNECTIONS + extra; i++) {
            const c = await FuzzClient.connect(path)
            clients.push(c)
            // Every other one dribbles a line that never ends (slowloris); the rest stay silent.
            if (i % 2 === 1) {
              const line = Buffer.from('{"cmd":"register","kind":"tool","token":"')
              let sent = 0
              const dribble = (): void => {
                const at = sent++ % line.length
                void c.writeChunks([line.subarray(at, at + 1)])
              }
              dribblers.push(setInterval(dribble, 20))
            }
          }
          const [kept, refused] = [
            clients.slice(0, MAX_UNREGISTERED_CONNECTIONS),
            clients.slice(MAX_UNREGISTERED_CONNECTIONS),
          ]
          // Beyond the cap: closed on arrival, without a word.
          for (const c of refused) {
            await c.waitForClose('a connection over the cap to be closed')
            expect(c.unread).toBe(0)
          }
          expect(launcher.server.unregisteredCount).toBe(MAX_UNREGISTERED_CONNECTIONS)
          // While the cap is reached, a well-behaved client is refused too (see SECURITY.md).
          const latecomer = await FuzzClient.connect(path)
          await latecomer.waitForClose('a latecomer to be refused while the cap is reached')
          latecomer.destroy()
          // The rest: `not_registered` once the register timeout has run out, then closed.
          for (const c of kept) {
            const answer = await c.next('not_registered after the register timeout')
            expect(answer).toMatchObject({ event: 'error', code: 'not_registered', fatal: true, version: 0 })
            await c.waitForClose('the launcher to close an idle connection')
          }
          expect(launcher.server.unregisteredCount).toBe(0)
        } finally {
          for (const d of dribblers) clearInterval(d)
          for (const c of clients) c.destroy()
        }
        // Once the flood has cleared, a tool registers as usual.
        const tool = await FuzzClient.connect(path)
        tool.writeLine({
          cmd: 'register',
          kind: 'tool',
          pid: process.pid,
          version: 'flood',
          token: launcher.apiToken,
        })
        expect(await tool.next('the tool registration')).toMatchObject({ event: 'registered' })
        tool.destroy()
      }
      await expectHostUnharmed()
    },
    30_000 * FLOOD_WAVES,
  )

  it(
    `forgets ${CHURN_CONNECTIONS} connections that open and vanish without a word, holding no memory for them`,
    async () => {
      const path = launcher.socketServer!.path
      const before = await retainedMemoryMb()
      for (let i = 0; i < CHURN_CONNECTIONS; i += 50) {
        const batch = await Promise.all(Array.from({ length: 50 }, () => FuzzClient.connect(path)))
        for (const [j, c] of batch.entries()) {
          // Half say nothing at all, half leave half a line behind.
          if (j % 2 === 1) await c.writeChunks([Buffer.from('{"cmd":"ping","no')])
          c.destroy()
        }
        // Paced by the launcher: each batch is forgotten before the next (and the kernel's listen
        // backlog never fills, which would refuse connects with EAGAIN before the launcher sees them).
        await waitFor(
          () => launcher.socketServer!.connectionCount === 1 && launcher.server.unregisteredCount === 0,
          'the batch to be forgotten',
        )
      }
      await expectHostUnharmed()
      expect((await retainedMemoryMb()) - before).toBeLessThan(8)
    },
    isLong ? 120_000 : 30_000,
  )
})

import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { TOOL_BACKLOG_LIMIT } from '../../src/main/ipc/launcher-server'
import { MAX_FRAME_BYTES } from '../../src/shared/protocol'
import { startTestLauncher, type TestLauncher } from '../support/ipc-launcher-harness'
import { RawClient } from '../support/ipc-raw-client'
import { waitFor } from '../support/ipc-wait'

/** Real socket connections from the test, next to a real host, against the pipe transport. */
describe('launcher socket vs misbehaving clients', () => {
  let launcher: TestLauncher
  const clients: RawClient[] = []

  beforeEach(async () => {
    launcher = await startTestLauncher({ transport: 'pipe' })
  })

  afterEach(async () => {
    for (const c of clients.splice(0)) c.destroy()
    await launcher.dispose()
  })

  async function client(): Promise<RawClient> {
    const c = await RawClient.connect(launcher.socketServer!.path)
    clients.push(c)
    return c
  }

  const isError = (code: string) => (f: Record<string, unknown>) => f.event === 'error' && f.code === code

  it('refuses a wrong token with unauthorized and closes the connection', async () => {
    const c = await client()
    c.register('not-the-token', 'host')
    const err = await c.waitForFrame(isError('unauthorized'), 'unauthorized')
    expect(err).toMatchObject({ fatal: true, version: 0 })
    await c.waitForEnd()
    expect(launcher.registered).toEqual([])
  })

  it('answers a frame sent before register with not_registered and closes the connection', async () => {
    const c = await client()
    c.sendLine({ cmd: 'ping', nonce: 1 })
    expect(await c.waitForFrame(isError('not_registered'), 'not_registered')).toMatchObject({ fatal: true })
    await c.waitForEnd()
  })

  it('closes a connection that sends an over-long line, and the host keeps working', async () => {
    const host = launcher.spawnHost()
    await launcher.waitForRegistration(host)
    const c = await client()
    c.register(launcher.apiToken)
    await c.waitForFrame((f) => f.event === 'registered', 'registered')
    // Never terminated: the launcher must refuse it without waiting for the end.
    c.write('{"cmd":"ping","nonce":"' + 'x'.repeat(MAX_FRAME_BYTES + 10))
    expect(await c.waitForFrame(isError('frame_too_large'), 'frame_too_large')).toMatchObject({
      fatal: true,
      version: 0,
    })
    await c.waitForEnd()
    await launcher.pipe.sendCommand({ cmd: 'spawn_pool_window', saga_id: 1 })
    await waitFor(() => launcher.pipe.snapshot().counters.acked === 1, 'the host to ack')
    expect(host.exit).toBeUndefined()
  })

  it('answers garbage after register with a non-fatal invalid_command and keeps the connection', async () => {
    const c = await client()
    c.register(launcher.apiToken)
    await c.waitForFrame((f) => f.event === 'registered', 'registered')
    c.write('this is not json\n')
    c.write(new Uint8Array([0x7b, 0xc3, 0x28, 0x7d, 0x0a]))
    c.sendLine({ cmd: 'ack', seq: 'seven' })
    c.sendLine({ cmd: 'ping', nonce: 77 })
    const pong = await c.waitForFrame((f) => f.event === 'pong', 'pong')
    expect(pong.nonce).toBe(77)
    const errors = c.frames.filter((f) => f.event === 'error')
    expect(errors).toHaveLength(3)
    for (const e of errors) expect(e).toMatchObject({ code: 'invalid_command', fatal: false, version: 0 })
    expect(c.isEnded).toBe(false)
  })

  it('delivers a frame split into single bytes, multi-byte characters included', async () => {
    const c = await client()
    const line = Buffer.from(
      JSON.stringify({
        cmd: 'register',
        kind: 'tool',
        pid: 1,
        version: 'ünïcødé 😀',
        token: launcher.apiToken,
      }) + '\r\n',
    )
    for (const byte of line) c.write(Buffer.from([byte]))
    expect(await c.waitForFrame((f) => f.event === 'registered', 'registered')).toMatchObject({
      client_id: 1,
    })
  })

  it('sends a registered tool every broadcast event', async () => {
    const tool = await client()
    tool.register(launcher.apiToken, 'tool')
    await tool.waitForFrame((f) => f.event === 'registered', 'tool registered')
    launcher.server.broadcast({ event: 'saga_started', saga_id: 3, name: 'spawn', version: 1 })
    expect(await tool.waitForFrame((f) => f.event === 'saga_started', 'saga_started')).toMatchObject({
      saga_id: 3,
    })
  })

  it('keeps a tool that reads, even when a storm of events far past its backlog limit comes in one tick', async () => {
    const tool = await client()
    tool.register(launcher.apiToken, 'tool')
    await tool.waitForFrame((f) => f.event === 'registered', 'tool registered')
    const storm = 5 * TOOL_BACKLOG_LIMIT
    for (let i = 1; i <= storm; i++)
      launcher.server.broadcast({ event: 'saga_failed', saga_id: i, reason: 'storm', version: i })
    await waitFor(() => tool.frames.filter((f) => f.event === 'saga_failed').length === storm, 'the storm')
    expect(tool.isEnded).toBe(false)
    expect(launcher.server.toolCount).toBe(1)
  })

  it('writes enveloped commands to a hand-driven host and takes its cumulative ack', async () => {
    const c = await client()
    c.sendLine({
      cmd: 'register',
      kind: 'host',
      pid: 1,
      version: 'raw',
      token: launcher.token,
      features: ['ack'],
    })
    await c.waitForFrame((f) => f.event === 'registered', 'registered')
    await launcher.pipe.sendCommand({ cmd: 'spawn_pool_window', saga_id: 1 })
    await launcher.pipe.sendCommand({ cmd: 'probe_ui_thread', nonce: 2 })
    await waitFor(() => c.frames.filter((f) => f.kind === 'command').length === 2, 'two commands')
    const commands = c.frames.filter((f) => f.kind === 'command')
    expect(commands).toEqual([
      { kind: 'command', seq: expect.any(Number), cmd: 'spawn_pool_window', saga_id: 1 },
      { kind: 'command', seq: expect.any(Number), cmd: 'probe_ui_thread', nonce: 2 },
    ])
    c.sendLine({ cmd: 'ack', seq: commands[1]!.seq as number })
    await waitFor(() => launcher.pipe.snapshot().inFlight === 0, 'the cumulative ack')
    expect(launcher.pipe.snapshot().counters.acked).toBe(2)
  })
})

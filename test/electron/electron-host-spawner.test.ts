import type { EventEmitter } from 'node:events'
import { beforeEach, describe, expect, it, vi } from 'vitest'

const electron = vi.hoisted(() => ({
  forks: [] as Array<{
    modulePath: string
    args: string[]
    options: Record<string, unknown>
    child: unknown
  }>,
  channels: [] as Array<{ port1: unknown; port2: unknown }>,
}))

vi.mock('electron', async () => {
  const { EventEmitter } = await import('node:events')
  const { PassThrough } = await import('node:stream')
  class FakePort extends EventEmitter {
    posted: unknown[] = []
    started = false
    closed = false
    postMessage(m: unknown) {
      this.posted.push(m)
    }
    start() {
      this.started = true
    }
    close() {
      this.closed = true
    }
  }
  class FakeUtilityProcess extends EventEmitter {
    pid = 1234
    stdout = new PassThrough()
    stderr = new PassThrough()
    messages: Array<{ message: unknown; transfer: unknown[] }> = []
    postMessage(message: unknown, transfer: unknown[] = []) {
      this.messages.push({ message, transfer })
    }
    kill() {
      return true
    }
  }
  return {
    utilityProcess: {
      fork: (modulePath: string, args: string[], options: Record<string, unknown>) => {
        const child = new FakeUtilityProcess()
        electron.forks.push({ modulePath, args, options, child })
        return child
      },
    },
    MessageChannelMain: class {
      port1 = new FakePort()
      port2 = new FakePort()
      constructor() {
        electron.channels.push(this)
      }
    },
  }
})

const { ElectronHostSpawner, mergeEnv } = await import('../../src/main/electron/electron-host-spawner')
const { HOST_PORT_MESSAGE } = await import('../../src/main/electron/host-port-handoff')
const { HostExitTracker, HOST_SERVICE_NAME } = await import('../../src/main/electron/host-exit-tracker')
const { HostSupervisor } = await import('../../src/main/launcher/host-supervisor')
const { createLauncher } = await import('../../src/main/launcher/launcher')
const { HostStartError } = await import('../../src/shared/host-start-error')

const log = { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() }

function spawner() {
  return new ElectronHostSpawner({
    hostPath: '/app/out/main/host.js',
    exits: new HostExitTracker(),
    log,
    baseEnv: { PATH: '/bin', UNSET: undefined },
  })
}

beforeEach(() => {
  electron.forks.length = 0
  electron.channels.length = 0
})

describe('spawning hosts with utilityProcess.fork', () => {
  it('forks host.js with a service name of its own, piped stdio, the args and the merged environment', () => {
    const s = spawner()
    s.spawn({
      transport: 'pipe',
      token: 't',
      socketPath: '/tmp/s',
      args: ['--host-delay-ms', '5'],
    })
    s.spawn({ transport: 'pipe', token: 't', socketPath: '/tmp/s', role: 'standby', spawnId: '2', args: [] })
    expect(electron.forks).toHaveLength(2)
    // One serviceName per host, so child-process-gone names the host it is about.
    expect(electron.forks[1]!.options).toMatchObject({
      serviceName: `${HOST_SERVICE_NAME}-0-2`,
      env: { HOSTPIPE_ROLE: 'standby', HOSTPIPE_SPAWN_ID: '2' },
    })
    const fork = electron.forks[0]!
    expect(fork.modulePath).toBe('/app/out/main/host.js')
    expect(fork.args).toEqual(['--host-delay-ms', '5'])
    expect(fork.options).toEqual({
      serviceName: `${HOST_SERVICE_NAME}-0-1`,
      stdio: 'pipe',
      env: { PATH: '/bin', HOSTPIPE_TOKEN: 't', HOSTPIPE_PIPE: '/tmp/s', HOSTPIPE_TRANSPORT: 'pipe' },
    })
  })

  it("forks with the app's execArgv, cwd and env, its serviceName per slot and spawn, HOSTPIPE_* winning", () => {
    const s = new ElectronHostSpawner({
      hostPath: '/app/out/main/host.js',
      exits: new HostExitTracker(),
      log,
      baseEnv: { PATH: '/bin' },
      serviceName: 'my-app-worker',
    })
    s.spawn({ transport: 'port', token: 't', socketPath: null, args: [] })
    s.spawn({
      transport: 'port',
      token: 't',
      socketPath: null,
      args: [],
      slot: 1,
      execArgv: ['--inspect=0'],
      cwd: '/',
      env: { APP_MODE: 'debug', HOSTPIPE_TOKEN: 'app' },
    })
    expect(electron.forks[0]!.options).toMatchObject({ serviceName: 'my-app-worker-0-1' })
    expect(electron.forks[0]!.options).not.toHaveProperty('execArgv')
    expect(electron.forks[1]!.options).toMatchObject({
      serviceName: 'my-app-worker-1-2',
      execArgv: ['--inspect=0'],
      cwd: '/',
      env: { PATH: '/bin', APP_MODE: 'debug', HOSTPIPE_TOKEN: 't' },
    })
  })

  it('refuses a cwd that is not a directory, naming it', () => {
    expect(() =>
      spawner().spawn({ transport: 'pipe', token: 't', socketPath: null, args: [], cwd: '/no/such/dir' }),
    ).toThrow(/cwd is not a directory: \/no\/such\/dir/)
  })

  it('opens no port on the pipe transport', () => {
    const host = spawner().spawn({ transport: 'pipe', token: 't', socketPath: null, args: [] })
    expect(host.connection).toBeUndefined()
    expect(electron.channels).toHaveLength(0)
  })

  it('hands one end of a MessageChannelMain to the host and keeps the other as the connection', async () => {
    const host = spawner().spawn({ transport: 'port', token: 't', socketPath: null, args: [] })
    const [channel] = electron.channels as Array<{
      port1: { posted: unknown[]; closed: boolean }
      port2: unknown
    }>
    const child = electron.forks[0]!.child as { messages: Array<{ message: unknown; transfer: unknown[] }> }
    expect(child.messages).toEqual([{ message: HOST_PORT_MESSAGE, transfer: [channel!.port2] }])
    expect(host.connection).toBeDefined()
    await host.connection!.send('{"event":"pong","nonce":1,"version":1}')
    expect(channel!.port1.posted).toEqual(['{"event":"pong","nonce":1,"version":1}'])
  })

  it('closes the port when the host exits, and refuses to post to it after', async () => {
    const host = spawner().spawn({ transport: 'port', token: 't', socketPath: null, args: [] })
    const [channel] = electron.channels as Array<{ port1: { posted: unknown[]; closed: boolean } }>
    const child = electron.forks[0]!.child as EventEmitter
    child.emit('exit', 1)
    expect(channel!.port1.closed).toBe(true)
    await expect(host.connection!.send('{}')).rejects.toThrow()
    expect(channel!.port1.posted).toEqual([])
  })
})

describe('a pool of hosts under utilityProcess', () => {
  it('names each slot’s host after its slot: the launcher hands the supervisor’s slot to the spawner', async () => {
    const launcher = createLauncher({
      spawner: new ElectronHostSpawner({
        hostPath: '/app/out/main/host.js',
        exits: new HostExitTracker({ serviceName: 'my-app-worker' }),
        log,
        baseEnv: {},
        serviceName: 'my-app-worker',
      }),
      hosts: 2,
      standby: 0,
      startTimeoutMs: 0,
    })
    const started = launcher.start().catch((err: unknown) => err)
    await vi.waitFor(() => expect(electron.forks).toHaveLength(2))
    expect(electron.forks.map((f) => f.options.serviceName)).toEqual([
      'my-app-worker-0-1',
      'my-app-worker-1-2',
    ])
    const disposed = launcher.dispose()
    for (const { child } of electron.forks) (child as EventEmitter).emit('exit', 0)
    await disposed
    await started
  })
})

describe('a host that fails to start under utilityProcess', () => {
  it('gives the start error its entry, its exit code and the last lines of its stderr', async () => {
    const s = spawner()
    const supervisor = new HostSupervisor({
      spawn: (spawnId) => s.spawn({ transport: 'pipe', token: 't', socketPath: '/tmp/s', spawnId, args: [] }),
      maxRestarts: 0,
      startTimeoutMs: 0,
    })
    supervisor.startHost()
    const child = electron.forks[0]!.child as EventEmitter & { stderr: NodeJS.WritableStream }
    child.stderr.write('file:///app/out/main/host.js:3\n')
    child.stderr.write("SyntaxError: Unexpected token '}'\n")
    child.stderr.end()
    child.emit('exit', 1)
    expect(supervisor.state).toBe('gave-up')
    const error = await supervisor.startError()
    expect(error).toBeInstanceOf(HostStartError)
    expect(error.code).toBe('EXITED')
    expect(error.exitCode).toBe(1)
    expect(error.message).toContain('/app/out/main/host.js')
    expect(error.stderrTail).toEqual(['file:///app/out/main/host.js:3', "SyntaxError: Unexpected token '}'"])
    supervisor.dispose()
  })
})

describe('merging a host environment', () => {
  it('drops undefined entries and lets the launcher’s variables win', () => {
    expect(mergeEnv({ A: '1', B: undefined, C: 'old' }, { C: 'new' })).toEqual({ A: '1', C: 'new' })
  })
})

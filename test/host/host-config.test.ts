import { describe, expect, it } from 'vitest'
import { parseHostConfig } from '../../src/main/host/host-config'

describe('host config', () => {
  it('reads the pipe transport from the environment', () => {
    expect(
      parseHostConfig(
        { HOSTPIPE_PIPE: '/tmp/x/host.sock', HOSTPIPE_TOKEN: 't', HOSTPIPE_RECORD: '/tmp/r' },
        [],
      ),
    ).toEqual({
      transport: 'pipe',
      pipePath: '/tmp/x/host.sock',
      token: 't',
      delayMs: 0,
      recordPath: '/tmp/r',
      isDebug: false,
    })
  })

  it('reads HOSTPIPE_ROLE=standby (sent as register.role) and refuses any other role by name', () => {
    expect(parseHostConfig({ HOSTPIPE_PIPE: '/p', HOSTPIPE_ROLE: 'standby' }, []).role).toBe('standby')
    expect(parseHostConfig({ HOSTPIPE_PIPE: '/p' }, []).role).toBeUndefined()
    expect(() => parseHostConfig({ HOSTPIPE_PIPE: '/p', HOSTPIPE_ROLE: 'spare' }, [])).toThrow(
      'HOSTPIPE_ROLE must be "standby" or unset, got "spare"',
    )
  })

  it('takes --host-delay-ms as a separate or joined argument', () => {
    const env = { HOSTPIPE_PIPE: '/p' }
    expect(parseHostConfig(env, ['--host-delay-ms', '5']).delayMs).toBe(5)
    expect(parseHostConfig(env, ['--host-delay-ms=7']).delayMs).toBe(7)
  })

  it('refuses a delay that is not a non-negative integer, naming the flag', () => {
    for (const bad of [
      ['--host-delay-ms'],
      ['--host-delay-ms', '-1'],
      ['--host-delay-ms=1.5'],
      ['--host-delay-ms', 'x'],
    ])
      expect(() => parseHostConfig({ HOSTPIPE_PIPE: '/p' }, bad)).toThrow(/--host-delay-ms/)
  })

  it('needs a socket path for the pipe transport and a known transport name', () => {
    expect(() => parseHostConfig({}, [])).toThrow(/HOSTPIPE_PIPE/)
    expect(() => parseHostConfig({ HOSTPIPE_TRANSPORT: 'carrier-pigeon' }, [])).toThrow(/HOSTPIPE_TRANSPORT/)
  })

  it('uses the port transport when asked, or when it has a port channel and no socket path', () => {
    expect(parseHostConfig({ HOSTPIPE_TRANSPORT: 'port' }, []).transport).toBe('port')
    expect(parseHostConfig({}, [], true).transport).toBe('port')
    expect(parseHostConfig({ HOSTPIPE_PIPE: '/p' }, [], true).transport).toBe('pipe')
  })

  it('reads the port channel descriptor, refusing one that is not an inherited socket number', () => {
    expect(parseHostConfig({ HOSTPIPE_TRANSPORT: 'port', HOSTPIPE_PORT_FD: '3' }, []).portFd).toBe(3)
    for (const bad of ['2', '-1', '3.5', 'x', ' 3'])
      expect(() => parseHostConfig({ HOSTPIPE_TRANSPORT: 'port', HOSTPIPE_PORT_FD: bad }, [])).toThrow(
        `HOSTPIPE_PORT_FD must be an integer ≥ 3 (an inherited socket), got ${JSON.stringify(bad)}`,
      )
  })
})

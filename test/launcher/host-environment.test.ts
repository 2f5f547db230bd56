import { describe, expect, it } from 'vitest'
import { hostEnvironment } from '../../src/main/launcher/host-spawner'

describe('hostEnvironment', () => {
  it('gives a pipe-transport host the transport, the token and the socket path', () => {
    expect(
      hostEnvironment({ transport: 'pipe', token: 'secret', socketPath: '/tmp/x/pipe.sock', args: [] }),
    ).toEqual({
      HOSTPIPE_TRANSPORT: 'pipe',
      HOSTPIPE_TOKEN: 'secret',
      HOSTPIPE_PIPE: '/tmp/x/pipe.sock',
    })
  })

  it('gives a port-transport host no socket path', () => {
    expect(hostEnvironment({ transport: 'port', token: 'secret', socketPath: null, args: [] })).toEqual({
      HOSTPIPE_TRANSPORT: 'port',
      HOSTPIPE_TOKEN: 'secret',
    })
  })

  it("keeps the app's variables, the launcher's own HOSTPIPE_* ones over them", () => {
    const env = hostEnvironment({
      transport: 'pipe',
      token: 'secret',
      socketPath: '/s',
      spawnId: '3',
      args: [],
      env: { HOSTPIPE_RECORD: '/tmp/rec', HOSTPIPE_TOKEN: 'wrong', HOSTPIPE_SPAWN_ID: '9', APP_MODE: 'x' },
    })
    expect(env).toEqual({
      HOSTPIPE_TRANSPORT: 'pipe',
      HOSTPIPE_TOKEN: 'secret',
      HOSTPIPE_PIPE: '/s',
      HOSTPIPE_SPAWN_ID: '3',
      HOSTPIPE_RECORD: '/tmp/rec',
      APP_MODE: 'x',
    })
  })
})

import { describe, expect, it } from 'vitest'
import { checkInspectorPort, inspectorFlagsOf } from '../../src/main/launcher/inspector-flags'

describe('inspectorFlagsOf', () => {
  it('finds no inspector in flags that do not ask for one', () => {
    expect(inspectorFlagsOf([])).toEqual({ flag: undefined, fixedPort: undefined })
    expect(
      inspectorFlagsOf(['--max-old-space-size=100', '--inspector-typo', '--enable-source-maps']),
    ).toEqual({
      flag: undefined,
      fixedPort: undefined,
    })
  })

  it.each([
    [['--inspect'], '--inspect', 9229],
    [['--inspect-brk'], '--inspect-brk', 9229],
    [['--inspect-wait'], '--inspect-wait', 9229],
    [['--inspect=9230'], '--inspect=9230', 9230],
    [['--inspect-brk=127.0.0.1:9231'], '--inspect-brk=127.0.0.1:9231', 9231],
    [['--inspect=[::1]:9232'], '--inspect=[::1]:9232', 9232],
    [['--inspect=localhost'], '--inspect=localhost', 9229],
    [['--inspect-port=9233'], '--inspect-port=9233', 9233],
    [['--inspect-port', '9234'], '--inspect-port', 9234],
    [['--debug-port=9235'], '--debug-port=9235', 9235],
  ] as const)('reads %j as inspector flag %s on fixed port %d', (argv, flag, port) => {
    expect(inspectorFlagsOf(argv)).toEqual({ flag, fixedPort: port })
  })

  it('takes port 0 as a free port per host, not a fixed one', () => {
    expect(inspectorFlagsOf(['--inspect=0'])).toEqual({ flag: '--inspect=0', fixedPort: undefined })
    expect(inspectorFlagsOf(['--inspect-brk=127.0.0.1:0'])).toEqual({
      flag: '--inspect-brk=127.0.0.1:0',
      fixedPort: undefined,
    })
  })

  it('lets the last port given win, as Node does', () => {
    expect(inspectorFlagsOf(['--inspect=9229', '--inspect-port=0']).fixedPort).toBeUndefined()
    expect(inspectorFlagsOf(['--inspect=0', '--inspect-port', '9240']).fixedPort).toBe(9240)
    expect(inspectorFlagsOf(['--inspect-port=9241', '--inspect']).fixedPort).toBe(9241)
  })
})

describe('checkInspectorPort', () => {
  it('allows a fixed port with one host and no standby', () => {
    expect(() => checkInspectorPort(['--inspect=9229'], 1, 0)).not.toThrow()
  })

  it('allows port 0 and no inspector with any number of hosts', () => {
    expect(() => checkInspectorPort(['--inspect=0'], 4, 1)).not.toThrow()
    expect(() => checkInspectorPort(['--max-old-space-size=100'], 4, 1)).not.toThrow()
  })

  it('refuses a fixed port with a standby, naming the flag, the port and both ways out', () => {
    expect(() => checkInspectorPort(['--inspect-brk=127.0.0.1:9229'], 1, 1)).toThrow(TypeError)
    expect(() => checkInspectorPort(['--inspect-brk=127.0.0.1:9229'], 1, 1)).toThrow(
      /--inspect-brk=127\.0\.0\.1:9229.*port 9229.*2 hosts.*--inspect=0.*standby: 0/,
    )
  })

  it('refuses a fixed port with a pool of hosts', () => {
    expect(() => checkInspectorPort(['--inspect-port=9229'], 2, 0)).toThrow(/hosts: 2, standby: 0/)
  })

  it("says that a bare --inspect listens on Node's default port", () => {
    expect(() => checkInspectorPort(['--inspect'], 1, 1)).toThrow(/port 9229 \(Node's default\)/)
  })
})

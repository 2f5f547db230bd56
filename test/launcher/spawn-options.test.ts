import { describe, expect, it } from 'vitest'
import { checkHostEntry, checkServiceName, checkSpawnOptions } from '../../src/main/launcher/spawn-options'

describe('checkSpawnOptions', () => {
  it('returns nothing to set when the app gives no spawn options', () => {
    expect(checkSpawnOptions({}, 1)).toEqual({})
  })

  it('copies execArgv, env and cwd, so a later change by the app does not reach the hosts', () => {
    const execArgv = ['--max-old-space-size=100']
    const env = { APP_MODE: 'test' }
    const settings = checkSpawnOptions({ execArgv, env, cwd: '/tmp' }, 1)
    execArgv.push('--inspect=9229')
    env.APP_MODE = 'changed'
    expect(settings).toEqual({
      execArgv: ['--max-old-space-size=100'],
      env: { APP_MODE: 'test' },
      cwd: '/tmp',
    })
  })

  it.each([
    [{ execArgv: '--inspect' }, /execArgv must be an array of strings, got "--inspect"/],
    [{ execArgv: ['--a', 7] }, /execArgv must be an array of strings/],
    [{ env: ['A=1'] }, /env must be an object of string values/],
    [{ env: null }, /env must be an object of string values, got null/],
    [{ env: { PORT: 8080 } }, /env\.PORT must be a string, got 8080/],
    [{ cwd: '' }, /cwd must be a non-empty string/],
    [{ cwd: 42 }, /cwd must be a non-empty string \(a directory\), got 42/],
  ])('refuses %j with a TypeError naming the option', (opts, message) => {
    expect(() => checkSpawnOptions(opts, 1)).toThrow(TypeError)
    expect(() => checkSpawnOptions(opts, 1)).toThrow(message)
  })

  it('refuses a fixed inspector port with the default standby, and allows it with standby 0', () => {
    expect(() => checkSpawnOptions({ execArgv: ['--inspect=9229'] }, 1)).toThrow(/standby: 0/)
    expect(checkSpawnOptions({ execArgv: ['--inspect=9229'], standby: 0 }, 1)).toEqual({
      execArgv: ['--inspect=9229'],
    })
  })

  it('counts every host of a pool against a fixed inspector port', () => {
    expect(() => checkSpawnOptions({ execArgv: ['--inspect-port=9229'], hosts: 2, standby: 0 }, 1)).toThrow(
      /hosts: 2, standby: 0/,
    )
    expect(checkSpawnOptions({ execArgv: ['--inspect=0'], hosts: 4 }, 1).execArgv).toEqual(['--inspect=0'])
  })
})

describe('checkServiceName', () => {
  it('defaults, keeps a given name and refuses an empty or non-string one', () => {
    expect(checkServiceName(undefined, 'hostpipe-host')).toBe('hostpipe-host')
    expect(checkServiceName('my-worker', 'hostpipe-host')).toBe('my-worker')
    expect(() => checkServiceName('', 'hostpipe-host')).toThrow(/serviceName must be a non-empty string/)
    expect(() => checkServiceName(3, 'hostpipe-host')).toThrow(TypeError)
  })
})

describe('checkHostEntry', () => {
  it('keeps an absolute or relative file path as given', () => {
    expect(checkHostEntry('/app/dist/host.js')).toBe('/app/dist/host.js')
    expect(checkHostEntry('dist/host.js')).toBe('dist/host.js')
  })

  it.each([
    [
      new URL('file:///app/dist/host.js'),
      /got the URL file:\/\/\/app\/dist\/host\.js: pass fileURLToPath\(url\)/,
    ],
    [
      'file:///app/dist/host.js',
      /not a file: URL, got file:\/\/\/app\/dist\/host\.js: pass fileURLToPath\(url\)/,
    ],
    ['', /hostEntry must be the path of the host's built \.js file \(a non-empty string\), got ""/],
    [undefined, /hostEntry must be the path .*, got undefined/],
  ])('refuses %s with a TypeError saying what to pass instead', (entry, message) => {
    expect(() => checkHostEntry(entry)).toThrow(TypeError)
    expect(() => checkHostEntry(entry)).toThrow(message)
  })
})

import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createLogger, parseLogLevel } from '../../src/main/launcher/log'

const dirs: string[] = []
function tempLogFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hostpipe-log-'))
  dirs.push(dir)
  return join(dir, 'launcher.log')
}

afterEach(() => {
  vi.restoreAllMocks()
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

describe('createLogger', () => {
  it('writes to the log file and to stderr, never to stdout', () => {
    const stdout = vi.spyOn(process.stdout, 'write')
    const stderr: string[] = []
    const file = tempLogFile()
    const log = createLogger({ file, writeStderr: (t) => stderr.push(t), env: {} })
    log.info('host started', { pid: 42 })
    log.error('host crashed')
    expect(stdout).not.toHaveBeenCalled()
    expect(stderr).toHaveLength(2)
    expect(stderr[0]).toMatch(/host started \{ pid: 42 \}\n$/)
    const text = readFileSync(file, 'utf8')
    expect(text).toMatch(/\[info\] +host started/)
    expect(text).toMatch(/\[error\] +host crashed/)
  })

  it('takes its level from HOSTPIPE_LOG_LEVEL', () => {
    const stderr: string[] = []
    const log = createLogger({
      file: false,
      writeStderr: (t) => stderr.push(t),
      env: { HOSTPIPE_LOG_LEVEL: 'warn' },
    })
    log.debug('d')
    log.info('i')
    log.warn('w')
    log.error('e')
    expect(stderr.map((l) => l.trim().slice(-1))).toEqual(['w', 'e'])
  })

  it('logs debug lines only when asked to', () => {
    const stderr: string[] = []
    createLogger({ file: false, writeStderr: (t) => stderr.push(t), env: {} }).debug('quiet')
    createLogger({ file: false, writeStderr: (t) => stderr.push(t), level: 'DEBUG' }).debug('loud')
    expect(stderr.join('')).not.toContain('quiet')
    expect(stderr.join('')).toContain('loud')
  })

  it('warns about an unknown level and falls back to info', () => {
    const stderr: string[] = []
    const log = createLogger({
      file: false,
      writeStderr: (t) => stderr.push(t),
      env: { HOSTPIPE_LOG_LEVEL: 'chatty' },
    })
    log.info('still here')
    expect(stderr[0]).toContain(
      'HOSTPIPE_LOG_LEVEL="chatty" is not one of error, warn, info, debug: using info',
    )
    expect(stderr[1]).toContain('still here')
  })
})

describe('parseLogLevel', () => {
  it('accepts the four levels in any case and defaults to info', () => {
    expect(parseLogLevel(' Warn ')).toBe('warn')
    expect(parseLogLevel('debug')).toBe('debug')
    expect(parseLogLevel(undefined)).toBe('info')
    expect(parseLogLevel('verbose')).toBe('info')
  })
})

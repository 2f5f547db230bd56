import { rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  createPipeLocation,
  MAX_UNIX_SOCKET_PATH_BYTES,
  randomPipeId,
  SOCKET_FILE_NAME,
  unixSocketPath,
  windowsPipeName,
} from '../../src/main/ipc/pipe-path'

describe('pipe paths', () => {
  it('names a Windows pipe \\\\.\\pipe\\hostpipe-<id>', () => {
    expect(windowsPipeName('abc123')).toBe('\\\\.\\pipe\\hostpipe-abc123')
    expect(windowsPipeName('abc123').startsWith(String.raw`\\.\pipe\hostpipe-`)).toBe(true)
  })

  it('refuses a pipe id that could escape the pipe namespace or is empty', () => {
    for (const id of ['', '..\\x', 'a/b', 'a b', 'x'.repeat(65)])
      expect(() => windowsPipeName(id)).toThrow(RangeError)
  })

  it('makes random pipe ids that differ and are valid pipe names', () => {
    const a = randomPipeId()
    const b = randomPipeId()
    expect(a).not.toBe(b)
    expect(() => windowsPipeName(a)).not.toThrow()
  })

  it('puts the Unix socket inside its directory and refuses paths the OS cannot bind', () => {
    expect(unixSocketPath('/tmp/hostpipe-x')).toBe(join('/tmp/hostpipe-x', SOCKET_FILE_NAME))
    expect(() => unixSocketPath('/' + 'd'.repeat(MAX_UNIX_SOCKET_PATH_BYTES))).toThrow(/at most 103 bytes/)
  })

  it('creates a fresh 0700 directory per location on Unix', async () => {
    const a = await createPipeLocation({ platform: 'linux', parentDir: tmpdir() })
    const b = await createPipeLocation({ platform: 'linux', parentDir: tmpdir() })
    try {
      expect(a.dir).not.toBe(b.dir)
      expect(a.path).toBe(join(a.dir!, SOCKET_FILE_NAME))
      expect((await stat(a.dir!)).mode & 0o777).toBe(0o700)
    } finally {
      await rm(a.dir!, { recursive: true, force: true })
      await rm(b.dir!, { recursive: true, force: true })
    }
  })

  it('gives a named pipe and no directory on Windows', async () => {
    const location = await createPipeLocation({ platform: 'win32' })
    expect(location.dir).toBeUndefined()
    expect(location.path).toMatch(/^\\\\\.\\pipe\\hostpipe-[0-9a-f]{24}$/)
  })
})

import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { loadWindowBounds, parseWindowBounds, saveWindowBounds } from '../../src/main/electron/window-bounds'

const screen = [{ x: 0, y: 0, width: 1920, height: 1080 }]
const twoScreens = [...screen, { x: 1920, y: 0, width: 1280, height: 1024 }]

describe('validating saved window bounds', () => {
  it('accepts integer bounds on a display', () => {
    expect(parseWindowBounds({ x: 100, y: 50, width: 1000, height: 700 }, screen)).toEqual({
      x: 100,
      y: 50,
      width: 1000,
      height: 700,
    })
  })

  it('accepts a window on a second display', () => {
    expect(parseWindowBounds({ x: 2000, y: 10, width: 900, height: 700 }, twoScreens)).toBeDefined()
  })

  it('refuses a window on a display that is gone', () => {
    expect(parseWindowBounds({ x: 2000, y: 10, width: 900, height: 700 }, screen)).toBeUndefined()
  })

  it('refuses a window whose title bar is off screen', () => {
    expect(parseWindowBounds({ x: 100, y: -500, width: 900, height: 700 }, screen)).toBeUndefined()
    expect(parseWindowBounds({ x: 100, y: 1070, width: 900, height: 700 }, screen)).toBeUndefined()
  })

  it('refuses bounds smaller than the minimum size', () => {
    expect(parseWindowBounds({ x: 0, y: 0, width: 400, height: 300 }, screen)).toBeUndefined()
  })

  it('refuses anything that is not four integers', () => {
    for (const bad of [
      null,
      'x',
      [],
      { x: 0, y: 0, width: 900 },
      { x: 0.5, y: 0, width: 900, height: 700 },
      { x: '0', y: 0, width: 900, height: 700 },
      { x: 0, y: 0, width: Infinity, height: 700 },
      { x: 0, y: 0, width: 1e9, height: 700 },
    ]) {
      expect(parseWindowBounds(bad, screen)).toBeUndefined()
    }
  })

  it('drops unknown fields', () => {
    expect(parseWindowBounds({ x: 0, y: 0, width: 900, height: 700, evil: true }, screen)).toEqual({
      x: 0,
      y: 0,
      width: 900,
      height: 700,
    })
  })
})

describe('saving and loading window bounds', () => {
  let dir: string
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hostpipe-bounds-'))
  })
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('round-trips bounds through a file only the user can read', async () => {
    const file = join(dir, 'nested', 'diagnostics-window.json')
    await saveWindowBounds(file, { x: 5, y: 6, width: 900, height: 700 })
    expect(await loadWindowBounds(file, screen)).toEqual({ x: 5, y: 6, width: 900, height: 700 })
    if (process.platform !== 'win32') expect((await stat(file)).mode & 0o777).toBe(0o600)
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ x: 5, y: 6, width: 900, height: 700 })
  })

  it('loads nothing from a missing, corrupt or invalid file', async () => {
    expect(await loadWindowBounds(join(dir, 'missing.json'), screen)).toBeUndefined()
    const corrupt = join(dir, 'corrupt.json')
    await writeFile(corrupt, '{"x":')
    expect(await loadWindowBounds(corrupt, screen)).toBeUndefined()
    const invalid = join(dir, 'invalid.json')
    await writeFile(invalid, '{"x":0,"y":0,"width":10,"height":10}')
    expect(await loadWindowBounds(invalid, screen)).toBeUndefined()
  })
})

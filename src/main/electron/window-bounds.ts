import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import { MIN_WINDOW_SIZE } from './window-options'

export interface WindowBounds {
  x: number
  y: number
  width: number
  height: number
}

export interface Rect {
  x: number
  y: number
  width: number
  height: number
}

const MAX_DIMENSION = 100_000
/** How much of the title bar must lie on a display for the window to be reachable. */
const MIN_VISIBLE = 64

/**
 * Validates saved bounds: integers, at least the minimum size, and with enough of the window on
 * one of `workAreas` to grab it. A display may be gone since the bounds were saved; a window
 * restored off-screen is worse than one at the default place, so such bounds are refused.
 */
export function parseWindowBounds(value: unknown, workAreas: readonly Rect[]): WindowBounds | undefined {
  if (typeof value !== 'object' || value === null) return undefined
  const v = value as Record<string, unknown>
  const x = v.x
  const y = v.y
  const width = v.width
  const height = v.height
  if (!isInt(x) || !isInt(y) || !isInt(width) || !isInt(height)) return undefined
  if (width < MIN_WINDOW_SIZE.width || height < MIN_WINDOW_SIZE.height) return undefined
  if (width > MAX_DIMENSION || height > MAX_DIMENSION) return undefined
  const bounds = { x, y, width, height }
  return workAreas.some((area) => isReachable(bounds, area)) ? bounds : undefined
}

function isInt(n: unknown): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n) && Math.abs(n) <= MAX_DIMENSION
}

function isReachable(b: WindowBounds, area: Rect): boolean {
  const overlapX = Math.min(b.x + b.width, area.x + area.width) - Math.max(b.x, area.x)
  const titleBarOnScreen = b.y >= area.y - 8 && b.y < area.y + area.height - MIN_VISIBLE / 2
  return overlapX >= MIN_VISIBLE && titleBarOnScreen
}

/** Reads and validates saved bounds; undefined when there are none or they are unusable. */
export async function loadWindowBounds(
  file: string,
  workAreas: readonly Rect[],
): Promise<WindowBounds | undefined> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch {
    return undefined
  }
  try {
    return parseWindowBounds(JSON.parse(text), workAreas)
  } catch {
    return undefined
  }
}

/** Writes through a temporary file and a rename, so a crash mid-write leaves the old file whole. */
export async function saveWindowBounds(file: string, bounds: WindowBounds): Promise<void> {
  await mkdir(dirname(file), { recursive: true })
  const tmp = `${file}.${process.pid}.tmp`
  const { x, y, width, height } = bounds
  await writeFile(tmp, JSON.stringify({ x, y, width, height }) + '\n', { mode: 0o600 })
  await rename(tmp, file)
}

// The decisions `npm start` makes (scripts/start-plan.mjs), on an in-memory file system, a given
// clock and a manual timer.
import { describe, expect, it } from 'vitest'
import {
  BUILD_SOURCES,
  BUILT_ENTRY,
  downloadFailureReason,
  exitCodeOf,
  headlessFallbackLine,
  HEADLESS_ENTRY,
  isBuildCurrent,
  launchCommand,
  NO_ELECTRON_FOR_MS,
  NO_ELECTRON_MARK,
  PARENT_CHECK_MS,
  rememberedDownloadFailure,
  rememberedReason,
  watchParent,
  type ParentWatchTimer,
  type StartFileSystem,
} from '../../scripts/start-plan.mjs'

/** An in-memory tree: a path → its mtime (ms) and, for a directory, its entries' names. */
type FakeTree = Record<string, { mtimeMs: number; entries?: string[]; text?: string }>

function fakeFs(tree: FakeTree): StartFileSystem & { reads: string[] } {
  const reads: string[] = []
  const node = (path: string) => {
    const found = tree[path]
    if (!found) throw new Error(`ENOENT: no such file or directory, stat '${path}'`)
    return found
  }
  return {
    reads,
    existsSync: (path) => path in tree,
    statSync: (path) => {
      reads.push(path)
      const found = node(path)
      return { mtimeMs: found.mtimeMs, isDirectory: () => found.entries !== undefined }
    },
    readdirSync: (path) => node(path).entries ?? [],
    readFileSync: (path) => node(path).text ?? '',
  }
}

/** A built tree: the bundle at `builtAt`, `src/main/deep/file.ts` at `deepAt`, the rest older. */
function builtTree(builtAt: number, deepAt: number): FakeTree {
  return {
    [BUILT_ENTRY]: { mtimeMs: builtAt },
    src: { mtimeMs: 100, entries: ['main', 'index.ts'] },
    'src/index.ts': { mtimeMs: 100 },
    'src/main': { mtimeMs: 100, entries: ['deep'] },
    'src/main/deep': { mtimeMs: 100, entries: ['file.ts'] },
    'src/main/deep/file.ts': { mtimeMs: deepAt },
    'package.json': { mtimeMs: 100 },
    'electron.vite.config.ts': { mtimeMs: 100 },
  }
}

describe('whether the build is current', () => {
  it('is current when the bundle is newer than every source file, however deep', () => {
    expect(isBuildCurrent(fakeFs(builtTree(1_000, 999)))).toBe(true)
  })

  it('is stale when a file deep under src is newer than the bundle', () => {
    expect(isBuildCurrent(fakeFs(builtTree(1_000, 1_001)))).toBe(false)
  })

  it('is stale when a source file has the same mtime as the bundle', () => {
    expect(isBuildCurrent(fakeFs(builtTree(1_000, 1_000)))).toBe(false)
  })

  it('is stale when a config file is newer than the bundle', () => {
    for (const source of BUILD_SOURCES.filter((s) => s !== 'src')) {
      const tree = { ...builtTree(1_000, 100), [source]: { mtimeMs: 2_000 } }
      expect(isBuildCurrent(fakeFs(tree)), source).toBe(false)
    }
  })

  it('is stale when there is no bundle, without reading any source', () => {
    const tree = builtTree(1_000, 100)
    delete tree[BUILT_ENTRY]
    const fs = fakeFs(tree)
    expect(isBuildCurrent(fs)).toBe(false)
    expect(fs.reads).toEqual([])
  })

  it('skips sources that do not exist (tsconfig.node.json and tsconfig.web.json here)', () => {
    const fs = fakeFs(builtTree(1_000, 100))
    expect(isBuildCurrent(fs)).toBe(true)
    expect(fs.reads).not.toContain('tsconfig.node.json')
  })

  it('counts a directory whose own mtime is newer (a file deleted from it) as a change', () => {
    const tree = { ...builtTree(1_000, 100), 'src/main': { mtimeMs: 1_500, entries: ['deep'] } }
    expect(isBuildCurrent(fakeFs(tree))).toBe(false)
  })
})

describe('a failed Electron download', () => {
  const failedAt = 5_000_000
  const marked = (text = 'TypeError: fetch failed\n'): StartFileSystem =>
    fakeFs({ [NO_ELECTRON_MARK]: { mtimeMs: failedAt, text } })

  it('is remembered, trimmed, right after it failed', () => {
    expect(rememberedDownloadFailure(marked(), { nowMs: failedAt, env: {} })).toBe('TypeError: fetch failed')
  })

  it('is remembered for exactly a day and forgotten one ms later', () => {
    const env = {}
    expect(rememberedDownloadFailure(marked(), { nowMs: failedAt + NO_ELECTRON_FOR_MS, env })).toBe(
      'TypeError: fetch failed',
    )
    expect(rememberedDownloadFailure(marked(), { nowMs: failedAt + NO_ELECTRON_FOR_MS + 1, env })).toBe(
      undefined,
    )
    expect(NO_ELECTRON_FOR_MS).toBe(24 * 60 * 60 * 1000)
  })

  it('is not remembered when none was marked', () => {
    expect(rememberedDownloadFailure(fakeFs({}), { nowMs: failedAt, env: {} })).toBe(undefined)
  })

  it('is retried when HOSTPIPE_RETRY_ELECTRON is 1, and only then', () => {
    const retry = { HOSTPIPE_RETRY_ELECTRON: '1' }
    expect(rememberedDownloadFailure(marked(), { nowMs: failedAt, env: retry })).toBe(undefined)
    const notOne = { HOSTPIPE_RETRY_ELECTRON: 'true' }
    expect(rememberedDownloadFailure(marked(), { nowMs: failedAt, env: notOne })).toBe(
      'TypeError: fetch failed',
    )
  })

  it('is read from the mark given', () => {
    const fs = fakeFs({ 'elsewhere/mark': { mtimeMs: failedAt, text: 'offline' } })
    expect(rememberedDownloadFailure(fs, { nowMs: failedAt, env: {}, mark: 'elsewhere/mark' })).toBe(
      'offline',
    )
  })

  it('is given as the reason with how to retry it', () => {
    expect(rememberedReason('TypeError: fetch failed')).toBe(
      'TypeError: fetch failed; not retried for a day, HOSTPIPE_RETRY_ELECTRON=1 retries',
    )
  })
})

describe('why the download failed', () => {
  it('is the first stderr line that speaks of an error or a failure, trimmed', () => {
    const stderr = 'Downloading electron…\n  RequestError: getaddrinfo ENOTFOUND github.com  \nFailed twice\n'
    expect(downloadFailureReason({ stderr, status: 1 })).toBe(
      'RequestError: getaddrinfo ENOTFOUND github.com',
    )
  })

  it('matches error and fail in any case', () => {
    expect(downloadFailureReason({ stderr: 'x\nDOWNLOAD FAILED\n', status: 1 })).toBe('DOWNLOAD FAILED')
  })

  it('is the spawn error when it speaks of a failure and stderr says nothing', () => {
    expect(downloadFailureReason({ stderr: '', errorMessage: 'spawn failed: EACCES', status: null })).toBe(
      'spawn failed: EACCES',
    )
  })

  it('is the exit status when neither stderr nor the spawn error speaks of an error or a failure', () => {
    expect(
      downloadFailureReason({ stderr: '', errorMessage: 'spawnSync node ETIMEDOUT', status: null }),
    ).toBe('install.js exited with null')
  })

  it('is the exit status when nothing on stderr says what failed', () => {
    expect(downloadFailureReason({ stderr: 'done\n', status: 0 })).toBe('install.js exited with 0')
    expect(downloadFailureReason({ stderr: null, status: null })).toBe('install.js exited with null')
  })
})

describe('the headless fallback', () => {
  it('is announced in one line naming why and what runs instead', () => {
    const line = headlessFallbackLine(rememberedReason('TypeError: fetch failed'))
    expect(line).toBe(
      'hostpipe: no Electron binary available (TypeError: fetch failed; not retried for a day, ' +
        'HOSTPIPE_RETRY_ELECTRON=1 retries); running headless instead.',
    )
    expect(line).not.toContain('\n')
  })

  it('runs the headless launcher under Node with the arguments given to npm start', () => {
    expect(launchCommand({ binary: undefined, nodePath: '/usr/bin/node', args: ['--port', '0'] })).toEqual({
      file: '/usr/bin/node',
      args: [HEADLESS_ENTRY, '--port', '0'],
    })
  })

  it('is not taken when an Electron binary is there: the app runs in it with the same arguments', () => {
    expect(
      launchCommand({ binary: '/e/electron', nodePath: '/usr/bin/node', args: ['--port', '0'] }),
    ).toEqual({
      file: '/e/electron',
      args: [BUILT_ENTRY, '--port', '0'],
    })
  })
})

describe("npm start's exit code", () => {
  it("is the app's own exit code", () => {
    expect(exitCodeOf(0, null)).toBe(0)
    expect(exitCodeOf(2, null)).toBe(2)
  })

  it('is 1 when a signal ended the app', () => {
    expect(exitCodeOf(null, 'SIGKILL')).toBe(1)
  })

  it('is 0 when the app ended with neither a code nor a signal', () => {
    expect(exitCodeOf(null, null)).toBe(0)
  })
})

describe('the parent check', () => {
  function manualInterval() {
    const timer: ParentWatchTimer & { isUnref: boolean; isCleared: boolean } = {
      isUnref: false,
      isCleared: false,
      unref() {
        timer.isUnref = true
      },
    }
    let check: (() => void) | undefined
    let everyMs: number | undefined
    return {
      timer,
      everyMs: () => everyMs,
      tick: () => check?.(),
      setInterval: (fn: () => void, ms: number) => {
        check = fn
        everyMs = ms
        return timer
      },
      clearInterval: (t: ParentWatchTimer) => {
        if (t === timer) timer.isCleared = true
      },
    }
  }

  it('does nothing while the parent that started npm start is there', () => {
    const clock = manualInterval()
    let gone = 0
    watchParent({ readPpid: () => 42, onGone: () => gone++, ...clock })
    clock.tick()
    clock.tick()
    expect(gone).toBe(0)
  })

  it('reports the parent gone on the first check after it changed, and on each check after', () => {
    const clock = manualInterval()
    let ppid = 42
    let gone = 0
    watchParent({ readPpid: () => ppid, onGone: () => gone++, ...clock })
    clock.tick()
    expect(gone).toBe(0)
    ppid = 1
    clock.tick()
    expect(gone).toBe(1)
    clock.tick()
    expect(gone).toBe(2)
  })

  it('compares with the parent seen when the watch began', () => {
    const clock = manualInterval()
    const ppids = [42, 42, 7]
    let gone = 0
    watchParent({ readPpid: () => ppids.shift() ?? 7, onGone: () => gone++, ...clock })
    clock.tick()
    expect(gone).toBe(0)
    clock.tick()
    expect(gone).toBe(1)
  })

  it('checks every 500 ms on a timer that does not keep the process alive, until stopped', () => {
    const clock = manualInterval()
    const stop = watchParent({ readPpid: () => 42, onGone: () => undefined, ...clock })
    expect(clock.everyMs()).toBe(PARENT_CHECK_MS)
    expect(PARENT_CHECK_MS).toBe(500)
    expect(clock.timer.isUnref).toBe(true)
    stop()
    expect(clock.timer.isCleared).toBe(true)
  })

  it('runs on a real timer by default that never keeps the process alive', () => {
    // Node lists only the timers that keep the event loop alive.
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length
    const before = timers()
    const stop = watchParent({ readPpid: () => process.ppid, onGone: () => undefined })
    expect(timers()).toBe(before)
    stop()
    expect(timers()).toBe(before)
  })
})

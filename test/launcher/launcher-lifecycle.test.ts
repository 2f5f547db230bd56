import { describe, expect, it } from 'vitest'
import type { DiagnosticsSnapshot } from '../../src/shared/diagnostics'
import type { DiagnosticsSource } from '../../src/main/launcher/diagnostics-source'
import type { Launcher } from '../../src/main/launcher/launcher'
import { LauncherLifecycle } from '../../src/main/launcher/launcher-lifecycle'

/**
 * A core whose `start()` the test settles, with a feed that exists only once it has started, as
 * the real launcher's `diagnostics` throws before then.
 */
class FakeCore {
  readonly feedListeners = new Set<(s: DiagnosticsSnapshot) => void>()
  private isRunning = false
  private settleStart: (() => void) | undefined

  /** @param startsAtOnce `start()` resolves by itself, without `finishStart`. */
  constructor(private readonly startsAtOnce = false) {}

  start(): Promise<void> {
    if (this.startsAtOnce) {
      this.isRunning = true
      return Promise.resolve()
    }
    return new Promise<void>((resolve) => {
      this.settleStart = () => {
        this.isRunning = true
        resolve()
      }
    })
  }

  finishStart(): void {
    this.settleStart?.()
  }

  get diagnostics(): Pick<DiagnosticsSource, 'subscribe'> {
    if (!this.isRunning) throw new Error('launcher not started: call start() first')
    return {
      subscribe: (fn) => {
        this.feedListeners.add(fn)
        return () => this.feedListeners.delete(fn)
      },
    }
  }

  publish(snapshot: DiagnosticsSnapshot): void {
    for (const fn of this.feedListeners) fn(snapshot)
  }

  subscribeEvents(): () => void {
    return () => undefined
  }

  dispose(): Promise<void> {
    this.isRunning = false
    return Promise.resolve()
  }
}

const snapshot = { state: 'connected' } as unknown as DiagnosticsSnapshot

/** `cores`: one per launch, the current one last; a restart's core starts at once. */
function makeLifecycle(): { lifecycle: LauncherLifecycle; core: FakeCore; cores: FakeCore[] } {
  const cores: FakeCore[] = []
  const lifecycle = new LauncherLifecycle(() => {
    const core = new FakeCore(cores.length > 0)
    cores.push(core)
    return { core: core as unknown as Launcher, release: undefined }
  })
  return { lifecycle, core: cores[0]!, cores }
}

describe('LauncherLifecycle diagnostics', () => {
  it('takes an onDiagnostics listener added while start() is under way and follows the feed once it runs', async () => {
    const { lifecycle, core } = makeLifecycle()
    const started = lifecycle.start()
    const seen: DiagnosticsSnapshot[] = []
    const off = lifecycle.onDiagnostics((s) => seen.push(s))
    expect(core.feedListeners.size).toBe(0)
    core.finishStart()
    await started
    core.publish(snapshot)
    expect(seen).toEqual([snapshot])
    off()
    expect(core.feedListeners.size).toBe(0)
  })

  it('follows the feed only while a listener is subscribed', async () => {
    const { lifecycle, core } = makeLifecycle()
    const started = lifecycle.start()
    core.finishStart()
    await started
    expect(core.feedListeners.size).toBe(0)
    const off = lifecycle.onDiagnostics(() => undefined)
    expect(core.feedListeners.size).toBe(1)
    off()
    expect(core.feedListeners.size).toBe(0)
  })

  it("follows a restarted launch's feed for a listener kept across stop() and start()", async () => {
    const { lifecycle, cores } = makeLifecycle()
    const seen: DiagnosticsSnapshot[] = []
    lifecycle.onDiagnostics((s) => seen.push(s))
    const started = lifecycle.start()
    cores[0]!.finishStart()
    await started
    await lifecycle.stop()
    expect(cores[0]!.feedListeners.size).toBe(0)
    await lifecycle.start()
    cores[1]!.publish(snapshot)
    expect(seen).toEqual([snapshot])
  })
})

import type { DiagnosticsSnapshot } from '../../shared/diagnostics'
import { spawnedHostLaunchError } from '../../shared/host-process-mark'
import type { Event } from '../../shared/protocol'
import type { Launcher } from './launcher'
import { LauncherStoppedError } from './launcher-api'

// An app launcher's launches, one after another: start, stop, and start again with fresh parts,
// the app's listeners carried over. Apart from app-launcher.ts because a call only reads the
// current launch (`core`) and whether one is running (`refusal`).

/** One launch's parts, and what to undo once it stopped. */
export interface Launch {
  readonly core: Launcher
  readonly release: (() => void) | undefined
}

export class LauncherLifecycle {
  /** The current launch's parts; `start()` after `stop()` puts a fresh one here. */
  core: Launcher
  private release: (() => void) | undefined
  private readonly diagnosticsListeners = new Set<(s: DiagnosticsSnapshot) => void>()
  /** Each `onEvent` listener with its subscription to the current core. */
  private readonly eventListeners = new Map<(e: Event) => void, () => void>()
  private stopFeed: (() => void) | undefined
  private isStarted = false
  private isStopped = false
  /** The current core's `start()` resolved and no `stop()` came since: its feed exists. */
  private isCoreRunning = false
  /** The current launch's `start()` promise, shared by every `start()` until `stop()`. */
  private launching: Promise<void> | undefined
  private stopping: Promise<void> | undefined
  /** Counts `stop()`s: a launch that sees it change was stopped while it waited. */
  private stopCount = 0

  /** @param makeLaunch makes a launch's parts: at once, and for each `start()` after a `stop()`. */
  constructor(private readonly makeLaunch: () => Launch) {
    ;({ core: this.core, release: this.release } = makeLaunch())
  }

  /** Why a call or stream cannot start now (no launch running), or undefined when it can. */
  refusal(name: string, method: 'call' | 'stream'): Error | undefined {
    if (this.isStarted && !this.isStopped) return undefined
    return new Error(
      `launcher ${this.isStopped ? 'stopped' : 'not started'}: cannot ${method} \`${name}\` (${this.isStopped ? 'start() launches it again' : 'call start() first'})`,
    )
  }

  start(): Promise<void> {
    this.launching ??= this.launch(this.stopCount)
    return this.launching
  }

  private async launch(stopCount: number): Promise<void> {
    const spawnedHost = spawnedHostLaunchError(process.env)
    if (spawnedHost) throw spawnedHost
    if (this.stopping) {
      // Started again after stop(): the stopped launch's parts are gone before new ones are made.
      await this.stopping
      if (stopCount !== this.stopCount) throw new LauncherStoppedError()
      this.renewCore()
    }
    const core = this.core
    this.isStarted = true
    try {
      await core.start()
    } catch (err) {
      if (stopCount !== this.stopCount) throw new LauncherStoppedError()
      // The host gave up: release what the start took, so nothing keeps the process alive.
      await this.stop()
      throw err
    }
    if (stopCount !== this.stopCount) throw new LauncherStoppedError()
    this.isCoreRunning = true
    this.followFeed()
  }

  /**
   * Subscribes to the running core's feed while the app has diagnostics listeners: a feed nobody
   * reads builds no snapshots and reads no clock on each call.
   */
  private followFeed(): void {
    // Not while the core starts: its feed does not exist before its `start()` resolves.
    if (this.stopFeed || !this.isCoreRunning || this.diagnosticsListeners.size === 0) return
    this.stopFeed = this.core.diagnostics.subscribe((s) => {
      for (const fn of this.diagnosticsListeners) fn(s)
    })
  }

  /** A fresh launch after a stopped one: new parts, the app's listeners moved over. */
  private renewCore(): void {
    ;({ core: this.core, release: this.release } = this.makeLaunch())
    this.stopping = undefined
    this.isStopped = false
    for (const fn of this.eventListeners.keys()) this.eventListeners.set(fn, this.core.subscribeEvents(fn))
  }

  onEvent(fn: (event: Event) => void): () => void {
    // Wrapped: the same function subscribed twice is two subscriptions.
    const listener = (e: Event): void => fn(e)
    this.eventListeners.set(listener, this.core.subscribeEvents(listener))
    return () => {
      this.eventListeners.get(listener)?.()
      this.eventListeners.delete(listener)
    }
  }

  onDiagnostics(fn: (snapshot: DiagnosticsSnapshot) => void): () => void {
    // Wrapped: the same function subscribed twice is two subscriptions.
    const listener = (s: DiagnosticsSnapshot): void => fn(s)
    this.diagnosticsListeners.add(listener)
    this.followFeed()
    return () => {
      this.diagnosticsListeners.delete(listener)
      if (this.diagnosticsListeners.size > 0) return
      this.stopFeed?.()
      this.stopFeed = undefined
    }
  }

  stop(): Promise<void> {
    this.stopCount++
    this.launching = undefined
    this.isStopped = true
    this.isCoreRunning = false
    this.stopping ??= this.shutdown()
    return this.stopping
  }

  private async shutdown(): Promise<void> {
    this.stopFeed?.()
    this.stopFeed = undefined
    await this.core.dispose()
    this.release?.()
    this.release = undefined
  }
}

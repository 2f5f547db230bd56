import type { EventSourceLike } from './http-source'

/**
 * One `/api/events` stream shared by every tab of the panel that holds the same token.
 *
 * Why: browsers open at most 6 HTTP/1.1 connections per origin, and an EventSource keeps one for
 * as long as the tab lives. With one stream per tab, the 7th tab of the panel never even loaded,
 * and with 6 open every API call (a kill-host click included) waited until a tab closed. HTTP/2
 * would multiplex, but browsers speak it only over TLS and the panel is `http://127.0.0.1`.
 *
 * How: the tabs of one token elect a leader with the Web Locks API (`navigator.locks`; the lock is
 * released when its tab closes or crashes, and the next waiting tab gets it). The leader alone
 * holds an EventSource and re-broadcasts its `open`, `snapshot` and `error` messages on a
 * BroadcastChannel; the others dispatch what they receive as if their own stream had sent it.
 * Lock and channel are named from a SHA-256 of the token, so a tab with another token (a wrong
 * one, or another launch's) is in another group and never sees this group's data; and every tab
 * still proves its own token with its own short request (HttpSource's snapshot GET) before it
 * opens a stream at all. Same-origin only, as BroadcastChannel and locks are.
 */

/** The part of `navigator.locks` used here. */
export interface LockManagerLike {
  request(name: string, options: { signal: AbortSignal }, callback: () => Promise<void>): Promise<unknown>
}

/** The part of BroadcastChannel used here. */
export interface BroadcastChannelLike {
  postMessage(message: unknown): void
  addEventListener(type: 'message', listener: (e: { data: unknown }) => void): void
  close(): void
}

export interface SharedEventSourceDeps {
  /** This token's group (see `tokenGroup`); tabs of one group share one stream. */
  group: Promise<string>
  locks: LockManagerLike
  openChannel(name: string): BroadcastChannelLike
  /** The real EventSource, opened only by the leader. */
  openEventSource(url: string): EventSourceLike
}

/** Messages on the group's channel. `hello`: a tab joined; the leader answers with its state. */
type GroupMessage =
  { type: 'hello' } | { type: 'open' } | { type: 'snapshot'; data: string } | { type: 'error' }

/** The EventSource message types the leader passes on. */
const SHARED_TYPES = ['open', 'snapshot', 'error'] as const

function isGroupMessage(value: unknown): value is GroupMessage {
  if (typeof value !== 'object' || value === null) return false
  const { type, data } = value as Record<string, unknown>
  if (type === 'snapshot') return typeof data === 'string'
  return type === 'hello' || type === 'open' || type === 'error'
}

/** The group name for a token: hex SHA-256, so the token itself appears in no name. */
export async function tokenGroup(token: string, subtle: SubtleCrypto): Promise<string> {
  const digest = await subtle.digest('SHA-256', new TextEncoder().encode(token))
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('')
}

/**
 * An EventSourceLike backed by the group's one stream. Leader or follower, it dispatches the same
 * `open`, `snapshot` and `error` messages to its listeners. `close()` leaves the group; a closing
 * leader releases the lock and the next tab takes over. A leader's stream error is passed on to
 * every tab, so each reconnects (and re-proves its token) as it would with a stream of its own.
 */
export class SharedEventSource implements EventSourceLike {
  private readonly listeners = new Map<string, Array<(e: { data?: unknown }) => void>>()
  private readonly abort = new AbortController()
  private channel: BroadcastChannelLike | undefined
  private stream: EventSourceLike | undefined
  private isOpen = false
  private lastSnapshot: string | undefined
  private endLeadership: (() => void) | undefined
  private isClosed = false

  constructor(
    private readonly url: string,
    private readonly deps: SharedEventSourceDeps,
  ) {
    deps.group.then(
      (group) => this.join(group),
      // No group name (no digest): a stream of its own, as without sharing.
      () => void this.lead(),
    )
  }

  /** True while this tab holds the group's stream. */
  get isLeader(): boolean {
    return this.stream !== undefined
  }

  addEventListener(type: string, listener: (e: { data?: unknown }) => void): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener])
  }

  close(): void {
    if (this.isClosed) return
    this.isClosed = true
    this.abort.abort()
    this.stream?.close()
    this.stream = undefined
    this.endLeadership?.()
    this.channel?.close()
  }

  private join(group: string): void {
    if (this.isClosed) return
    const channel = this.deps.openChannel(`hostpipe-panel:${group}`)
    this.channel = channel
    channel.addEventListener('message', (e) => this.onGroupMessage(e.data))
    channel.postMessage({ type: 'hello' } satisfies GroupMessage)
    this.deps.locks
      .request(`hostpipe-panel-leader:${group}`, { signal: this.abort.signal }, () => this.lead())
      // Aborted when this tab leaves before it was elected: nothing to do.
      .catch(() => undefined)
  }

  /** Runs while this tab holds the lock; the returned promise settling releases it. */
  private lead(): Promise<void> {
    if (this.isClosed) return Promise.resolve()
    const stream = this.deps.openEventSource(this.url)
    this.stream = stream
    for (const type of SHARED_TYPES)
      stream.addEventListener(type, (e) => {
        if (this.stream !== stream) return
        const data = typeof e.data === 'string' ? e.data : undefined
        if (type === 'snapshot') {
          if (data === undefined) return
          this.lastSnapshot = data
          this.publish({ type, data })
        } else {
          this.isOpen = type === 'open'
          this.publish({ type })
        }
        this.dispatch(type, data)
      })
    return new Promise((resolve) => (this.endLeadership = resolve))
  }

  private onGroupMessage(message: unknown): void {
    if (this.isClosed || !isGroupMessage(message)) return
    if (this.isLeader) {
      // A tab joined: tell it the stream is open and what the newest snapshot is.
      if (message.type === 'hello' && this.isOpen) {
        this.publish({ type: 'open' })
        if (this.lastSnapshot !== undefined) this.publish({ type: 'snapshot', data: this.lastSnapshot })
      }
      return
    }
    if (message.type === 'hello') return
    this.dispatch(message.type, message.type === 'snapshot' ? message.data : undefined)
  }

  private publish(message: GroupMessage): void {
    this.channel?.postMessage(message)
  }

  private dispatch(type: string, data: string | undefined): void {
    for (const fn of this.listeners.get(type) ?? []) fn({ data })
  }
}

/** What the browser offers; any of it missing means each tab keeps a stream of its own. */
export interface BrowserSharing {
  locks?: LockManagerLike
  BroadcastChannel?: new (name: string) => BroadcastChannelLike
  subtle?: SubtleCrypto
}

/**
 * An `openEventSource` for HttpSource: shared across tabs where the browser can (a secure context
 * with Web Locks, BroadcastChannel and SubtleCrypto: `http://127.0.0.1` is one), else the plain
 * per-tab EventSource.
 */
export function sharedEventSourceFactory(
  token: string,
  browser: BrowserSharing,
  openEventSource: (url: string) => EventSourceLike,
): (url: string) => EventSourceLike {
  const { locks, BroadcastChannel: Channel, subtle } = browser
  if (!locks || !Channel || !subtle) return openEventSource
  const group = tokenGroup(token, subtle)
  return (url) =>
    new SharedEventSource(url, {
      group,
      locks,
      openChannel: (name) => new Channel(name),
      openEventSource,
    })
}

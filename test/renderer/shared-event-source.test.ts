import { describe, expect, it } from 'vitest'
import type { EventSourceLike } from '../../src/renderer/http-source'
import {
  SharedEventSource,
  sharedEventSourceFactory,
  tokenGroup,
  type BroadcastChannelLike,
  type LockManagerLike,
} from '../../src/renderer/shared-event-source'

/** Web Locks as the browser does them: one holder per name, waiters in order, abortable. */
class FakeLocks implements LockManagerLike {
  private readonly held = new Set<string>()
  private readonly waiting = new Map<string, Array<{ grant(): void }>>()

  request(name: string, options: { signal: AbortSignal }, callback: () => Promise<void>): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const run = (): void => {
        this.held.add(name)
        void callback().then(() => {
          this.held.delete(name)
          this.waiting.get(name)?.shift()?.grant()
          resolve(undefined)
        })
      }
      if (!this.held.has(name)) return run()
      const waiter = { grant: run }
      this.waiting.set(name, [...(this.waiting.get(name) ?? []), waiter])
      options.signal.addEventListener('abort', () => {
        const queue = this.waiting.get(name) ?? []
        if (!queue.includes(waiter)) return
        this.waiting.set(
          name,
          queue.filter((w) => w !== waiter),
        )
        reject(new DOMException('aborted', 'AbortError'))
      })
    })
  }
}

/** BroadcastChannel: a message reaches every other open channel of the same name, later. */
class FakeChannels {
  private readonly open = new Set<{ name: string; listeners: Array<(e: { data: unknown }) => void> }>()

  create(name: string): BroadcastChannelLike {
    const me = { name, listeners: [] as Array<(e: { data: unknown }) => void> }
    this.open.add(me)
    return {
      postMessage: (data) => {
        const copy = structuredClone(data)
        for (const other of this.open)
          if (other !== me && other.name === name)
            queueMicrotask(() => {
              if (this.open.has(other)) for (const fn of other.listeners) fn({ data: copy })
            })
      },
      addEventListener: (_type, fn) => void me.listeners.push(fn),
      close: () => void this.open.delete(me),
    }
  }
}

class FakeEventSource implements EventSourceLike {
  private readonly listeners = new Map<string, Array<(e: { data?: unknown }) => void>>()
  isClosed = false
  constructor(readonly url: string) {}
  addEventListener(type: string, fn: (e: { data?: unknown }) => void): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), fn])
  }
  close(): void {
    this.isClosed = true
  }
  fire(type: string, data?: string): void {
    for (const fn of this.listeners.get(type) ?? []) fn({ data })
  }
}

const settle = async (): Promise<void> => {
  for (let i = 0; i < 10; i++) await Promise.resolve()
}

function browser() {
  const locks = new FakeLocks()
  const channels = new FakeChannels()
  const streams: FakeEventSource[] = []
  const tab = (group = 'g1') => {
    const seen: string[] = []
    const source = new SharedEventSource('http://127.0.0.1:1/api/events?token=t', {
      group: Promise.resolve(group),
      locks,
      openChannel: (name) => channels.create(name),
      openEventSource: (url) => {
        const s = new FakeEventSource(url)
        streams.push(s)
        return s
      },
    })
    for (const type of ['open', 'snapshot', 'error'])
      source.addEventListener(type, (e) =>
        seen.push(type === 'snapshot' ? `snapshot ${String(e.data)}` : type),
      )
    return { source, seen }
  }
  return { tab, streams }
}

describe('one event stream shared by the tabs of one token', () => {
  it('opens a single real stream for many tabs and gives every tab its messages', async () => {
    const { tab, streams } = browser()
    const tabs = Array.from({ length: 10 }, () => tab())
    await settle()
    expect(streams).toHaveLength(1)
    expect(tabs.filter((t) => t.source.isLeader)).toHaveLength(1)
    streams[0]!.fire('open')
    streams[0]!.fire('snapshot', '{"at":1}')
    await settle()
    for (const t of tabs) expect(t.seen).toEqual(['open', 'snapshot {"at":1}'])
  })

  it('tells a tab that joins late that the stream is open, with the newest snapshot', async () => {
    const { tab, streams } = browser()
    tab()
    await settle()
    streams[0]!.fire('open')
    streams[0]!.fire('snapshot', '{"at":1}')
    streams[0]!.fire('snapshot', '{"at":2}')
    const late = tab()
    await settle()
    expect(late.seen).toEqual(['open', 'snapshot {"at":2}'])
  })

  it('hands the stream to a waiting tab when the leader closes', async () => {
    const { tab, streams } = browser()
    const first = tab()
    const second = tab()
    await settle()
    expect(first.source.isLeader).toBe(true)
    first.source.close()
    await settle()
    expect(streams[0]!.isClosed).toBe(true)
    expect(second.source.isLeader).toBe(true)
    expect(streams).toHaveLength(2)
    streams[1]!.fire('snapshot', '{"at":3}')
    expect(second.seen).toEqual(['snapshot {"at":3}'])
  })

  it('passes the leader’s stream error to every tab, so each reconnects and proves its token again', async () => {
    const { tab, streams } = browser()
    const tabs = [tab(), tab(), tab()]
    await settle()
    streams[0]!.fire('error')
    await settle()
    for (const t of tabs) expect(t.seen).toEqual(['error'])
  })

  it('keeps groups apart: another token neither shares the stream nor sees its data', async () => {
    const { tab, streams } = browser()
    const right = tab('group-a')
    const other = tab('group-b')
    await settle()
    expect(streams).toHaveLength(2)
    streams[0]!.fire('snapshot', '{"at":1}')
    await settle()
    expect(right.seen).toEqual(['snapshot {"at":1}'])
    expect(other.seen).toEqual([])
  })

  it('a tab that leaves before it was elected stops waiting for the lock', async () => {
    const { tab, streams } = browser()
    const first = tab()
    const quitter = tab()
    await settle()
    quitter.source.close()
    first.source.close()
    await settle()
    expect(streams).toHaveLength(1)
    expect(quitter.source.isLeader).toBe(false)
  })

  it('names a group by the token’s SHA-256, never by the token', async () => {
    const group = await tokenGroup('secret', crypto.subtle)
    expect(group).toBe('2bb80d537b1da3e38bd30361aa855686bde0eacd7162fef6a25fe97bf527a25b')
  })

  it('falls back to a stream per tab where the browser lacks locks or BroadcastChannel', () => {
    const plain = (url: string) => new FakeEventSource(url)
    expect(sharedEventSourceFactory('t', {}, plain)).toBe(plain)
  })
})

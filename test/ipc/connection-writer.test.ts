import { EventEmitter } from 'node:events'
import { describe, expect, it } from 'vitest'
import { childIpcConnection } from '../../src/main/ipc/child-ipc-connection'
import { connectionWriter } from '../../src/main/ipc/connection-writer'
import { MessagePortConnection, type MessagePortLike } from '../../src/main/ipc/message-port-connection'

class FakePort extends EventEmitter implements MessagePortLike {
  readonly posted: unknown[] = []
  postMessage(message: unknown): void {
    this.posted.push(message)
  }
  start(): void {}
  close(): void {}
}

class FakeChild extends EventEmitter {
  readonly connected = true
  readonly pid = 7
  readonly sent: string[] = []
  send(message: string, callback: (error: Error | null) => void): boolean {
    this.sent.push(message)
    queueMicrotask(() => callback(null))
    return true
  }
}

describe('connectionWriter (the HostWriter a registered host gets)', () => {
  it('takes frames at once where the transport can (writeOrWait)', async () => {
    const port = new FakePort()
    const writer = connectionWriter(new MessagePortConnection(port, 'test port'))
    expect(writer.writeOrWait?.('{"a":1}')).toBeUndefined()
    await writer.write('{"a":2}')
    expect(port.posted).toEqual(['{"a":1}', '{"a":2}'])
  })

  it('has only write where every send needs a promise', async () => {
    const child = new FakeChild()
    const writer = connectionWriter(childIpcConnection(child))
    expect(writer.writeOrWait).toBeUndefined()
    await writer.write('{"a":1}')
    expect(child.sent).toEqual(['{"a":1}'])
  })
})

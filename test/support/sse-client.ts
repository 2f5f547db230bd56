import { request, type ClientRequest } from 'node:http'

export interface SseClient {
  /** Every `event: event` message (a launcher Event), in arrival order. */
  events: Array<Record<string, unknown>>
  close(): void
}

/** Subscribes to `GET /api/events` of a headless launcher and collects its launcher events. */
export function subscribeSse(origin: string, token: string): Promise<SseClient> {
  const url = new URL('/api/events', origin)
  const events: Array<Record<string, unknown>> = []
  return new Promise((resolve, reject) => {
    const req: ClientRequest = request(
      url,
      { headers: { Authorization: `Bearer ${token}`, Accept: 'text/event-stream' } },
      (res) => {
        if (res.statusCode !== 200) return reject(new Error(`GET /api/events answered ${res.statusCode}`))
        let buffer = ''
        res.setEncoding('utf8').on('data', (chunk: string) => {
          buffer += chunk
          let end: number
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const message = buffer.slice(0, end)
            buffer = buffer.slice(end + 2)
            const name = /^event: (.*)$/m.exec(message)?.[1]
            const data = /^data: (.*)$/m.exec(message)?.[1]
            if (name === 'event' && data) events.push(JSON.parse(data) as Record<string, unknown>)
          }
        })
        resolve({ events, close: () => req.destroy() })
      },
    )
    req.on('error', (err) => reject(err))
    req.end()
  })
}

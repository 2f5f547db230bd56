import { request } from 'node:http'

export interface HttpAnswer {
  status: number
  headers: Record<string, string | string[] | undefined>
  text: string
  json: () => unknown
}

/**
 * One real HTTP request to 127.0.0.1 (node:http, so tests can set Host and Origin, which fetch
 * forbids).
 */
export function httpRequest(
  port: number,
  path: string,
  opts: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, method: opts.method ?? 'GET', headers: opts.headers, agent: false },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8')
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) })
        })
        res.on('error', reject)
      },
    )
    req.on('error', reject)
    req.end(opts.body)
  })
}

export interface SseMessage {
  event: string
  data: string
}

/** A live SSE response: parsed messages and comments as they arrive. */
export interface SseClient {
  status: number
  headers: Record<string, string | string[] | undefined>
  messages: SseMessage[]
  comments: string[]
  /** Resolves with the first message (after `from`) that matches. */
  next(pred: (m: SseMessage) => boolean, from?: number): Promise<SseMessage>
  close(): void
}

export function openSse(
  port: number,
  path: string,
  headers: Record<string, string> = {},
): Promise<SseClient> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers, agent: false }, (res) => {
      const messages: SseMessage[] = []
      const comments: string[] = []
      const waiters: Array<() => void> = []
      let buffer = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => {
        buffer += chunk
        let end: number
        while ((end = buffer.indexOf('\n\n')) !== -1) {
          const block = buffer.slice(0, end)
          buffer = buffer.slice(end + 2)
          let event = 'message'
          const data: string[] = []
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) comments.push(line.slice(1).trim())
            else if (line.startsWith('event: ')) event = line.slice(7)
            else if (line.startsWith('data: ')) data.push(line.slice(6))
          }
          if (data.length > 0) messages.push({ event, data: data.join('\n') })
        }
        for (const w of waiters.splice(0)) w()
      })
      res.on('error', () => {})
      const client: SseClient = {
        status: res.statusCode ?? 0,
        headers: res.headers,
        messages,
        comments,
        next(pred, from = 0) {
          return new Promise((done) => {
            const check = () => {
              const hit = messages.slice(from).find(pred)
              if (hit) done(hit)
              else waiters.push(check)
            }
            check()
          })
        },
        close: () => req.destroy(),
      }
      resolve(client)
    })
    req.on('error', reject)
    req.end()
  })
}

/** Waits (event loop turns, not a fixed sleep) until `cond` holds, or fails after `ms`. */
export async function until(cond: () => boolean, ms = 2_000): Promise<void> {
  const deadline = Date.now() + ms
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((r) => setTimeout(r, 5))
  }
}

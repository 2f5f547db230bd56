import { createReadStream } from 'node:fs'
import { realpath, stat } from 'node:fs/promises'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { extname, isAbsolute, relative, resolve, sep } from 'node:path'
import { SECURITY_HEADERS, sendError } from './http-responses'

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
}

/**
 * Serves the built renderer directory, read-only. Nothing outside `root` is reachable: not by
 * `..` (plain or percent-encoded), not by an absolute path, not through a symlink.
 */
export class StaticFiles {
  private readonly root: string
  private realRoot: Promise<string | undefined> | undefined

  constructor(root: string) {
    this.root = resolve(root)
  }

  async serve(req: IncomingMessage, res: ServerResponse, rawPath: string): Promise<void> {
    let path: string
    try {
      path = decodeURIComponent(rawPath)
    } catch {
      return sendError(res, 400, 'malformed percent-encoding in the path')
    }
    if (path.includes('\0') || path.includes('\\')) return sendError(res, 400, 'invalid path')
    if (path.endsWith('/')) path += 'index.html'
    const file = resolve(this.root, '.' + path)
    if (!isInside(this.root, file)) return sendError(res, 404, 'not found')

    const realRoot = await (this.realRoot ??= realpath(this.root).catch(() => undefined))
    if (realRoot === undefined)
      return sendError(res, 404, `the panel is not built (no ${this.root}); run npm run build`)
    let real: string
    let size: number
    try {
      real = await realpath(file)
      const info = await stat(real)
      if (!info.isFile()) return sendError(res, 404, 'not found')
      size = info.size
    } catch {
      return sendError(res, 404, 'not found')
    }
    if (!isInside(realRoot, real)) return sendError(res, 404, 'not found')

    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'Content-Type': CONTENT_TYPES[extname(real).toLowerCase()] ?? 'application/octet-stream',
      'Content-Length': String(size),
      'Cache-Control': 'no-cache',
    })
    if (req.method === 'HEAD') {
      res.end()
      return
    }
    const stream = createReadStream(real)
    stream.on('error', () => res.destroy())
    stream.pipe(res)
  }
}

function isInside(root: string, path: string): boolean {
  const rel = relative(root, path)
  return rel !== '' && !rel.startsWith('..' + sep) && rel !== '..' && !isAbsolute(rel)
}

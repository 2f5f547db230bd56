// The built host entries start without zod: everything their static imports reach is free of it,
// and the schemas come through one dynamic import (a host's cold start, ARCHITECTURE §7). Reads
// the build output, so it runs after `npm run build` (as `npm test` does).
import { existsSync, readFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'

const ENTRIES = ['out/main/host.js', 'dist/host.js'].map((path) => resolve(path))
const STATIC_IMPORT = /^\s*(?:import|export)\s(?:[^'";]*?\sfrom\s)?['"](\.{1,2}\/[^'"]+)['"]/gm
const DYNAMIC_IMPORT = /\bimport\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g
// Bundled zod (electron-vite) defines its classes by these names; the library build imports it.
const ZOD = /\$ZodType|from\s*['"]zod(?:\/[^'"]*)?['"]/

/** Every file an entry loads before it runs: its static imports, transitively. */
function staticClosure(entry: string): string[] {
  const seen = new Set<string>([entry])
  const queue = [entry]
  for (let file = queue.pop(); file !== undefined; file = queue.pop())
    for (const [, spec] of readFileSync(file, 'utf8').matchAll(STATIC_IMPORT)) {
      const target = resolve(dirname(file), spec!)
      if (!seen.has(target)) {
        seen.add(target)
        queue.push(target)
      }
    }
  return [...seen]
}

describe.each(ENTRIES)('the built host entry %s', (entry) => {
  it.skipIf(!existsSync(entry))('loads no zod before it registers, and loads the schemas lazily', () => {
    const files = staticClosure(entry)
    expect(files.length).toBeGreaterThan(1)
    for (const file of files) expect(ZOD.test(readFileSync(file, 'utf8')), file).toBe(false)
    const dynamic = [...readFileSync(entry, 'utf8').matchAll(DYNAMIC_IMPORT)].map(([, spec]) =>
      resolve(dirname(entry), spec!),
    )
    expect(dynamic).toHaveLength(1)
    const schemaFiles = [dynamic[0]!, ...staticClosure(dynamic[0]!)]
    expect(schemaFiles.some((file) => /parseHostBoundBySchema/.test(readFileSync(file, 'utf8')))).toBe(true)
  })
})

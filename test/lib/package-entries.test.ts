// The built package (dist/, what `npm pack` ships): its exports map, and one copy of each class
// across the entries, so `instanceof` holds whichever entry an error came from (docs/embedding.md).
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { beforeAll, describe, expect, it } from 'vitest'

const root = fileURLToPath(new URL('../../', import.meta.url))
const pkg = JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as {
  private?: boolean
  type: string
  sideEffects: boolean
  exports: Record<string, { types: string; import: string } | string>
  dependencies?: Record<string, string>
  devDependencies: Record<string, string>
  peerDependencies: Record<string, string>
  peerDependenciesMeta: Record<string, { optional: boolean }>
  scripts: Record<string, string>
}
type Entry = Record<string, unknown>
const load = (name: string): Promise<Entry> => import(`${root}dist/${name}.js`) as Promise<Entry>

beforeAll(() => {
  if (!existsSync(`${root}dist/index.js`))
    throw new Error('dist/ is missing: build it first with `npm run build`')
})

describe('the package surface', () => {
  it('is a public ESM package with four entries, each with types first, and electron an optional peer', () => {
    expect(pkg.private).toBeUndefined()
    expect(pkg.type).toBe('module')
    expect(pkg.sideEffects).toBe(false)
    for (const entry of ['.', './node', './host', './electron']) {
      const target = pkg.exports[entry] as { types: string; import: string }
      expect(Object.keys(target)[0]).toBe('types')
      expect(existsSync(`${root}${target.types}`)).toBe(true)
      expect(existsSync(`${root}${target.import}`)).toBe(true)
    }
    expect(pkg.peerDependenciesMeta.electron).toEqual({ optional: true })
    expect(pkg.scripts.prepack).toBe('npm run build')
  })

  it("needs nothing at run time but its peers: zod ^4 (the app's own copy) and, optionally, electron", () => {
    expect(pkg.dependencies ?? {}).toEqual({})
    expect(pkg.peerDependencies).toEqual({ electron: '>=33', zod: '^4' })
    // The repo's own builds and tests still get both, as dev dependencies.
    expect(Object.keys(pkg.devDependencies)).toEqual(expect.arrayContaining(['zod', 'electron-log']))
  })

  it('imports zod from the app rather than bundling a copy, and never electron-log', () => {
    const built = readdirSync(`${root}dist`).filter((f) => f.endsWith('.js'))
    const code = built.map((f) => readFileSync(`${root}dist/${f}`, 'utf8')).join('\n')
    expect(code).toMatch(/from ['"]zod['"]/)
    expect(code).not.toMatch(/\$ZodType|class ZodError/)
    expect(code).not.toMatch(/['"]electron-log/)
  })

  it('exports what docs/embedding.md lists from each entry, and importing an entry starts nothing', async () => {
    const [index, node, host] = await Promise.all([load('index'), load('node'), load('host')])
    for (const name of ['HostPipe', 'HostPipeError', 'defineCommands', 'SagaFailedError', 'parseHostInbound'])
      expect(typeof index[name], name).toBe('function')
    expect(typeof node.createLauncher).toBe('function')
    expect(typeof node.startDiagnosticsServer).toBe('function')
    expect(typeof host.runHost).toBe('function')
  })

  it('rejects with the HostPipeError class of the root entry, whichever entry made the launcher', async () => {
    const [index, node] = await Promise.all([load('index'), load('node')])
    const createLauncher = node.createLauncher as (o: object) => {
      call(n: string, i: object): Promise<never>
    }
    const launcher = createLauncher({ hostEntry: '/nowhere.js', commands: {} })
    const err = await launcher.call('missing', {}).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(index.HostPipeError as new () => Error)
    expect(err).toMatchObject({ code: 'INVALID_COMMAND' })
  })
})

// Runs examples/ against the packed tarball, as a user would: `npm pack`, then for each example a
// temporary copy that installs the tarball, typechecks, and (embed-node) runs to completion.
// Every step is one test in test-results/examples.json; a step that throws counts as failed and
// the rest still run, so the summary line is always written.
import { execFileSync } from 'node:child_process'
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

const root = resolve(import.meta.dirname, '..')
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'
const results = []
const work = mkdtempSync(join(tmpdir(), 'hostpipe-examples-'))

function step(name, fn) {
  const started = Date.now()
  try {
    fn()
    results.push({ name, ok: true, ms: Date.now() - started })
    console.log(`  ok    ${name} (${Date.now() - started} ms)`)
    return true
  } catch (err) {
    const detail = [err.stdout, err.stderr].filter(Boolean).map(String).join('\n').trim().slice(-2000)
    results.push({ name, ok: false, ms: Date.now() - started, error: `${err.message}\n${detail}` })
    console.log(`  FAIL  ${name}: ${err.message}\n${detail}`)
    return false
  }
}

const run = (cmd, args, cwd, timeoutMs = 300_000) =>
  execFileSync(cmd, args, {
    cwd,
    encoding: 'utf8',
    stdio: 'pipe',
    timeout: timeoutMs,
    env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1' },
  })

let tarball
const packed = step('npm pack builds and packs hostpipe', () => {
  const out = run(npm, ['pack', '--json', '--pack-destination', work], root, 600_000)
  // The prepack build prints to the same stdout first (coloured log lines hold '[' too): npm's
  // JSON report is the last line that is a lone '['.
  const starts = [...out.matchAll(/^\[\s*$/gm)]
  if (starts.length === 0) throw new Error(`npm pack printed no JSON report:\n${out.slice(-1000)}`)
  const info = JSON.parse(out.slice(starts.at(-1).index))[0]
  tarball = join(work, info.filename)
  const files = info.files.map((f) => f.path)
  const missing = [
    'dist/index.js',
    'dist/node.js',
    'dist/host.js',
    'dist/electron.js',
    'dist/renderer/index.html',
    'dist/preload/index.cjs',
    'dist/node.d.ts',
  ].filter((f) => !files.includes(f))
  if (missing.length) throw new Error(`the tarball lacks ${missing.join(', ')}`)
  const tests = files.filter((f) => /(^|\/)test\/|\.test\.|\.spec\./.test(f))
  if (tests.length) throw new Error(`the tarball holds tests: ${tests.slice(0, 5).join(', ')}`)
  console.log(
    `  tarball ${info.filename}: ${info.size} bytes packed, ${info.unpackedSize} unpacked, ${files.length} files`,
  )
})

for (const example of ['embed-node', 'embed-electron']) {
  const dir = join(work, example)
  const installed =
    packed &&
    step(`${example}: installs the tarball into a fresh project`, () => {
      cpSync(join(root, 'examples', example), dir, {
        recursive: true,
        filter: (p) => !/node_modules|dist$/.test(p),
      })
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))
      pkg.dependencies.hostpipe = `file:${tarball}`
      writeFileSync(join(dir, 'package.json'), JSON.stringify(pkg, null, 2))
      mkdirSync(join(dir, 'node_modules'), { recursive: true })
      run(npm, ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts'], dir)
    })
  if (!installed) {
    results.push({ name: `${example}: typechecks and builds`, ok: false, error: 'not installed' })
    if (example === 'embed-node')
      results.push({ name: `${example}: runs`, ok: false, error: 'not installed' })
    continue
  }
  const built = step(`${example}: typechecks and builds against the installed types`, () =>
    run(npm, ['run', 'build'], dir),
  )
  if (example !== 'embed-node') continue
  if (!built) {
    results.push({ name: `${example}: runs to completion`, ok: false, error: 'not built' })
    continue
  }
  step(`${example}: runs to completion and exits by itself`, () => {
    const out = run(process.execPath, ['dist/main.js'], dir, 60_000)
    const expected = [
      'add: 5, shout: HELLO!',
      'shout failed as expected: will not shout that',
      'aborted call: AbortError',
      'aborted nap: AbortError',
      'rejected within 1 s of the abort: true',
      'the nap saga then failed: nap cut short',
      'after a host SIGKILL: 42',
      'sagas completed: 3',
    ]
    for (const line of expected) if (!out.includes(line)) throw new Error(`output lacks "${line}":\n${out}`)
  })
}

rmSync(work, { recursive: true, force: true })
const passed = results.filter((r) => r.ok).length
mkdirSync(join(root, 'test-results'), { recursive: true })
writeFileSync(
  join(root, 'test-results', 'examples.json'),
  JSON.stringify({ numPassedTests: passed, numFailedTests: results.length - passed, results }, null, 2),
)
console.log(`examples: ${passed} passed, ${results.length - passed} failed`)
process.exit(passed === results.length ? 0 : 1)

// Runs the README's Getting started and examples/ against the packed tarball, as a user would:
// `npm pack` (which builds first), then
// - the README's "Getting started" steps, word for word, in an empty directory beside a folder
//   `hostpipe` that holds the tarball (its step 1 is this `npm pack`), and the plain-JS variant;
// - each example copied to examples/<name> beside the tarball, as in the repository, so its
//   `file:../../hostpipe-<version>.tgz` dependency resolves as shipped; then the commands of its
//   README: `npm install`, `npm run build`, and for the runnable ones (embed-node, progress-streams) `npm start`;
// - hostpipe's Electron side typechecked against the lowest Electron the README supports.
// Every step is one test in test-results/examples.json; a step that throws counts as failed and
// the rest still run, so the summary line is always written.
import { execFileSync } from 'node:child_process'
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, dirname, join, resolve } from 'node:path'

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

const readme = readFileSync(join(root, 'README.md'), 'utf8')
const sh = (script, cwd, timeoutMs) => run('sh', ['-ec', script], cwd, timeoutMs)

/** The fenced code blocks of one README section, in order: `{ lang, body }`. */
function readmeBlocks(heading) {
  const start = readme.indexOf(`\n## ${heading}\n`)
  if (start < 0) throw new Error(`README.md has no "## ${heading}" section`)
  const end = readme.indexOf('\n## ', start + 1)
  const section = readme.slice(start, end < 0 ? undefined : end)
  return [...section.matchAll(/^```(\w+)\n([\s\S]*?)^```$/gm)].map((m) => ({ lang: m[1], body: m[2] }))
}

/** A block whose first line is `// some/path` is that file's content; null for other blocks. */
const fileOf = (block) => /^\/\/ (\S+)\n/.exec(block.body)?.[1] ?? null

function writeFiles(blocks, dir, rename = (p) => p) {
  for (const block of blocks) {
    const file = fileOf(block)
    if (!file) continue
    const path = join(dir, rename(file))
    mkdirSync(dirname(path), { recursive: true })
    writeFileSync(path, block.body)
  }
}

// The README's layout: a folder `hostpipe` (the clone, holding the packed tarball) and the new
// project made beside it.
const started = join(work, 'getting-started')
const clone = join(started, 'hostpipe')
let setup
if (packed)
  step('README Getting started: from an empty directory to the sum, word for word', () => {
    const blocks = readmeBlocks('Getting started')
    const shells = blocks.filter((b) => b.lang === 'sh')
    const [pack, ...rest] = shells
    // Step 1 is what this script already did: npm ci (CI's first step) and npm pack.
    if (pack?.body !== 'cd hostpipe\nnpm ci\nnpm pack\n')
      throw new Error(`step 1 is not "cd hostpipe, npm ci, npm pack":\n${pack?.body}`)
    setup = rest[0]
    if (!setup?.body.startsWith('mkdir ../my-app && cd ../my-app\n'))
      throw new Error(`step 2 does not make ../my-app:\n${setup?.body}`)
    mkdirSync(clone, { recursive: true })
    cpSync(tarball, join(clone, basename(tarball)))
    sh(setup.body, clone)
    const app = join(started, 'my-app')
    writeFiles(blocks, app)
    let out = ''
    for (const block of rest.slice(1)) out += sh(block.body, app, 120_000)
    if (!out.includes('2 + 3 = 5')) throw new Error(`the program did not print "2 + 3 = 5":\n${out}`)
  })
if (setup)
  step('README Getting started, plain JavaScript: the three files as .js, run with node', () => {
    // "skip TypeScript and tsconfig.json, save the three files as commands.js, host.js and
    // main.js side by side, and run node main.js"
    const script = setup.body
      .replaceAll('../my-app', '../my-app-js')
      .split('\n')
      .filter((line) => !line.includes('typescript'))
      .join('\n')
    sh(script, clone)
    const app = join(started, 'my-app-js')
    const blocks = readmeBlocks('Getting started').filter((b) => fileOf(b)?.startsWith('src/'))
    writeFiles(blocks, app, (p) => basename(p).replace(/\.ts$/, '.js'))
    const out = run(process.execPath, ['main.js'], app, 60_000)
    if (!out.includes('2 + 3 = 5')) throw new Error(`node main.js did not print "2 + 3 = 5":\n${out}`)
  })

// Each example beside the tarball as in the repository (examples/<name>, the tarball two levels
// up), then exactly the commands its README gives.
/** The lines each runnable example's `npm start` must print; the others are only built. */
const expectedOutput = {
  'embed-node': [
    'add: 5, shout: HELLO!',
    'shout failed as expected: will not shout that',
    'aborted call: AbortError',
    'aborted nap: AbortError',
    'rejected within 1 s of the abort: true',
    'the nap saga then failed: nap cut short',
    'after a host SIGKILL: 42',
    'sagas completed: 3',
  ],
  'progress-streams': [
    'event cache.warm: 40 entries',
    'indexed: 40, last progress: 40',
    'streamed: 100 lines, result total 100',
    'stream progress: 100 sent',
    'early break: AbortError',
  ],
}

for (const example of ['embed-node', 'progress-streams', 'embed-electron']) {
  const expected = expectedOutput[example]
  const dir = join(work, 'examples', example)
  const installed =
    packed &&
    step(`${example}: npm install, with the tarball as its package.json names it`, () => {
      cpSync(join(root, 'examples', example), dir, {
        recursive: true,
        filter: (p) => !/node_modules|dist$|package-lock\.json$/.test(p),
      })
      const wanted = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).dependencies.hostpipe
      if (wanted !== `file:../../${basename(tarball)}`)
        throw new Error(`package.json depends on ${wanted}, npm pack wrote ${basename(tarball)}`)
      run(npm, ['install', '--prefer-offline', '--no-audit', '--no-fund'], dir)
    })
  if (!installed) {
    results.push({ name: `${example}: typechecks and builds`, ok: false, error: 'not installed' })
    if (expected) results.push({ name: `${example}: runs`, ok: false, error: 'not installed' })
    continue
  }
  const built = step(`${example}: npm run build typechecks and builds against the installed types`, () =>
    run(npm, ['run', 'build'], dir),
  )
  if (!expected) continue
  if (!built) {
    results.push({ name: `${example}: runs to completion`, ok: false, error: 'not built' })
    continue
  }
  step(`${example}: npm start runs to completion and exits by itself`, () => {
    const out = run(npm, ['start'], dir, 60_000)
    for (const line of expected) if (!out.includes(line)) throw new Error(`output lacks "${line}":\n${out}`)
  })
}

// The lowest Electron the README's "Which Electron" names: hostpipe's Electron side (its sources,
// not only the public types) must typecheck against that major's `electron` types too.
step("hostpipe's Electron side typechecks against the lowest Electron the README supports", () => {
  const major = /supports \*\*Electron (\d+) and later\*\*/.exec(readme)?.[1]
  if (!major) throw new Error('README.md names no "Electron N and later"')
  const dir = join(work, `electron-${major}`)
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, 'package.json'), '{ "private": true }\n')
  run(
    npm,
    ['install', '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund', `electron@${major}`],
    dir,
  )
  const config = join(dir, 'tsconfig.json')
  writeFileSync(
    config,
    JSON.stringify({
      extends: join(root, 'tsconfig.node.json'),
      compilerOptions: {
        composite: false,
        noEmit: true,
        typeRoots: [join(root, 'node_modules', '@types')],
        paths: { electron: [join(dir, 'node_modules', 'electron', 'electron.d.ts')] },
      },
      include: ['main', 'preload', 'lib', 'shared'].map((d) => join(root, 'src', d, '**', '*')),
    }),
  )
  run(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', config], root)
})

rmSync(work, { recursive: true, force: true })
const passed = results.filter((r) => r.ok).length
mkdirSync(join(root, 'test-results'), { recursive: true })
writeFileSync(
  join(root, 'test-results', 'examples.json'),
  JSON.stringify({ numPassedTests: passed, numFailedTests: results.length - passed, results }, null, 2),
)
console.log(`examples: ${passed} passed, ${results.length - passed} failed`)
process.exit(passed === results.length ? 0 : 1)

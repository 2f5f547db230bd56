// `npm run bench`: bundles bench/main.ts and the bench's child scripts with esbuild (installed as
// vite's own dependency) into out/bench/ and runs it under plain Node, passing the command line
// through. `--expose-gc` lets the RSS scenario settle the heap before it reads RSS.
import { spawn } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const outdir = join(root, 'out', 'bench')

await build({
  entryPoints: [
    'main',
    'bare-child',
    'birpc-child',
    'jsonrpc-child',
    'comlink-child',
    'raw-call-child',
    'call-host',
    'stream-host',
    'bytes-host',
    'bytes-echo-child',
    'bytes-cut-through-child',
  ].map((name) => join(root, 'bench', `${name}.ts`)),
  outdir,
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
  // vscode-jsonrpc is CommonJS and `require`s Node built-ins, which an ES module bundle can only
  // do through a real `require`.
  banner: {
    js: "import { createRequire as __benchRequire } from 'node:module'; const require = __benchRequire(import.meta.url);",
  },
})

const child = spawn(
  process.execPath,
  ['--expose-gc', '--enable-source-maps', join(outdir, 'main.mjs'), ...process.argv.slice(2)],
  {
    stdio: 'inherit',
  },
)
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)))

/** Scenarios `--only` can pick (for profiling one at a time). */
export const SCENARIOS = [
  'throughput',
  'latency',
  'call',
  'reconnect',
  'rss',
  'coldstart',
  'failover',
  'pool',
  'stream',
  'bytes',
] as const
export type ScenarioName = (typeof SCENARIOS)[number]

export interface BenchOptions {
  /** Print the JSON object (docs/benchmarks.md) as the last line of stdout (the table goes to stderr). */
  json: boolean
  /** The short mode: fewer and shorter rounds, under a minute in all. */
  quick: boolean
  /** Run only these scenarios (default all). The JSON line needs all of them. */
  only: ScenarioName[]
  /**
   * Add the birpc and vscode-jsonrpc rows to the throughput and latency scenarios, and the birpc,
   * comlink and vscode-jsonrpc rows to the call scenario.
   */
  peers: boolean
  /** Internal: this process is the RSS scenario's launcher child. */
  child: 'rss' | undefined
}

export const USAGE =
  'usage: npm run bench -- [--json] [--quick] [--peers] [--only=throughput,latency,call,reconnect,rss,coldstart,failover,pool,stream,bytes]'

export type ParsedOptions = { ok: true; options: BenchOptions } | { ok: false; error: string }

export function parseBenchArgs(argv: readonly string[]): ParsedOptions {
  const options: BenchOptions = {
    json: false,
    quick: false,
    only: [...SCENARIOS],
    peers: false,
    child: undefined,
  }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (arg === '--json') options.json = true
    else if (arg === '--quick') options.quick = true
    else if (arg === '--peers') options.peers = true
    else if (arg === '--only' || arg.startsWith('--only=')) {
      // `--only=a,b` or `--only a,b`.
      const list = arg === '--only' ? argv[++i] : arg.slice('--only='.length)
      if (list === undefined) return { ok: false, error: `--only takes ${SCENARIOS.join(', ')}; got nothing` }
      const names = list.split(',')
      const unknown = names.filter((n) => !(SCENARIOS as readonly string[]).includes(n))
      if (unknown.length > 0 || names.length === 0)
        return { ok: false, error: `--only takes ${SCENARIOS.join(', ')}; got ${JSON.stringify(unknown)}` }
      options.only = names as ScenarioName[]
    } else if (arg === '--child=rss') options.child = 'rss'
    else return { ok: false, error: `unknown argument ${JSON.stringify(arg)}` }
  }
  if (options.json && options.only.length !== SCENARIOS.length)
    return { ok: false, error: '--json needs every scenario (drop --only)' }
  return { ok: true, options }
}

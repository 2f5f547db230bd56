/**
 * `npm run bench` (see bench/run.mjs): HostPipe's throughput against a raw NDJSON socket writer to
 * the same host and to a bare child, send → ack latency at 10k commands/s, host SIGKILL → drained,
 * failover, cold start and launcher RSS growth over 1M commands, all against real child processes
 * on real Unix sockets, and `launcher.call` against a raw NDJSON request/response loop (the call
 * scenario); with `--peers`, birpc and vscode-jsonrpc in the same throughput and latency rounds,
 * and birpc, comlink and vscode-jsonrpc in the call rounds. Other processes' load is measured per
 * scenario (other-load.ts): above the threshold no target is judged and the JSON line says
 * `"loadWarning":true`.
 * `--json` ends stdout with the JSON object of docs/benchmarks.md; progress and the table go to stderr then.
 */
import { benchConfig } from './bench-config'
import { measureCalls } from './call'
import { CALL_PEERS } from './call-sides'
import { measureColdStart } from './cold-start'
import { measureFailover } from './failover'
import { parseBenchArgs, USAGE } from './bench-options'
import { measureLatency } from './latency'
import { LoadMonitor } from './other-load'
import { PEERS } from './peer-rig'
import { measurePool } from './pool'
import { measureReconnect } from './reconnect'
import { formatTable, summaryOf, type BenchResults } from './report'
import { measureRss, runRssChild } from './rss'
import { measureStream } from './stream'
import { measureBytes } from './bytes'
import { measureThroughput } from './throughput'

async function main(): Promise<void> {
  const parsed = parseBenchArgs(process.argv.slice(2))
  if (!parsed.ok) {
    process.stderr.write(`bench: ${parsed.error}\n${USAGE}\n`)
    process.exit(2)
  }
  const options = parsed.options
  if (options.child === 'rss') return runRssChild()

  const config = benchConfig(options.quick)
  const started = performance.now()
  const progress = (line: string): void => {
    process.stderr.write(`[${((performance.now() - started) / 1000).toFixed(1).padStart(5)} s] ${line}\n`)
  }
  const only = new Set(options.only)
  const peers = options.peers ? PEERS : []
  const load = new LoadMonitor()
  const results: BenchResults = {}
  if (only.has('throughput'))
    results.throughput = await load.measure('throughput', () =>
      measureThroughput(config.throughput, peers, progress),
    )
  if (only.has('latency'))
    results.latency = await load.measure('latency', () => measureLatency(config.latency, peers, progress))
  if (only.has('call'))
    results.call = await load.measure('call', () =>
      measureCalls(config.call, options.peers ? CALL_PEERS : [], progress),
    )
  if (only.has('reconnect'))
    results.reconnect = await load.measure('reconnect', () => measureReconnect(config.reconnect, progress))
  if (only.has('rss')) results.rss = await load.measure('rss', () => measureRss(config.rss, progress))
  if (only.has('coldstart'))
    results.coldStart = await load.measure('coldstart', () => measureColdStart(config.coldStart, progress))
  if (only.has('failover'))
    results.failover = await load.measure('failover', () => measureFailover(config.failover, progress))
  if (only.has('pool')) results.pool = await load.measure('pool', () => measurePool(config.pool, progress))
  if (only.has('stream'))
    results.stream = await load.measure('stream', () => measureStream(config.stream, progress))
  if (only.has('bytes'))
    results.bytes = await load.measure('bytes', () => measureBytes(config.bytes, progress))
  results.load = load.result()
  progress(
    `done; other load ${results.load.maxOtherCores.toFixed(2)} cores at most ` +
      `(threshold ${results.load.thresholdCores})${results.load.warning ? ': loadWarning, no target judged' : ''}`,
  )

  const table = formatTable(results, config, new Date())
  if (!options.json) {
    process.stdout.write(table + '\n')
    return
  }
  process.stderr.write(table + '\n')
  const { throughput, latency, reconnect, rss, coldStart, failover, call, pool, stream, bytes } = results
  if (
    !throughput ||
    !latency ||
    !reconnect ||
    !rss ||
    !coldStart ||
    !failover ||
    !call ||
    !pool ||
    !stream ||
    !bytes
  )
    throw new Error('--json needs every scenario')
  process.stdout.write(
    JSON.stringify(
      summaryOf({
        throughput,
        latency,
        reconnect,
        rss,
        coldStart,
        failover,
        call,
        pool,
        stream,
        bytes,
        load: results.load,
      }),
    ) + '\n',
  )
}

main().then(
  // Child processes and sockets are closed by now; nothing should keep the process up.
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`)
    process.exit(1)
  },
)

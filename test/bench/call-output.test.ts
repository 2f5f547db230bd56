import { describe, expect, it } from 'vitest'
import { benchConfig } from '../../bench/bench-config'
import { parseBenchArgs } from '../../bench/bench-options'
import { callRatioSpread, callSideSpread } from '../../bench/call'
import { callRows, formatTable } from '../../bench/report'
import { meetsTarget } from '../../bench/targets'
import { roundOrder } from '../../bench/throughput'
import {
  fakeCallResult,
  fakeCallResultWithWide,
  fakeCallResultWithoutPeers,
} from '../support/fake-call-result'

// The call scenario's plumbing on made-up numbers (test/support/fake-call-result.ts): no timing,
// no processes.

const judged = (ok: boolean): string => (ok ? 'met' : '**missed**')
const table = (rows: string[][]): string => rows.map((row) => `| ${row.join(' | ')} |`).join('\n')

describe('call scenario output', () => {
  it("takes the per-round HostPipe ÷ raw ratio and each side's rate with their ranges", () => {
    expect(callRatioSpread(fakeCallResult, 'pipe', 'raw')).toEqual({ median: 0.25, min: 0.2, max: 0.3, n: 3 })
    expect(callSideSpread(fakeCallResult, 'pipe', 'perSecond')).toMatchObject({
      median: 25_000,
      min: 20_000,
      max: 30_000,
    })
    expect(callRatioSpread(fakeCallResult, 'comlink', 'raw').median).toBeCloseTo(0.3)
    expect(callRatioSpread(fakeCallResultWithoutPeers, 'birpc', 'raw').n).toBe(0)
  })

  it('prints callsPerSec, callRatio, callP50Ms and callP99Ms with raw beside them and CPU µs per call', () => {
    const text = table(callRows(fakeCallResult, judged))
    expect(text).toMatch(/^\| callsPerSec \| 25,000\/s \(20,000\/s–30,000\/s\) \| — \|/m)
    expect(text).toMatch(/^\| callRatio \| 0\.250 \(0\.200–0\.300\) \| ≥ 0\.6 \| \*\*missed\*\* \|/m)
    expect(text).toMatch(/raw call loop 100,000\/s, CPU µs\/call launcher 10\.00, child 8\.00/)
    expect(text).toMatch(
      /HostPipe 25,000\/s \(20,000\/s–30,000\/s\), CPU µs\/call launcher 10\.00, child 8\.00/,
    )
    expect(text).toMatch(
      /^\| callP50Ms \| 0\.250 \(0\.200–0\.300\) \| ≤ 1\.3× raw \| \*\*missed\*\* \| .*raw call loop 0\.100 ms \(2\.50× raw\)/m,
    )
    expect(text).toMatch(
      /^\| callP99Ms \| 0\.900 \(0\.800–1\.000\) \| ≤ 2\.5× raw \| met \| .*raw call loop 0\.500 \(0\.400–0\.600\) ms \(1\.80× raw\)/m,
    )
  })

  it('puts the call rows in the bench table when the call scenario ran alone', () => {
    const text = formatTable({ call: fakeCallResult }, benchConfig(false), new Date(0))
    for (const metric of ['callsPerSec', 'callRatio', 'callP50Ms', 'callP99Ms', 'peers.comlinkCall'])
      expect(text).toMatch(new RegExp(`^\\| ${metric.replace('.', '\\.')} \\|`, 'm'))
    expect(text).not.toMatch(/^\| throughputRatio \|/m)
  })

  it('adds a row per peer library with --peers, and none without', () => {
    const text = table(callRows(fakeCallResult, judged))
    expect(text).toMatch(/^\| peers\.birpcCall \| 0\.500 \| — \|/m)
    expect(text).toMatch(/^\| peers\.comlinkCall \| 0\.300 \| — \| {2}\| comlink ÷ the raw call loop/m)
    expect(text).toMatch(/^\| peers\.jsonrpcCall \| 0\.100 \| — \|/m)
    expect(table(callRows(fakeCallResultWithoutPeers, judged))).not.toMatch(/peers\./)
  })

  it('prints callRatio again with concurrency 256, unjudged, when that side ran', () => {
    const text = table(callRows(fakeCallResultWithWide, judged))
    expect(text).toMatch(
      /^\| \(concurrency 256\) \| 0\.500 \(0\.400–0\.600\) \| — \| {2}\| callRatio again with concurrency 256 .*HostPipe with concurrency 256 50,000\/s/m,
    )
    expect(table(callRows(fakeCallResult, judged))).not.toMatch(/concurrency 256/)
  })

  it('judges nothing under load: the call rows read as the mark they are given', () => {
    const text = table(callRows(fakeCallResult, () => 'not judged (load)'))
    for (const metric of ['callRatio', 'callP50Ms', 'callP99Ms'])
      expect(text).toMatch(
        new RegExp(`^\\| ${metric} \\| [^|]+ \\| [^|]+ \\| not judged \\(load\\) \\|`, 'm'),
      )
  })

  it('judges the call targets on the right side of their bounds', () => {
    expect(meetsTarget('callRatio', 0.6)).toBe(true)
    expect(meetsTarget('callRatio', 0.59)).toBe(false)
    expect(meetsTarget('callP50VsRaw', 1.3)).toBe(true)
    expect(meetsTarget('callP50VsRaw', 1.31)).toBe(false)
    expect(meetsTarget('callP99VsRaw', 2.5)).toBe(true)
    expect(meetsTarget('callP99VsRaw', 2.51)).toBe(false)
  })

  it('takes --only call with a space or an equals sign, and refuses --only with nothing after it', () => {
    expect(parseBenchArgs(['--only', 'call', '--peers'])).toMatchObject({
      ok: true,
      options: { only: ['call'], peers: true },
    })
    expect(parseBenchArgs(['--only=call,latency'])).toMatchObject({
      ok: true,
      options: { only: ['call', 'latency'] },
    })
    expect(parseBenchArgs(['--only'])).toMatchObject({ ok: false, error: expect.stringContaining('call') })
    expect(parseBenchArgs([])).toMatchObject({
      ok: true,
      options: { only: expect.arrayContaining(['call']) },
    })
  })

  it('runs raw and HostPipe back to back in every call round, the peers rotating around them', () => {
    const sides = fakeCallResult.sides
    for (let i = 0; i < 8; i++) {
      const order = roundOrder(sides, i)
      expect([...order].sort()).toEqual([...sides].sort())
      expect(Math.abs(order.indexOf('raw') - order.indexOf('pipe'))).toBe(1)
    }
  })
})

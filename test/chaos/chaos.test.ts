import { describe, expect, it } from 'vitest'
import { runChaos, type ChaosConfig } from './chaos-run'

/**
 * `npm test` runs the short form; `npm run test:chaos` (HOSTPIPE_CHAOS=long) the long one:
 * 100 SIGKILLs at 10k commands/s. HOSTPIPE_CHAOS_SEED replays a run.
 */
const isLong = process.env.HOSTPIPE_CHAOS === 'long'
const seed = Number(process.env.HOSTPIPE_CHAOS_SEED ?? 20_240_607)

const config: ChaosConfig = isLong
  ? {
      form: 'long',
      seed,
      kills: 100,
      ratePerSecond: 10_000,
      streamMs: [100, 600],
      sagaTimeoutMs: 5_000,
      budgetMs: 300_000,
      rssGrowthLimitMb: 200,
    }
  : {
      form: 'short',
      seed,
      kills: 20,
      ratePerSecond: 2_000,
      streamMs: [50, 300],
      sagaTimeoutMs: 5_000,
      budgetMs: 50_000,
      rssGrowthLimitMb: 150,
    }

describe(`chaos (${config.form} form)`, () => {
  it(
    `survives ${config.kills} host SIGKILLs at ${config.ratePerSecond} sagas/s: one terminal per saga, ` +
      'exact HostPipe accounting, nothing executed twice, no acked saga failed, bounded RSS',
    async () => {
      const verdict = await runChaos(config)
      console.log(verdict.table)
      expect(verdict.violations).toEqual([])
    },
    config.budgetMs + 10_000,
  )
})

// One suite, both implementations: the in-memory twin must behave exactly like the level store.
import { describe, expect, it } from 'vitest'
import { checkpointSuite } from './checkpoint-suite.js'
import { levelHarness, memoryHarness, mulberry32 } from './helpers.js'
import { metricsSuite } from './metrics-suite.js'
import { poolSuite } from './pool-suite.js'

for (const [name, make] of [['memory', memoryHarness], ['level', levelHarness]] as const) {
  poolSuite(name, make)
  checkpointSuite(name, make)
  metricsSuite(name, make)
}

describe('memory and level implementations', () => {
  it('produce identical pool contents and samples for the same operations', async () => {
    const clock = { t: 0 }
    const init = { now: () => clock.t, pool: { maxEntries: 40, maxBytes: 2000, ttlMs: 5000 } }
    const mem = await memoryHarness(init)
    const lvl = await levelHarness(init)
    try {
      const rng = mulberry32(99)
      for (let i = 0; i < 300; i++) {
        clock.t += Math.floor(rng.nextFloat() * 40)
        const e = {
          origin: rng.nextFloat() < 0.5 ? 'local' as const : 'peer' as const,
          producer: `p${Math.floor(rng.nextFloat() * 4)}`,
          family: `f${Math.floor(rng.nextFloat() * 3)}`,
          taskKey: `t${Math.floor(rng.nextFloat() * 60)}`,
          round: Math.floor(i / 10),
          payload: new Uint8Array(1 + Math.floor(rng.nextFloat() * 80)).fill(i % 256),
          completions: [`x${Math.floor(rng.nextFloat() * 3)}`]
        }
        const [a, b] = [await mem.store.pool.insert(e), await lvl.store.pool.insert(e)]
        expect(b).toEqual(a)
      }
      expect(lvl.store.pool.stats()).toEqual(mem.store.pool.stats())
      expect(lvl.store.pool.queryMeta()).toEqual(mem.store.pool.queryMeta())
      const opts = (seed: number) => ({ rng: mulberry32(seed), filter: (m: { family: string }) => m.family !== 'f1' })
      expect(await lvl.store.pool.sample(12, opts(5))).toEqual(await mem.store.pool.sample(12, opts(5)))
    } finally {
      await mem.dispose()
      await lvl.dispose()
    }
  })
})

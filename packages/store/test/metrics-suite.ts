import { afterEach, describe, expect, it } from 'vitest'
import type { MetricsRecord } from '../src/types.js'
import type { Harness, HarnessFactory } from './helpers.js'

function rec (round: number): MetricsRecord {
  return {
    round,
    rewards: { mean: round / 10, std: 0.5 },
    accuracy: Math.min(1, round / 100),
    groups: { local: 4, peer: round % 5 },
    timings: { generateMs: 120 + round, trainMs: 80 }
  }
}

/** The metrics history behaviours every implementation must share. */
export function metricsSuite (name: string, make: HarnessFactory): void {
  describe(`${name} metrics history`, () => {
    let h: Harness | undefined
    afterEach(async () => { await h?.dispose(); h = undefined })

    it('stores one record per round, replacing on rewrite', async () => {
      h = await make()
      expect(await h.store.metrics.latest()).toBeUndefined()
      await h.store.metrics.put(rec(1))
      await h.store.metrics.put({ ...rec(1), accuracy: 0.9 })
      expect(await h.store.metrics.get(1)).toEqual({ ...rec(1), accuracy: 0.9 })
      expect(await h.store.metrics.get(2)).toBeUndefined()
    })

    it('answers inclusive ranges in numeric round order, reversed and limited', async () => {
      h = await make()
      const rounds = [0, 9, 10, 15, 16, 255, 256, 4095, 4096, 70000]
      for (const r of [...rounds].reverse()) await h.store.metrics.put(rec(r))
      const m = h.store.metrics
      expect((await m.range()).map(r => r.round)).toEqual(rounds)
      expect((await m.range({ from: 10, to: 256 })).map(r => r.round)).toEqual([10, 15, 16, 255, 256])
      expect((await m.range({ from: 11, to: 255, reverse: true })).map(r => r.round)).toEqual([255, 16, 15])
      expect((await m.range({ reverse: true, limit: 3 })).map(r => r.round)).toEqual([70000, 4096, 4095])
      expect((await m.range({ from: 300, to: 200 }))).toEqual([])
      expect((await m.latest())?.round).toBe(70000)
    })

    it('keeps records across a reopen', async () => {
      h = await make()
      for (let r = 1; r <= 5; r++) await h.store.metrics.put(rec(r))
      const store = await h.reopen()
      expect((await store.metrics.range({ from: 2, to: 4 }))).toEqual([rec(2), rec(3), rec(4)])
    })

    it('keeps only the newest `keep` rounds, also when an older round arrives late', async () => {
      h = await make({ metrics: { keep: 3 } })
      for (let r = 1; r <= 6; r++) await h.store.metrics.put(rec(r))
      expect((await h.store.metrics.range()).map(r => r.round)).toEqual([4, 5, 6])
      await h.store.metrics.put(rec(2))
      expect((await h.store.metrics.range()).map(r => r.round)).toEqual([4, 5, 6])
      await h.store.metrics.put({ ...rec(5), accuracy: 0.25 })
      expect((await h.store.metrics.range()).map(r => r.round)).toEqual([4, 5, 6])
      expect((await h.store.metrics.get(5))?.accuracy).toBe(0.25)
      await h.store.metrics.put(rec(9))
      expect((await h.store.metrics.range()).map(r => r.round)).toEqual([5, 6, 9])
    })

    it('rejects records that are not plain JSON with a round', async () => {
      h = await make()
      await expect(h.store.metrics.put({ ...rec(1), accuracy: Number.NaN })).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT', field: 'metrics.accuracy' })
      await expect(h.store.metrics.put({ accuracy: 1 } as never)).rejects.toMatchObject({ field: 'metrics.round' })
      await expect(h.store.metrics.put({ round: 1, when: new Date() } as never)).rejects.toMatchObject({ field: 'metrics.when' })
      await expect(h.store.metrics.range({ limit: -1 })).rejects.toMatchObject({ field: 'range.limit' })
      expect(await h.store.metrics.range()).toEqual([])
    })

    it('accepts records typed as interfaces (checked as JSON at runtime)', async () => {
      interface RoundMetrics { round: number, accuracy: number, timings: { totalMs: number } }
      const typed: RoundMetrics = { round: 3, accuracy: 0.25, timings: { totalMs: 12 } }
      h = await make()
      await h.store.metrics.put(typed)
      expect(await h.store.metrics.get(3)).toEqual(typed)
    })

    it('returns copies that callers cannot use to change stored records', async () => {
      h = await make()
      await h.store.metrics.put(rec(1))
      const got = await h.store.metrics.get(1) as unknown as { rewards: { mean: number } }
      got.rewards.mean = 99
      expect(await h.store.metrics.get(1)).toEqual(rec(1))
    })
  })
}

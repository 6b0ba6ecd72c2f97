import { createHash } from 'node:crypto'
import { afterEach, describe, expect, it } from 'vitest'
import type { CheckpointInput } from '../src/types.js'
import { bytesFrom, fakeClock, type Harness, type HarnessFactory } from './helpers.js'

/** A deterministic checkpoint for `round`. */
export function checkpointFor (round: number, weightsBytes = 1000): CheckpointInput {
  return {
    round,
    step: round * 10,
    weights: bytesFrom(round, weightsBytes),
    optimizer: bytesFrom(round + 1_000_000, 333),
    rng: { state: [round, round + 1], seed: 7 },
    hero: { sigmaBar: 0.25 * round },
    config: { model: 'tiny', lr: 1e-3, nested: { list: [1, 'two', null, true] } },
    meta: { note: `round ${round}` }
  }
}

/** The checkpoint behaviours every implementation must share. */
export function checkpointSuite (name: string, make: HarnessFactory): void {
  describe(`${name} checkpoints`, () => {
    let h: Harness | undefined
    afterEach(async () => { await h?.dispose(); h = undefined })

    it('saves and returns a whole checkpoint whose sha256 covers weights then optimizer', async () => {
      const clock = fakeClock(777)
      h = await make({ now: clock.now })
      expect(await h.store.checkpoints.latest()).toBeUndefined()
      const input = checkpointFor(3)
      const info = await h.store.checkpoints.save(input)
      const expected = createHash('sha256').update(input.weights).update(input.optimizer).digest('hex')
      expect(info).toEqual({ round: 3, step: 30, createdAt: 777, weightsBytes: 1000, optimizerBytes: 333, sha256: expected, meta: { note: 'round 3' } })
      const got = await h.store.checkpoints.latest()
      expect(got).toMatchObject({ ...info, rng: input.rng, hero: input.hero, config: input.config })
      expect(Buffer.from(got?.weights ?? []).equals(Buffer.from(input.weights))).toBe(true)
      expect(Buffer.from(got?.optimizer ?? []).equals(Buffer.from(input.optimizer))).toBe(true)
      expect(await h.store.checkpoints.get(4)).toBeUndefined()
    })

    it('keeps only the newest `keep` rounds', async () => {
      h = await make({ checkpoints: { keep: 2 } })
      for (const r of [1, 2, 3, 4, 5]) await h.store.checkpoints.save(checkpointFor(r))
      expect((await h.store.checkpoints.list()).map(c => c.round)).toEqual([4, 5])
      expect(await h.store.checkpoints.get(3)).toBeUndefined()
      expect((await h.store.checkpoints.latest())?.round).toBe(5)
      await h.store.checkpoints.save(checkpointFor(1))
      expect((await h.store.checkpoints.list()).map(c => c.round)).toEqual([4, 5])
    })

    it('replaces a checkpoint of the same round', async () => {
      h = await make()
      await h.store.checkpoints.save(checkpointFor(2))
      const again = { ...checkpointFor(2, 50), step: 99 }
      await h.store.checkpoints.save(again)
      const list = await h.store.checkpoints.list()
      expect(list.map(c => [c.round, c.step, c.weightsBytes])).toEqual([[2, 99, 50]])
      expect((await h.store.checkpoints.get(2))?.weights).toEqual(again.weights)
    })

    it('deletes a checkpoint', async () => {
      h = await make()
      await h.store.checkpoints.save(checkpointFor(1))
      await h.store.checkpoints.save(checkpointFor(2))
      expect(await h.store.checkpoints.delete(2)).toBe(true)
      expect(await h.store.checkpoints.delete(2)).toBe(false)
      expect((await h.store.checkpoints.latest())?.round).toBe(1)
    })

    it('keeps checkpoints across a reopen', async () => {
      h = await make()
      for (const r of [1, 2]) await h.store.checkpoints.save(checkpointFor(r))
      const store = await h.reopen()
      const got = await store.checkpoints.latest()
      expect(got?.round).toBe(2)
      expect(got?.weights).toEqual(checkpointFor(2).weights)
      expect((await store.checkpoints.list()).map(c => c.round)).toEqual([1, 2])
    })

    it('handles empty blobs', async () => {
      h = await make()
      await h.store.checkpoints.save({ ...checkpointFor(1), weights: new Uint8Array(0), optimizer: new Uint8Array(0) })
      const got = await h.store.checkpoints.get(1)
      expect(got?.weights.byteLength).toBe(0)
      expect(got?.sha256).toBe(createHash('sha256').digest('hex'))
    })

    it('rejects bad checkpoints with typed errors and writes nothing', async () => {
      h = await make()
      const cases: Array<[Partial<CheckpointInput>, string]> = [
        [{ round: -1 }, 'checkpoint.round'],
        [{ step: 0.5 }, 'checkpoint.step'],
        [{ weights: [1, 2] as unknown as Uint8Array }, 'checkpoint.weights'],
        [{ rng: { s: Number.NaN } }, 'checkpoint.rng.s'],
        [{ config: { f: (() => 1) as unknown as number } }, 'checkpoint.config.f'],
        [{ meta: [] as never }, 'checkpoint.meta']
      ]
      for (const [over, field] of cases) {
        await expect(h.store.checkpoints.save({ ...checkpointFor(1), ...over })).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT', field })
      }
      const cyclic: Record<string, unknown> = {}
      cyclic.self = cyclic
      await expect(h.store.checkpoints.save({ ...checkpointFor(1), hero: cyclic as never })).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' })
      await expect(h.store.checkpoints.get(-2)).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' })
      expect(await h.store.checkpoints.list()).toEqual([])
    })

    it('honours an aborted signal', async () => {
      h = await make()
      const ac = new AbortController()
      ac.abort()
      await expect(h.store.checkpoints.save(checkpointFor(1), { signal: ac.signal })).rejects.toMatchObject({ code: 'ERR_ABORTED' })
      expect(await h.store.checkpoints.list()).toEqual([])
    })
  })
}

import { describe, it, expect } from 'vitest'
import { sampleExternal } from '../src/sample.js'
import { InvalidRewardInputError } from '../src/errors.js'
import { mulberry32 } from './prng.js'

interface Item { id: number, rewards: number[] }

const reward = (item: Item): number[] => item.rewards

function pool (n: number, degenerateEvery = 0): Item[] {
  return Array.from({ length: n }, (_, id) => ({
    id,
    rewards: degenerateEvery > 0 && id % degenerateEvery === 0 ? [1, 1, 1, 1] : [0, 1, id % 2, 0]
  }))
}

describe('sampleExternal', () => {
  it('never returns a group with zero advantage under the local reward, nor a duplicate', () => {
    const rand = mulberry32(40)
    const items = pool(30, 3)
    for (let trial = 0; trial < 200; trial++) {
      const picked = sampleExternal(items, 8, { rng: rand, reward })
      expect(picked).toHaveLength(8)
      expect(new Set(picked.map(p => p.id)).size).toBe(8)
      for (const p of picked) expect(p.id % 3).not.toBe(0)
    }
  })

  it('returns fewer than j when fewer qualify, never padding', () => {
    const items = pool(6, 2) // ids 1, 3, 5 qualify
    const picked = sampleExternal(items, 5, { rng: mulberry32(41), reward })
    expect(picked.map(p => p.id).sort((a, b) => a - b)).toEqual([1, 3, 5])
    expect(sampleExternal(items, 0, { rng: mulberry32(41), reward })).toEqual([])
    expect(sampleExternal([], 4, { rng: mulberry32(41), reward })).toEqual([])
    expect(sampleExternal([{ id: 0, rewards: [0.5] }, { id: 1, rewards: [] }], 4, { rng: mulberry32(41), reward })).toEqual([])
  })

  it('is reproducible from the seed and accepts { nextFloat } or a bare function', () => {
    const items = pool(50)
    const a = sampleExternal(items, 10, { rng: mulberry32(7), reward })
    const f = mulberry32(7)
    const b = sampleExternal(items, 10, { rng: { nextFloat: () => f() }, reward })
    expect(b).toEqual(a)
    expect(sampleExternal(items, 10, { rng: mulberry32(8), reward })).not.toEqual(a)
  })

  it('samples uniformly: every qualifying item is picked about j/n of the time', () => {
    const items = pool(20, 4) // 15 qualify
    const counts = new Map<number, number>()
    const rand = mulberry32(42)
    const trials = 6000
    for (let t = 0; t < trials; t++) {
      for (const p of sampleExternal(items, 5, { rng: rand, reward })) counts.set(p.id, (counts.get(p.id) ?? 0) + 1)
    }
    expect(counts.size).toBe(15)
    const expected = trials * 5 / 15
    // Binomial sd ≈ sqrt(6000·(1/3)·(2/3)) ≈ 36.5; 5 sd bounds.
    for (const c of counts.values()) expect(Math.abs(c - expected)).toBeLessThan(5 * 36.5)
    let chi2 = 0
    for (const c of counts.values()) chi2 += (c - expected) ** 2 / expected
    expect(chi2).toBeLessThan(45) // 14 dof; p ≈ 1e-4
  })

  it('does not mutate the pool', () => {
    const items = pool(10)
    const before = items.map(i => i.id)
    sampleExternal(items, 5, { rng: mulberry32(43), reward })
    expect(items.map(i => i.id)).toEqual(before)
  })

  it('rejects bad j, a bad rng and non-finite local rewards with typed errors', () => {
    const items = pool(5)
    for (const j of [-1, 1.5, NaN, Infinity]) expect(() => sampleExternal(items, j, { rng: mulberry32(1), reward })).toThrow(InvalidRewardInputError)
    expect(() => sampleExternal(items, 2, { rng: () => 1, reward })).toThrow(InvalidRewardInputError)
    expect(() => sampleExternal(items, 2, { rng: () => NaN, reward })).toThrow(InvalidRewardInputError)
    expect(() => sampleExternal(items, 2, { rng: {} as never, reward })).toThrow(InvalidRewardInputError)
    expect(() => sampleExternal([{ id: 0, rewards: [0, NaN] }], 2, { rng: mulberry32(1), reward })).toThrow(InvalidRewardInputError)
  })
})

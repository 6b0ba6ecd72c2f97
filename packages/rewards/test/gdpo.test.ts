import { describe, it, expect } from 'vitest'
import { gdpoAdvantages, gdpoGroupSums, batchNormalize, conditionOnCorrect } from '../src/gdpo.js'
import { InvalidRewardInputError, InvalidRewardsConfigError } from '../src/errors.js'
import { mulberry32, randArray, randInt } from './prng.js'

/** Independent GDPO reference following spec §2.3 with explicit column loops. */
function refGdpo (groups: number[][][], weights: number[], eps = 1e-4): number[][] {
  const sampleStd = (x: number[]): number => {
    const m = x.reduce((a, b) => a + b, 0) / x.length
    return Math.sqrt(x.reduce((a, b) => a + (b - m) ** 2, 0) / (x.length - 1))
  }
  const sums = groups.map(group => group.map((_, i) => {
    let total = 0
    for (let k = 0; k < weights.length; k++) {
      const col = group.map(row => row[k])
      if (col.every(x => x === col[0])) continue
      const m = col.reduce((a, b) => a + b, 0) / col.length
      total += weights[k] * (col[i] - m) / (sampleStd(col) + eps)
    }
    return total
  }))
  const flat = sums.flat()
  const m = flat.reduce((a, b) => a + b, 0) / flat.length
  const sd = sampleStd(flat)
  return sums.map(g => g.map(x => (x - m) / (sd + eps)))
}

function randomBatch (rand: () => number, groups: number, g: number, k: number): number[][][] {
  return Array.from({ length: groups }, () => Array.from({ length: g }, () => randArray(rand, k, 0, 1, 1)))
}

describe('gdpoAdvantages', () => {
  it('matches the spec reference on random batches with random weights', () => {
    const rand = mulberry32(20)
    for (let trial = 0; trial < 100; trial++) {
      const k = randInt(rand, 1, 4)
      const batch = randomBatch(rand, randInt(rand, 1, 5), randInt(rand, 2, 8), k)
      const weights = randArray(rand, k, 0, 2, 2)
      const got = gdpoAdvantages(batch, weights)
      const want = refGdpo(batch, weights)
      if (want.flat().some(x => Number.isNaN(x))) continue // all-equal batch: reference divides by 0
      got.forEach((g, i) => { g.forEach((a, j) => { expect(a).toBeCloseTo(want[i][j], 9) }) })
    }
  })

  it('a reward constant within a group contributes exactly 0 (output bit-identical without it)', () => {
    const rand = mulberry32(21)
    for (let trial = 0; trial < 100; trial++) {
      const g = randInt(rand, 2, 8)
      const batch = randomBatch(rand, randInt(rand, 1, 5), g, 2)
      const consts = batch.map(() => Math.round(rand() * 100) / 10)
      const withConst = batch.map((group, n) => group.map(row => [row[0], consts[n], row[1]]))
      const w = randArray(rand, 3, 0.1, 2, 2)
      expect(gdpoGroupSums(withConst, w)).toEqual(gdpoGroupSums(batch, [w[0], w[2]]))
      expect(gdpoAdvantages(withConst, w)).toEqual(gdpoAdvantages(batch, [w[0], w[2]]))
    }
  })

  it('gives exact zeros for a group whose every reward is constant, before batch normalization', () => {
    const sums = gdpoGroupSums([[[0.1, 0.3], [0.1, 0.3], [0.1, 0.3]], [[0, 1], [1, 1]]])
    for (const a of sums[0]) expect(Object.is(a, 0)).toBe(true)
    expect(Math.abs(sums[1][0])).toBeGreaterThan(0)
  })

  it('batch normalization of an all-equal batch is exactly zero', () => {
    expect(batchNormalize([[0.3, 0.3], [0.3]])).toEqual([[0, 0], [0]])
    expect(gdpoAdvantages([[[1, 1], [1, 1]]])).toEqual([[0, 0]])
  })

  it('a zero weight removes a reward', () => {
    const batch = [[[0, 1], [1, 0], [0, 0]], [[1, 1], [0, 1], [1, 0]]]
    expect(gdpoAdvantages(batch, [1, 0])).toEqual(gdpoAdvantages(batch.map(g => g.map(r => [r[0]]))))
  })

  it('rejects NaN rewards, ragged reward vectors and negative or miscounted weights', () => {
    expect(() => gdpoAdvantages([[[0, NaN], [1, 1]]])).toThrow(InvalidRewardInputError)
    expect(() => gdpoAdvantages([[[0, 1], [1]]])).toThrow(InvalidRewardInputError)
    expect(() => gdpoAdvantages([[]])).toThrow(InvalidRewardInputError)
    expect(() => gdpoAdvantages([[[0, 1], [1, 1]]], [1, -1])).toThrow(InvalidRewardsConfigError)
    expect(() => gdpoAdvantages([[[0, 1], [1, 1]]], [1])).toThrow(InvalidRewardsConfigError)
    expect(() => gdpoAdvantages([[[0, 1], [1, 1]]], [1, Infinity])).toThrow(InvalidRewardsConfigError)
  })
})

describe('conditionOnCorrect', () => {
  it('zeroes the easy rewards of completions that fail the correctness reward', () => {
    const batch = [[[1, 0.5, 1], [0, 0.9, 1], [0.4, 1, 1]]]
    expect(conditionOnCorrect(batch)).toEqual([[[1, 0.5, 1], [0, 0, 0], [0.4, 0, 0]]])
    expect(conditionOnCorrect(batch, 0, [2])).toEqual([[[1, 0.5, 1], [0, 0.9, 0], [0.4, 1, 0]]])
    expect(batch[0][1]).toEqual([0, 0.9, 1])
  })

  it('rejects indices outside the reward vector', () => {
    expect(() => conditionOnCorrect([[[1, 0]]], 2)).toThrow(InvalidRewardsConfigError)
    expect(() => conditionOnCorrect([[[1, 0]]], 0, [0])).toThrow(InvalidRewardsConfigError)
  })
})

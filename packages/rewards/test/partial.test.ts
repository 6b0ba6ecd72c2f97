import { describe, it, expect } from 'vitest'
import { partialCredit } from '../src/partial.js'
import { InvalidRewardInputError, InvalidRewardsConfigError } from '../src/errors.js'
import { mulberry32, randInt } from './prng.js'

describe('partialCredit', () => {
  it('matches a hand computation: pass rates 2/3, 1/3 → weights e^{-2/3}, e^{-1/3}', () => {
    const checks = [[1, 1], [1, 0], [0, 0]]
    const w0 = Math.exp(-2 / 3)
    const w1 = Math.exp(-1 / 3)
    const want = [1 + 0.5, 0.5 * w0 / (w0 + w1), 0]
    partialCredit(checks).forEach((r, i) => { expect(r).toBeCloseTo(want[i], 12) })
  })

  it('passing a rarely passed check earns more than passing a commonly passed one', () => {
    const checks = [[1, 0], [1, 0], [1, 0], [0, 1]]
    const r = partialCredit(checks, { a: 2 })
    expect(r[3]).toBeGreaterThan(r[0])
  })

  it('a = 0 weights every check equally; all-pass completions always outrank the rest when λ < 1', () => {
    expect(partialCredit([[1, 0, 0], [1, 1, 0]], { a: 0, lambda: 1 })).toEqual([1 / 3, 2 / 3])
    const rand = mulberry32(30)
    for (let trial = 0; trial < 200; trial++) {
      const m = randInt(rand, 1, 5)
      const checks = Array.from({ length: randInt(rand, 1, 8) }, () => Array.from({ length: m }, () => (rand() < 0.6 ? 1 : 0)))
      const r = partialCredit(checks, { a: 3 * rand(), lambda: 0.99 * rand() })
      checks.forEach((ci, i) => checks.forEach((cj, j) => {
        if (ci.every(p => p === 1) && !cj.every(p => p === 1)) expect(r[i]).toBeGreaterThan(r[j])
      }))
    }
  })

  it('rejects out-of-range or ragged checks and negative options', () => {
    expect(() => partialCredit([[1, 2]])).toThrow(InvalidRewardInputError)
    expect(() => partialCredit([[1, NaN]])).toThrow(InvalidRewardInputError)
    expect(() => partialCredit([[1, 0], [1]])).toThrow(InvalidRewardInputError)
    expect(() => partialCredit([[]])).toThrow(InvalidRewardInputError)
    expect(() => partialCredit([])).toThrow(InvalidRewardInputError)
    expect(() => partialCredit([[1]], { a: -1 })).toThrow(InvalidRewardsConfigError)
    expect(() => partialCredit([[1]], { lambda: -1 })).toThrow(InvalidRewardsConfigError)
  })
})

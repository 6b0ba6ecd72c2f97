import { describe, it, expect } from 'vitest'
import { groupAdvantages, zeroVarianceMask, clippedObjective, overlongPenalty } from '../src/advantages.js'
import { InvalidRewardInputError, InvalidRewardsConfigError } from '../src/errors.js'
import { mulberry32, randArray, randInt } from './prng.js'

/** Independent reference: textbook formulas written out per element, no shared helpers. */
function refAdvantages (r: number[], mode: 'grpo' | 'mean' | 'rloo', eps = 1e-6): number[] {
  const g = r.length
  const m = r.reduce((a, b) => a + b, 0) / g
  if (mode === 'rloo') {
    // Leave-one-out baseline computed directly, not through G/(G−1).
    return r.map((ri, i) => ri - r.filter((_, j) => j !== i).reduce((a, b) => a + b, 0) / (g - 1))
  }
  if (mode === 'mean') return r.map(ri => ri - m)
  const sd = Math.sqrt(r.reduce((a, b) => a + (b - m) ** 2, 0) / (g - 1))
  return r.map(ri => (ri - m) / (sd + eps))
}

describe('groupAdvantages', () => {
  it('matches the textbook formulas on random groups', () => {
    const rand = mulberry32(1)
    for (let trial = 0; trial < 300; trial++) {
      const r = randArray(rand, randInt(rand, 2, 16), -3, 3, 3)
      if (Math.max(...r) === Math.min(...r)) continue
      for (const mode of ['grpo', 'mean', 'rloo'] as const) {
        const got = groupAdvantages(r, mode)
        const want = refAdvantages(r, mode)
        got.forEach((a, i) => { expect(a).toBeCloseTo(want[i], 10) })
      }
    }
  })

  it('RLOO equals G/(G−1) times mean-only', () => {
    const rand = mulberry32(2)
    for (let trial = 0; trial < 200; trial++) {
      const r = randArray(rand, randInt(rand, 2, 12), 0, 1)
      const g = r.length
      const rloo = groupAdvantages(r, 'rloo')
      const meanOnly = groupAdvantages(r, 'mean')
      rloo.forEach((a, i) => { expect(a).toBeCloseTo(g / (g - 1) * meanOnly[i], 12) })
    }
  })

  it('gives exact zeros for degenerate groups, including values whose float mean is inexact', () => {
    const tricky = [[0.1, 0.1, 0.1], new Array(7).fill(0.7), new Array(7).fill(1 / 3), [5], [1e300, 1e300], [-0.3, -0.3, -0.3, -0.3, -0.3]]
    for (const r of tricky) {
      for (const mode of ['grpo', 'mean', 'rloo'] as const) {
        const out = groupAdvantages(r, mode)
        expect(out).toHaveLength(r.length)
        for (const a of out) expect(Object.is(a, 0)).toBe(true)
      }
    }
  })

  it('advantages of a non-degenerate group sum to ~0 and keep the reward order', () => {
    const rand = mulberry32(3)
    for (let trial = 0; trial < 100; trial++) {
      const r = randArray(rand, 8, 0, 1)
      for (const mode of ['grpo', 'mean', 'rloo'] as const) {
        const a = groupAdvantages(r, mode)
        expect(Math.abs(a.reduce((x, y) => x + y, 0))).toBeLessThan(1e-9)
        for (let i = 0; i < r.length; i++) for (let j = 0; j < r.length; j++) if (r[i] > r[j]) expect(a[i]).toBeGreaterThan(a[j])
      }
    }
  })

  it('rejects NaN and Infinity with InvalidRewardInputError naming the index', () => {
    for (const bad of [NaN, Infinity, -Infinity]) {
      const err = (() => { try { groupAdvantages([0, bad, 1], 'grpo'); return undefined } catch (e) { return e } })()
      expect(err).toBeInstanceOf(InvalidRewardInputError)
      expect((err as InvalidRewardInputError).code).toBe('ERR_INVALID_REWARD_INPUT')
      expect((err as InvalidRewardInputError).field).toBe('rewards[1]')
    }
  })

  it('rejects an unknown mode and a non-positive eps with InvalidRewardsConfigError', () => {
    expect(() => groupAdvantages([0, 1], 'ppo' as 'grpo')).toThrow(InvalidRewardsConfigError)
    expect(() => groupAdvantages([0, 1], 'grpo', 0)).toThrow(InvalidRewardsConfigError)
  })
})

describe('zeroVarianceMask', () => {
  it('keeps exactly the groups whose rewards are not all equal', () => {
    expect(zeroVarianceMask([[1, 1, 1], [0, 1], [0.5], [], [0.2, 0.2, 0.3]])).toEqual([false, true, false, false, true])
  })
})

describe('clippedObjective', () => {
  it('agrees with the case-by-case PPO/DAPO definition', () => {
    const rand = mulberry32(4)
    for (let trial = 0; trial < 1000; trial++) {
      const ratio = 2 * rand()
      const adv = 4 * rand() - 2
      let want: number
      // Positive advantage: the objective stops growing past 1 + ε_high. Negative: it stops falling below 1 − ε_low.
      if (adv >= 0) want = Math.min(ratio, 1.28) * adv
      else want = Math.max(ratio, 0.8) * adv
      expect(clippedObjective(ratio, adv)).toBeCloseTo(want, 12)
    }
  })

  it('equals the advantage at ratio 1 (first epoch)', () => {
    for (const a of [-2, -0.5, 0, 0.3, 7]) expect(clippedObjective(1, a)).toBe(a)
  })

  it('rejects non-finite inputs and bad clip ranges', () => {
    expect(() => clippedObjective(NaN, 1)).toThrow(InvalidRewardInputError)
    expect(() => clippedObjective(1, Infinity)).toThrow(InvalidRewardInputError)
    expect(() => clippedObjective(-0.1, 1)).toThrow(InvalidRewardInputError)
    expect(() => clippedObjective(1, 1, 1.2)).toThrow(InvalidRewardsConfigError)
    expect(() => clippedObjective(1, 1, 0.2, -0.1)).toThrow(InvalidRewardsConfigError)
  })
})

describe('overlongPenalty', () => {
  it('is 0 up to L_max − L_cache, linear to −1 at L_max, −1 beyond', () => {
    const lMax = 100
    const lCache = 20
    for (let l = 0; l <= 130; l++) {
      const want = l <= 80 ? 0 : l > 100 ? -1 : -(l - 80) / 20
      expect(overlongPenalty(l, lMax, lCache)).toBeCloseTo(want, 12)
    }
  })

  it('is a hard step at L_max when L_cache is 0', () => {
    expect(overlongPenalty(10, 10, 0)).toBe(0)
    expect(overlongPenalty(11, 10, 0)).toBe(-1)
  })

  it('rejects bad lengths and limits with the right error class', () => {
    expect(() => overlongPenalty(NaN, 10, 2)).toThrow(InvalidRewardInputError)
    expect(() => overlongPenalty(-1, 10, 2)).toThrow(InvalidRewardInputError)
    expect(() => overlongPenalty(5, 0, 0)).toThrow(InvalidRewardsConfigError)
    expect(() => overlongPenalty(5, 10, 11)).toThrow(InvalidRewardsConfigError)
    expect(() => overlongPenalty(5, Infinity, 1)).toThrow(InvalidRewardsConfigError)
  })
})

import { describe, it, expect } from 'vitest'
import { stratifiedNormalize, varianceWeight, heroShape, validateHeroState, resolveHeroOptions, type HeroState } from '../src/hero.js'
import { groupAdvantages } from '../src/advantages.js'
import { InvalidRewardInputError, InvalidRewardsConfigError } from '../src/errors.js'
import { DEFAULT_HERO_ALPHA, DEFAULT_HERO_BETA } from '../src/constants.js'
import { mulberry32, randArray, randInt } from './prng.js'

/** Independent HERO reference following spec §2.2 line by line. */
function refStratified (v: number[], s: number[], alpha: number, beta: number, eps = 1e-6): number[] {
  return v.map((vi, i) => {
    const ok = vi >= 0.5
    const stratum = s.filter((_, j) => (v[j] >= 0.5) === ok)
    const lo = Math.min(...stratum)
    const hi = Math.max(...stratum)
    const z = stratum.length < 2 || lo === hi ? 0 : (s[i] - lo) / (hi - lo + eps)
    return ok ? (1 - beta) + 2 * beta * z : -alpha + 2 * alpha * z
  })
}

function popStd (x: number[]): number {
  const m = x.reduce((a, b) => a + b, 0) / x.length
  return Math.sqrt(x.reduce((a, b) => a + (b - m) ** 2, 0) / x.length)
}

function randomGroups (rand: () => number, n: number, g = 8): { verifier: number[], rm: number[] }[] {
  return Array.from({ length: n }, () => ({
    verifier: Array.from({ length: g }, () => (rand() < 0.5 ? 1 : 0)),
    rm: randArray(rand, g, -5, 5, 1)
  }))
}

describe('stratifiedNormalize', () => {
  it('matches the spec reference on random groups, verifier scores thresholded at 0.5', () => {
    const rand = mulberry32(10)
    for (let trial = 0; trial < 300; trial++) {
      const g = randInt(rand, 1, 12)
      const v = randArray(rand, g, 0, 1, 1)
      const s = randArray(rand, g, -2, 2, 1)
      const alpha = 0.3 * rand()
      const beta = 0.3 * rand()
      const got = stratifiedNormalize(v, s, { alpha, beta })
      const want = refStratified(v, s, alpha, beta)
      got.forEach((x, i) => { expect(x).toBeCloseTo(want[i], 12) })
    }
  })

  it('every correct completion outranks every incorrect one when α + β < 1, however the RM scores', () => {
    const rand = mulberry32(11)
    for (let trial = 0; trial < 500; trial++) {
      const g = randInt(rand, 2, 16)
      const v = Array.from({ length: g }, () => (rand() < 0.5 ? 1 : 0))
      // Adversarial RM: incorrect answers get much higher raw scores than correct ones.
      const s = v.map(x => (x === 1 ? -100 : 100) + 10 * rand())
      const alpha = 0.49 * rand()
      const beta = Math.min(0.98 - alpha, rand())
      const r = stratifiedNormalize(v, s, { alpha, beta })
      for (let i = 0; i < g; i++) {
        for (let j = 0; j < g; j++) if (v[i] === 1 && v[j] === 0) expect(r[i]).toBeGreaterThan(r[j])
        if (v[i] === 1) { expect(r[i]).toBeGreaterThanOrEqual(1 - beta); expect(r[i]).toBeLessThanOrEqual(1 + beta) }
        if (v[i] === 0) { expect(r[i]).toBeGreaterThanOrEqual(-alpha); expect(r[i]).toBeLessThanOrEqual(alpha) }
      }
    }
  })

  it('maps a one-member or tied stratum to the band floor', () => {
    expect(stratifiedNormalize([1, 0, 0], [3, 5, 5])).toEqual([0.95, -0.05, -0.05])
  })

  it('rejects α + β ≥ 1 naming alpha, and NaN scores', () => {
    const err = (() => { try { stratifiedNormalize([1], [0], { alpha: 0.5, beta: 0.5 }); return undefined } catch (e) { return e } })()
    expect(err).toBeInstanceOf(InvalidRewardsConfigError)
    expect((err as InvalidRewardsConfigError).field).toBe('alpha')
    expect(() => stratifiedNormalize([1, 0], [0, NaN])).toThrow(InvalidRewardInputError)
    expect(() => stratifiedNormalize([1, 2], [0, 1])).toThrow(InvalidRewardInputError)
    expect(() => stratifiedNormalize([1, 0], [0])).toThrow(InvalidRewardInputError)
  })
})

describe('varianceWeight', () => {
  it('is the midpoint at σ = σ̄ and tends to w_min / w_max far below / above', () => {
    expect(varianceWeight(0.3, 0.3)).toBeCloseTo(1.7, 12)
    expect(varianceWeight(0, 50)).toBeCloseTo(0.4, 12)
    expect(varianceWeight(50, 0)).toBeCloseTo(3.0, 12)
    expect(varianceWeight(0.5, 0.2, { wMin: 1, wMax: 2, k: 4 })).toBeCloseTo(1 + 1 / (1 + Math.exp(-4 * 0.3)), 12)
  })

  it('rejects negative or non-finite σ and bad bounds', () => {
    expect(() => varianceWeight(-1, 0)).toThrow(InvalidRewardInputError)
    expect(() => varianceWeight(Infinity, 0)).toThrow(InvalidRewardInputError)
    expect(() => varianceWeight(0, 0, { wMin: -0.1 })).toThrow(InvalidRewardsConfigError)
    expect(() => varianceWeight(0, 0, { wMin: 2, wMax: 1 })).toThrow(InvalidRewardsConfigError)
  })
})

describe('heroShape', () => {
  it('weights every group with the carried σ̄ and then updates σ̄ ← 0.9σ̄ + 0.1·mean σ_u', () => {
    const rand = mulberry32(12)
    let state: HeroState | undefined
    let sigmaBar = NaN
    for (let batch = 0; batch < 5; batch++) {
      const groups = randomGroups(rand, 4)
      const sigmas = groups.map(g => popStd(g.rm))
      const batchMean = sigmas.reduce((a, b) => a + b, 0) / sigmas.length
      const carried = batch === 0 ? batchMean : sigmaBar
      const out = heroShape(groups, state)
      groups.forEach((g, k) => {
        const w = 0.4 + 2.6 / (1 + Math.exp(-6 * (sigmas[k] - carried)))
        expect(out.weights[k]).toBeCloseTo(w, 10)
        const want = refStratified(g.verifier, g.rm, DEFAULT_HERO_ALPHA, DEFAULT_HERO_BETA).map(x => w * x)
        out.rewards[k].forEach((x, i) => { expect(x).toBeCloseTo(want[i], 10) })
      })
      sigmaBar = batch === 0 ? batchMean : 0.9 * carried + 0.1 * batchMean
      expect(out.state.sigmaBar).toBeCloseTo(sigmaBar, 12)
      expect(out.state.batches).toBe(batch + 1)
      state = out.state
    }
  })

  it('state round-trips through JSON and continues bit-identically', () => {
    const rand = mulberry32(13)
    const first = heroShape(randomGroups(rand, 3), undefined)
    const next = randomGroups(rand, 3)
    const restored = JSON.parse(JSON.stringify(first.state)) as HeroState
    expect(restored).toEqual(first.state)
    expect(heroShape(next, restored)).toEqual(heroShape(next, first.state))
  })

  it('with weighting off returns r̂ and weight 1 but still tracks σ̄', () => {
    const groups = [{ verifier: [1, 0, 0, 1], rm: [0.2, 0.9, 0.1, 0.7] }]
    const out = heroShape(groups, undefined, { weighting: false })
    expect(out.weights).toEqual([1])
    expect(out.rewards[0]).toEqual(stratifiedNormalize(groups[0].verifier, groups[0].rm))
    expect(out.state.sigmaBar).toBeCloseTo(0.334477, 6)
  })

  it('group-std normalization cancels the weight, mean-only keeps it (why mean-only is the default)', () => {
    const groups = [{ verifier: [1, 0, 0, 1], rm: [0.2, 0.9, 0.1, 0.7] }]
    const state: HeroState = { version: 1, sigmaBar: 0.05, batches: 3 }
    const weighted = heroShape(groups, state)
    const plain = heroShape(groups, state, { weighting: false })
    expect(weighted.weights[0]).toBeGreaterThan(2)
    const gw = groupAdvantages(weighted.rewards[0], 'grpo')
    const gp = groupAdvantages(plain.rewards[0], 'grpo')
    gw.forEach((a, i) => { expect(a).toBeCloseTo(gp[i], 5) })
    const mw = groupAdvantages(weighted.rewards[0], 'mean')
    const mp = groupAdvantages(plain.rewards[0], 'mean')
    mw.forEach((a, i) => { expect(a).toBeCloseTo(weighted.weights[0] * mp[i], 12) })
  })

  it('does not mutate its inputs', () => {
    const groups = [{ verifier: [1, 0], rm: [0.5, 0.1] }]
    const state: HeroState = { version: 1, sigmaBar: 0.2, batches: 1 }
    const before = JSON.stringify({ groups, state })
    heroShape(groups, state)
    expect(JSON.stringify({ groups, state })).toBe(before)
  })

  it('passes state through on an empty batch and refuses to initialize from one', () => {
    const state: HeroState = { version: 1, sigmaBar: 0.2, batches: 1 }
    expect(heroShape([], state)).toEqual({ rewards: [], weights: [], state })
    expect(() => heroShape([], undefined)).toThrow(InvalidRewardInputError)
  })

  it('rejects corrupt state and non-finite scores with typed errors', () => {
    const groups = [{ verifier: [1, 0], rm: [0.5, 0.1] }]
    for (const bad of [{ version: 2, sigmaBar: 0.1, batches: 0 }, { version: 1, sigmaBar: NaN, batches: 0 }, { version: 1, sigmaBar: -1, batches: 0 }, { version: 1, sigmaBar: 0.1, batches: 1.5 }, null]) {
      expect(() => heroShape(groups, bad as unknown as HeroState)).toThrow(InvalidRewardInputError)
    }
    expect(() => validateHeroState(JSON.parse('{"version":1,"sigmaBar":null,"batches":0}'))).toThrow(InvalidRewardInputError)
    expect(() => heroShape([{ verifier: [1, 0], rm: [Infinity, 0] }], undefined)).toThrow(InvalidRewardInputError)
    expect(() => heroShape([{ verifier: [], rm: [] }], undefined)).toThrow(InvalidRewardInputError)
  })
})

describe('resolveHeroOptions', () => {
  it('defaults to α = β = 0.05, w in [0.4, 3], k = 6, ddof 0, weighting on', () => {
    expect(resolveHeroOptions()).toEqual({ alpha: 0.05, beta: 0.05, eps: 1e-6, wMin: 0.4, wMax: 3, k: 6, ddof: 0, weighting: true })
  })

  it('names the offending key with the given prefix', () => {
    for (const [opts, field] of [[{ alpha: 0.6, beta: 0.4 }, 'hero.alpha'], [{ beta: -0.1 }, 'hero.beta'], [{ k: NaN }, 'hero.k'], [{ ddof: 2 }, 'hero.ddof'], [{ eps: 0 }, 'hero.eps']] as const) {
      const err = (() => { try { resolveHeroOptions(opts as never, 'hero.'); return undefined } catch (e) { return e } })()
      expect(err).toBeInstanceOf(InvalidRewardsConfigError)
      expect((err as InvalidRewardsConfigError).field).toBe(field)
    }
  })
})

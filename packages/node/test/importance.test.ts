import { createRng } from '@murmur/tasks'
import { describe, expect, it } from 'vitest'
import { keepPeerCompletion, meanLogRatio, truncatedImportanceWeights, validBehaviourLogprobs, weightStats } from '../src/importance.js'

describe('truncated importance weights', () => {
  it('matches a float64 reference (Python math.exp) to 1e-12', () => {
    // Completion 1: below the mean-1 bound, weights are min(exp(log π_old − μ), C) as they are.
    const a = truncatedImportanceWeights([{ logpOld: [-0.1, -2.0], mu: [-0.3, -0.2] }])
    expect(a[0][0]).toBeCloseTo(1.2214027581601699, 12)
    expect(a[0][1]).toBeCloseTo(0.16529888822158653, 12)
    // A group whose raw mean exceeds 1 (the third token is capped at C = 2): scaled to mean 1.
    const b = truncatedImportanceWeights([{ logpOld: [-0.1, -2.0, -0.5], mu: [-0.3, -0.2, -3.0] }, { logpOld: [-1], mu: [-1] }])
    const expected = [[1.113732235852063, 0.15072726758878485, 1.823693664372768], [0.911846832186384]]
    b.flat().forEach((w, i) => { expect(w).toBeCloseTo(expected.flat()[i], 12) })
  })

  it('is 1 exactly for on-policy tokens, and clamps extreme log-ratios before exp', () => {
    expect(truncatedImportanceWeights([{ logpOld: [-0.7, -3], mu: [-0.7, -3] }])).toEqual([[1, 1]])
    const w = truncatedImportanceWeights([{ logpOld: [-1000, 0], mu: [0, -1000] }])
    expect(w.flat().every(Number.isFinite)).toBe(true)
  })

  it('is unbiased for E_π[f] when the cap does not bind (Monte Carlo, 200k draws from μ)', () => {
    const pi = [0.5, 0.3, 0.15, 0.05]
    const mu = [0.25, 0.25, 0.25, 0.25]
    const f = [1, -2, 3, 10]
    const rng = createRng(7)
    const draws: number[] = []
    for (let i = 0; i < 200_000; i++) draws.push(Math.min(3, Math.floor(rng.nextFloat() * 4)))
    const w = truncatedImportanceWeights(draws.map(k => ({ logpOld: [Math.log(pi[k])], mu: [Math.log(mu[k])] })), 10)
    const estimate = draws.reduce((s, k, i) => s + w[i][0] * f[k], 0) / draws.length
    const exact = pi.reduce((s, p, k) => s + p * f[k], 0)
    expect(Math.abs(estimate - exact)).toBeLessThan(0.03)
  })

  it('a lying sender can only lower its group\'s total weight (never above its token count)', () => {
    const rng = createRng(11)
    const logpOld = Array.from({ length: 24 }, () => Math.log(0.05 + 0.9 * rng.nextFloat()))
    const lies: Array<(t: number) => number> = [
      () => -100, // "I almost never sample this": every w at the cap C before rescaling
      () => 0, // "I always sample this": w = π_old ≤ 1
      t => (t % 2 === 0 ? -100 : 0), // mixed
      () => -rng.nextFloat() * 50
    ]
    for (const lie of lies) {
      const group = [0, 1, 2].map(c => ({ logpOld: logpOld.slice(c * 8, c * 8 + 8), mu: logpOld.slice(c * 8, c * 8 + 8).map((_, t) => lie(c * 8 + t)) }))
      const w = truncatedImportanceWeights(group)
      const total = w.flat().reduce((a, b) => a + b, 0)
      expect(total).toBeLessThanOrEqual(24 + 1e-9) // what on-policy text (w = 1) would get
      expect(Math.max(...w.flat())).toBeLessThanOrEqual(2)
    }
    // Claiming certainty (μ = 0) gives w = π_old < 1 on every token: strictly less than w = 1.
    const certain = truncatedImportanceWeights([{ logpOld, mu: logpOld.map(() => 0) }])
    expect(certain[0].every((w, t) => Math.abs(w - Math.exp(logpOld[t])) < 1e-12)).toBe(true)
  })

  it('validates untrusted behaviour log-probs: finite, ≤ 0, bounded, one per token', () => {
    expect(validBehaviourLogprobs([-0.1, 0, -99], 3)).toBe(true)
    expect(validBehaviourLogprobs([-0.1, 0.2, -1], 3)).toBe(false)
    expect(validBehaviourLogprobs([-0.1, Number.NaN, -1], 3)).toBe(false)
    expect(validBehaviourLogprobs([-0.1, Number.NEGATIVE_INFINITY, -1], 3)).toBe(false)
    expect(validBehaviourLogprobs([-0.1, -101], 2)).toBe(false)
    expect(validBehaviourLogprobs([-0.1], 2)).toBe(false)
    expect(validBehaviourLogprobs([], 0)).toBe(false)
  })

  it('drops far-off-policy negatives only', () => {
    expect(meanLogRatio([-1, -3], [-0.5, -0.5])).toBeCloseTo(-1.5, 12)
    expect(keepPeerCompletion(-1, -2.5, 2)).toBe(false)
    expect(keepPeerCompletion(-1, -1.5, 2)).toBe(true)
    expect(keepPeerCompletion(1, -10, 2)).toBe(true)
  })

  it('summarizes weights', () => {
    expect(weightStats([[1, 2], [0.5]])).toEqual({ tokens: 3, mean: 3.5 / 3, min: 0.5, max: 2, cappedFraction: 1 / 3 })
    expect(weightStats([]).tokens).toBe(0)
  })
})

describe('shape errors', () => {
  it('refuses mismatched π_old and μ lengths with a typed error', () => {
    expect(() => truncatedImportanceWeights([{ logpOld: [-1, -2], mu: [-1] }])).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }))
  })
})

import { describe, it, expect } from 'vitest'
import { stratifiedNormalize, heroShape } from '../src/hero.js'
import { groupAdvantages, clippedObjective, overlongPenalty } from '../src/advantages.js'
import { gdpoAdvantages } from '../src/gdpo.js'
import { std } from '../src/stats.js'

/** Every row of the reference-vector table in docs/spec/algorithms.md §4 (float64, tolerance 1e-5). */
const TOL = 1e-5

function expectClose (actual: readonly number[], expected: readonly number[]): void {
  expect(actual).toHaveLength(expected.length)
  actual.forEach((a, i) => { expect(Math.abs(a - expected[i]), `index ${i}: ${a} vs ${expected[i]}`).toBeLessThanOrEqual(TOL) })
}

const v = [1, 0, 0, 1]
const s = [0.2, 0.9, 0.1, 0.7]

describe('spec §4 reference vectors', () => {
  it('HERO r̂ with α = β = 0.1', () => {
    expectClose(stratifiedNormalize(v, s, { alpha: 0.1, beta: 0.1 }), [0.9, 0.1, -0.1, 1.1])
  })

  it('HERO r̂ with α = β = 0.05 (the default)', () => {
    expectClose(stratifiedNormalize(v, s, { alpha: 0.05, beta: 0.05 }), [0.95, 0.05, -0.05, 1.05])
    expectClose(stratifiedNormalize(v, s), [0.95, 0.05, -0.05, 1.05])
  })

  it('HERO σ_u (ddof 0) of the RM scores', () => {
    expect(Math.abs(std(s, 0) - 0.334477)).toBeLessThanOrEqual(TOL)
  })

  it('HERO σ_u feeds the first batch σ̄ and gives w = (w_min + w_max)/2 for a lone group', () => {
    const out = heroShape([{ verifier: v, rm: s }], undefined)
    expect(Math.abs(out.state.sigmaBar - 0.334477)).toBeLessThanOrEqual(TOL)
    expect(out.weights[0]).toBeCloseTo(1.7, 12)
  })

  it('GRPO on r̂', () => {
    expectClose(groupAdvantages([0.9, 0.1, -0.1, 1.1], 'grpo'), [0.679365, -0.679365, -1.019048, 1.019048])
    expectClose(groupAdvantages(stratifiedNormalize(v, s, { alpha: 0.1, beta: 0.1 }), 'grpo'), [0.679365, -0.679365, -1.019048, 1.019048])
  })

  it('verifier-only GRPO', () => {
    expectClose(groupAdvantages([1, 0, 0, 1], 'grpo'), [0.866025, -0.866025, -0.866025, 0.866025])
  })

  it('verifier-only RLOO', () => {
    expectClose(groupAdvantages([1, 0, 0, 1], 'rloo'), [0.666667, -0.666667, -0.666667, 0.666667])
  })

  it('GDPO, 2 rewards, G = 2, 2 groups', () => {
    const out = gdpoAdvantages([[[0, 0], [0, 1]], [[0, 0], [1, 1]]])
    expectClose(out.flat(), [-0.547680, 0.547680, -1.095360, 1.095360])
  })

  it('GRPO on the sums of that input collapses X and Y to the same ±0.707', () => {
    const x = groupAdvantages([0, 1], 'grpo')
    const y = groupAdvantages([0, 2], 'grpo')
    expectClose(x, [-0.707106, 0.707106])
    expectClose(y, x)
  })

  it('clipped objective with (0.2, 0.28)', () => {
    expect(Math.abs(clippedObjective(1.5, 1, 0.2, 0.28) - 1.28)).toBeLessThanOrEqual(TOL)
    expect(Math.abs(clippedObjective(0.5, -1, 0.2, 0.28) - -0.8)).toBeLessThanOrEqual(TOL)
    expect(Math.abs(clippedObjective(0.5, 1, 0.2, 0.28) - 0.5)).toBeLessThanOrEqual(TOL)
    expect(Math.abs(clippedObjective(1.5, 1) - 1.28)).toBeLessThanOrEqual(TOL)
  })

  it('DAPO length penalty, L_max 20480, L_cache 4096', () => {
    expectClose([16000, 18432, 20480, 20481].map(l => overlongPenalty(l, 20480, 4096)), [0, -0.5, -1, -1])
  })
})

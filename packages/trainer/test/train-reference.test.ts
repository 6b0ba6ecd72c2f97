import { describe, expect, it } from 'vitest'
import { referencePolicyLoss } from '../src/loss-reference.js'

describe('referencePolicyLoss (float64 reference of spec §3)', () => {
  it('matches the spec reference vectors of the clipped objective', () => {
    // One token, ratio ρ, advantage A: the loss is −min(ρA, clip(ρ, 1 − 0.2, 1 + 0.28)·A).
    const objective = (ratio: number, advantage: number): number => -referencePolicyLoss({ batch: 1, steps: 1, logp: [Math.log(ratio)], oldLogp: [0], mask: [1], advantages: [advantage] }).loss
    expect(objective(1.5, 1)).toBeCloseTo(1.28, 12)
    expect(objective(0.5, -1)).toBeCloseTo(-0.8, 12)
    expect(objective(0.5, 1)).toBeCloseTo(0.5, 12)
  })

  it('aggregates token-mean, sequence-mean and constant-normalizer as the spec defines', () => {
    // Two sequences; ratio 1 everywhere so each token's objective is its advantage.
    const logp = [-1, -1, -1, -1, -1, -1]
    const mask = [1, 1, 1, 1, 0, 0]
    const advantages = [2, -1]
    const base = { batch: 2, steps: 3, logp, oldLogp: logp, mask, advantages }
    expect(referencePolicyLoss({ ...base, aggregation: 'token-mean' }).loss).toBeCloseTo(-(2 * 3 - 1) / 4, 12)
    expect(referencePolicyLoss({ ...base, aggregation: 'sequence-mean' }).loss).toBeCloseTo(-(2 - 1) / 2, 12)
    expect(referencePolicyLoss({ ...base, aggregation: 'constant-normalizer', maxLength: 5 }).loss).toBeCloseTo(-(6 - 1) / 10, 12)
  })

  it('counts clipped tokens and reports a non-negative k3 KL', () => {
    const r = referencePolicyLoss({
      batch: 1, steps: 3, logp: [Math.log(1.5), Math.log(0.5), 0], oldLogp: [0, 0, 0], mask: [1, 1, 1], advantages: [1]
    })
    // ratio 1.5 with A>0 is clipped; 0.5 with A>0 is not (min picks the unclipped term); 1 is not.
    expect(r.clipFraction).toBeCloseTo(1 / 3, 12)
    const k3 = (x: number): number => (x - 1) - Math.log(x)
    expect(r.approxKl).toBeCloseTo((k3(1.5) + k3(0.5)) / 3, 12)
  })

  it('subtracts beta times the k3 KL to the reference policy', () => {
    const base = { batch: 1, steps: 1, logp: [-1], oldLogp: [-1], refLogp: [-1.5], mask: [1], advantages: [0.5] }
    const noKl = referencePolicyLoss(base)
    const withKl = referencePolicyLoss({ ...base, beta: 0.1 })
    const kl = Math.exp(-0.5) + 0.5 - 1
    expect(withKl.refKl).toBeCloseTo(kl, 12)
    expect(withKl.loss - noKl.loss).toBeCloseTo(0.1 * kl, 12)
  })

  it('rejects arrays of the wrong length with a typed error', () => {
    expect(() => referencePolicyLoss({ batch: 2, steps: 2, logp: [0], oldLogp: [0, 0, 0, 0], mask: [1, 1, 1, 1], advantages: [1, 1] }))
      .toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }) as Error)
  })
})

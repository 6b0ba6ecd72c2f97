import { describe, expect, it } from 'vitest'
import { createSession, graphBuilder, tensor } from '@murmur/graph'
import { clippedObjective } from '@murmur/rewards'
import { policyObjectiveLoss } from '../src/loss.js'
import { AGGREGATIONS, referencePolicyLoss } from '../src/loss-reference.js'
import { aggregationWeights } from '../src/batch.js'
import { createRng } from '@murmur/interface'

const B = 6
const T = 7

async function graphLoss (feeds: { logp: number[], old: number[], ref: number[], adv: number[], weights: Float32Array, mask: number[], tokenWeights?: number[] }, beta: number): Promise<Record<string, number>> {
  const g = graphBuilder()
  const logp = g.input('logp', 'float64', [B, T])
  const oldLogp = g.input('old_logp', 'float64', [B, T])
  const refLogp = g.input('ref_logp', 'float64', [B, T])
  const advantages = g.input('advantages', 'float64', [B])
  const weights = g.input('weights', 'float64', [B, T])
  const mask = g.input('mask', 'float64', [B, T])
  const tokenWeights = feeds.tokenWeights === undefined ? undefined : g.input('token_weights', 'float64', [B, T])
  const l = policyObjectiveLoss(g, { logp, oldLogp, refLogp: beta > 0 ? refLogp : undefined, advantages, weights, mask, tokenWeights }, { epsLow: 0.2, epsHigh: 0.28, beta })
  g.output('loss', l.loss)
  g.output('clip_fraction', l.clipFraction)
  g.output('approx_kl', l.approxKl)
  g.output('ref_used', g.reduceSum(refLogp))
  const s = await createSession(g.toModelProto())
  const out = await s.run({
    logp: tensor('float64', [B, T], feeds.logp),
    old_logp: tensor('float64', [B, T], feeds.old),
    ref_logp: tensor('float64', [B, T], feeds.ref),
    advantages: tensor('float64', [B], feeds.adv),
    weights: tensor('float64', [B, T], Float64Array.from(feeds.weights)),
    mask: tensor('float64', [B, T], feeds.mask),
    ...(feeds.tokenWeights === undefined ? {} : { token_weights: tensor('float64', [B, T], feeds.tokenWeights) })
  })
  await s.close()
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, (v.data as Float64Array)[0]]))
}

function randomInputs (seed: number): { logp: number[], old: number[], ref: number[], adv: number[], mask: number[] } {
  const rng = createRng(seed)
  const logp = Array.from({ length: B * T }, () => -3 * rng.nextFloat())
  // Log-ratios in [−0.6, 0.6]: ratios from 0.55 to 1.8, inside and outside [0.8, 1.28].
  const old = logp.map(x => x - (rng.nextFloat() * 1.2 - 0.6))
  const ref = logp.map(x => x + 0.3 * rng.normal())
  const adv = Array.from({ length: B }, () => rng.normal())
  const mask = Array.from({ length: B * T }, (_, i) => (i % T) >= 2 && !(Math.floor(i / T) === 5 && i % T > 3) ? 1 : 0)
  return { logp, old, ref, adv, mask }
}

describe('policy objective graph', () => {
  it('equals Σ weights · clippedObjective from @murmur/rewards (clipped and unclipped regions)', async () => {
    for (const seed of [1, 2, 3]) {
      const x = randomInputs(seed)
      const batch = { rows: B, steps: T, mask: Float32Array.from(x.mask), inputIds: new BigInt64Array(B * T), targets: new BigInt64Array(B * T), realRows: B }
      const weights = aggregationWeights(batch, 'token-mean', T)
      let expected = 0
      let clipped = 0
      let unclipped = 0
      for (let i = 0; i < B * T; i++) {
        if (x.mask[i] === 0) continue
        const ratio = Math.exp(x.logp[i] - x.old[i])
        const a = x.adv[Math.floor(i / T)]
        expected += weights[i] * clippedObjective(ratio, a, 0.2, 0.28)
        if (clippedObjective(ratio, a, 0.2, 0.28) !== ratio * a) clipped++
        else unclipped++
      }
      expect(clipped).toBeGreaterThan(0)
      expect(unclipped).toBeGreaterThan(0)
      const got = await graphLoss({ ...x, weights }, 0)
      expect(got.loss).toBeCloseTo(-expected, 6)
    }
  })

  it('matches the float64 reference in every aggregation mode, with and without KL', async () => {
    const x = randomInputs(9)
    for (const aggregation of AGGREGATIONS) {
      for (const beta of [0, 0.2]) {
        const batch = { rows: B, steps: T, mask: Float32Array.from(x.mask), inputIds: new BigInt64Array(B * T), targets: new BigInt64Array(B * T), realRows: B }
        const weights = aggregationWeights(batch, aggregation, 10)
        const got = await graphLoss({ ...x, weights }, beta)
        const ref = referencePolicyLoss({ batch: B, steps: T, logp: x.logp, oldLogp: x.old, refLogp: x.ref, mask: x.mask, advantages: x.adv, beta, aggregation, maxLength: 10 })
        expect(got.loss).toBeCloseTo(ref.loss, 6)
        expect(got.clip_fraction).toBeCloseTo(ref.clipFraction, 12)
        expect(got.approx_kl).toBeCloseTo(ref.approxKl, 10)
      }
    }
  })

  it('weights each token\'s clipped surrogate by its importance weight, as the float64 reference does', async () => {
    const x = randomInputs(4)
    const rng = createRng(8)
    // Truncated IS weights min(exp(log π_old − μ), 2): some below 1, some at the cap.
    const tokenWeights = x.old.map(() => Math.min(Math.exp(rng.normal()), 2))
    for (const beta of [0, 0.2]) {
      const batch = { rows: B, steps: T, mask: Float32Array.from(x.mask), inputIds: new BigInt64Array(B * T), targets: new BigInt64Array(B * T), realRows: B }
      const weights = aggregationWeights(batch, 'token-mean', T)
      const got = await graphLoss({ ...x, weights, tokenWeights }, beta)
      const ref = referencePolicyLoss({ batch: B, steps: T, logp: x.logp, oldLogp: x.old, refLogp: x.ref, mask: x.mask, advantages: x.adv, beta, tokenWeights })
      const unweighted = referencePolicyLoss({ batch: B, steps: T, logp: x.logp, oldLogp: x.old, refLogp: x.ref, mask: x.mask, advantages: x.adv, beta })
      expect(got.loss).toBeCloseTo(ref.loss, 7) // aggregation weights are float32
      expect(Math.abs(ref.loss - unweighted.loss)).toBeGreaterThan(1e-3)
    }
  })
})

/**
 * Loss subgraphs of the train steps, emitted into a @murmur/graph builder:
 *  - `tokenLogprobs`: log π(target) per position from logits;
 *  - `policyObjectiveLoss`: clipped surrogate (docs/spec/algorithms.md §3) with optional k3 KL,
 *    aggregated through host-computed per-token weights (so one graph serves token-mean,
 *    sequence-mean and constant-normalizer), plus clip fraction, approximate KL and entropy;
 *  - `crossEntropyLoss`: SFT negative log-likelihood, weighted the same way.
 * Statistics are computed behind stop-gradient: they never feed the backward pass.
 */
import type { GraphBuilder, Value } from '@murmur/graph'
import { LOG_RATIO_CLAMP } from './loss-reference.js'

/** Hyper-parameters baked into a policy-loss graph. */
export interface PolicyLossOptions {
  epsLow: number
  epsHigh: number
  /** k3 KL coefficient; when > 0 the graph takes a `ref_logp` input. */
  beta: number
}

/** Values the policy loss reads (all `[B, T]` except `advantages` `[B]`). */
export interface PolicyLossInputs {
  logp: Value
  oldLogp: Value
  refLogp?: Value
  advantages: Value
  /**
   * Per-token importance weights `w_t` multiplying the clipped surrogate (docs/spec/algorithms.md
   * §1.1, truncated importance sampling); no gradient flows through them. Absent: 1.
   */
  tokenWeights?: Value
  /** Aggregation weights: the loss is `−Σ weights · ℓ`. */
  weights: Value
  /** 1 where a token counts (for the statistics' token means). */
  mask: Value
}

/** The loss and its statistics (scalars). */
export interface PolicyLossValues {
  loss: Value
  clipFraction: Value
  approxKl: Value
  refKl?: Value
}

/** `log softmax(logits)[target]` per position: logits `[B, T, V]`, targets `[B, T]` int64 → `[B, T]`. */
export function tokenLogprobs (g: GraphBuilder, logits: Value, targets: Value): { logp: Value, logpAll: Value } {
  return g.scope('logprobs', () => {
    const logpAll = g.logSoftmax(logits, -1)
    const picked = g.gatherElements(logpAll, g.unsqueeze(targets, [2]), 2)
    return { logp: g.squeeze(picked, [2]), logpAll }
  })
}

/** Token-mean entropy of the policy at masked positions (no gradient). */
export function maskedEntropy (g: GraphBuilder, logpAll: Value, mask: Value): Value {
  return g.scope('entropy', () => {
    const lp = g.stopGradient(logpAll)
    const ent = g.neg(g.reduceSum(g.mul(g.exp(lp), lp), [2]))
    return maskedMean(g, ent, mask)
  })
}

/** Clipped-surrogate loss and statistics (docs/spec/algorithms.md §3). */
export function policyObjectiveLoss (g: GraphBuilder, x: PolicyLossInputs, o: PolicyLossOptions): PolicyLossValues {
  return g.scope('policy_loss', () => {
    const logRatio = g.clip(g.sub(x.logp, x.oldLogp), -LOG_RATIO_CLAMP, LOG_RATIO_CLAMP)
    const ratio = g.exp(logRatio)
    const adv = g.unsqueeze(x.advantages, [1])
    const unclipped = g.mul(ratio, adv)
    const clipped = g.mul(g.clip(ratio, 1 - o.epsLow, 1 + o.epsHigh), adv)
    // min(a, b) as a Where on a stop-gradient condition: the gradient follows the chosen branch.
    const isClipped = g.less(g.stopGradient(clipped), g.stopGradient(unclipped))
    let objective = g.where(isClipped, clipped, unclipped)
    if (x.tokenWeights !== undefined) objective = g.mul(objective, g.stopGradient(x.tokenWeights))
    let refKl: Value | undefined
    if (o.beta > 0) {
      if (x.refLogp === undefined) throw new TypeError('policyObjectiveLoss: beta > 0 needs refLogp')
      const d = g.clip(g.sub(x.refLogp, x.logp), -LOG_RATIO_CLAMP, LOG_RATIO_CLAMP)
      const kl = g.sub(g.sub(g.exp(d), d), 1)
      objective = g.sub(objective, g.mul(kl, o.beta))
      refKl = maskedMean(g, g.stopGradient(kl), x.mask)
    }
    const loss = g.neg(g.reduceSum(g.mul(objective, x.weights)))
    const clipFraction = maskedMean(g, g.cast(isClipped, x.mask.dtype), x.mask)
    const sr = g.stopGradient(ratio)
    const approxKl = maskedMean(g, g.sub(g.sub(sr, 1), g.stopGradient(logRatio)), x.mask)
    return { loss, clipFraction, approxKl, refKl }
  })
}

/** SFT loss `−Σ weights · log π(target)`. */
export function crossEntropyLoss (g: GraphBuilder, logp: Value, weights: Value): Value {
  return g.scope('ce_loss', () => g.neg(g.reduceSum(g.mul(logp, weights))))
}

/** `Σ mask·x / max(Σ mask, 1)` — a scalar. */
export function maskedMean (g: GraphBuilder, x: Value, mask: Value): Value {
  return g.div(g.reduceSum(g.mul(x, mask)), g.max(g.reduceSum(mask), 1))
}

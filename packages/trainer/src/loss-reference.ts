/**
 * Plain-TypeScript float64 reference of the policy-gradient loss of docs/spec/algorithms.md §3:
 * clipped surrogate with ε_low / ε_high, optional k3 KL to a reference policy, and the three
 * aggregation modes. Tests hold the train-step graph against it; it is not on the hot path.
 */
import { InvalidArgumentError } from '@murmur/interface'

/**
 * How per-token objectives are reduced to one number (docs/spec/algorithms.md §3). Sequence-mean
 * averages over sequences with at least one counted token (padding rows do not dilute it).
 */
export type Aggregation = 'token-mean' | 'sequence-mean' | 'constant-normalizer'

/** Every aggregation mode, for validation and iteration in tests. */
export const AGGREGATIONS: readonly Aggregation[] = ['token-mean', 'sequence-mean', 'constant-normalizer']

/** Inputs of `referencePolicyLoss`: row-major `[batch, steps]` per-token arrays. */
export interface PolicyLossInput {
  batch: number
  steps: number
  /** log π_θ of each target token. */
  logp: ArrayLike<number>
  /** log π_old of each target token. */
  oldLogp: ArrayLike<number>
  /** log π_ref of each target token (only read when `beta > 0`). */
  refLogp?: ArrayLike<number>
  /** 1 where the token is a completion token that counts, else 0. */
  mask: ArrayLike<number>
  /** One advantage per sequence. */
  advantages: ArrayLike<number>
  /** Per-token importance weights `w_t` of the clipped surrogate (spec §1.1); default 1. */
  tokenWeights?: ArrayLike<number>
  epsLow?: number
  epsHigh?: number
  /** KL coefficient β (k3 estimator); 0 disables it. */
  beta?: number
  aggregation?: Aggregation
  /** Constant normalizer's L_max; `Σ ℓ / (batch · maxLength)`. Default `steps`. */
  maxLength?: number
}

/** Outputs of `referencePolicyLoss`. */
export interface PolicyLossResult {
  /** The loss: the negative aggregated objective. */
  loss: number
  /** Token-mean fraction of masked tokens where the clip is binding. */
  clipFraction: number
  /** Token-mean k3 estimate of KL(π_old ‖ π_θ): `(ρ − 1) − log ρ`. */
  approxKl: number
  /** Token-mean k3 KL to the reference policy (0 when β = 0). */
  refKl: number
}

/** Log-ratios are clamped to ±this before `exp` (docs/spec/algorithms.md §3). */
export const LOG_RATIO_CLAMP = 20

/** Reference loss and statistics for one batch, in float64. */
export function referencePolicyLoss (input: PolicyLossInput): PolicyLossResult {
  const { batch: B, steps: T, logp, oldLogp, refLogp, mask, advantages } = input
  const epsLow = input.epsLow ?? 0.2
  const epsHigh = input.epsHigh ?? 0.28
  const beta = input.beta ?? 0
  const aggregation = input.aggregation ?? 'token-mean'
  const n = B * T
  for (const [name, arr] of [['logp', logp], ['oldLogp', oldLogp], ['mask', mask]] as const) {
    if (arr.length !== n) throw new InvalidArgumentError(name, `expected ${n} values, got ${arr.length}`)
  }
  if (advantages.length !== B) throw new InvalidArgumentError('advantages', `expected ${B} values, got ${advantages.length}`)
  if (input.tokenWeights !== undefined && input.tokenWeights.length !== n) throw new InvalidArgumentError('tokenWeights', `expected ${n} values, got ${input.tokenWeights.length}`)
  if (beta > 0 && refLogp?.length !== n) throw new InvalidArgumentError('refLogp', `expected ${n} values when beta > 0`)
  let total = 0
  let count = 0
  let clipCount = 0
  let klSum = 0
  let refKlSum = 0
  let seqMeanSum = 0
  let seqCount = 0
  for (let b = 0; b < B; b++) {
    let rowSum = 0
    let rowCount = 0
    for (let t = 0; t < T; t++) {
      const i = b * T + t
      const m = mask[i]
      if (m === 0) continue
      const lr = Math.min(LOG_RATIO_CLAMP, Math.max(-LOG_RATIO_CLAMP, logp[i] - oldLogp[i]))
      const ratio = Math.exp(lr)
      const a = advantages[b]
      const unclipped = ratio * a
      const clippedObj = Math.min(1 + epsHigh, Math.max(1 - epsLow, ratio)) * a
      let obj = (input.tokenWeights?.[i] ?? 1) * Math.min(unclipped, clippedObj)
      if (clippedObj < unclipped) clipCount += m
      klSum += m * ((ratio - 1) - lr)
      if (beta > 0 && refLogp !== undefined) {
        const d = Math.min(LOG_RATIO_CLAMP, Math.max(-LOG_RATIO_CLAMP, refLogp[i] - logp[i]))
        const kl = Math.exp(d) - d - 1
        refKlSum += m * kl
        obj -= beta * kl
      }
      rowSum += m * obj
      rowCount += m
    }
    total += rowSum
    count += rowCount
    if (rowCount > 0) {
      seqMeanSum += rowSum / rowCount
      seqCount++
    }
  }
  const denom = Math.max(count, 1)
  let objective: number
  if (aggregation === 'token-mean') objective = total / denom
  else if (aggregation === 'sequence-mean') objective = seqMeanSum / Math.max(seqCount, 1)
  else objective = total / (B * (input.maxLength ?? T))
  return { loss: -objective, clipFraction: clipCount / denom, approxKl: klSum / denom, refKl: refKlSum / denom }
}

/**
 * Truncated importance sampling for peer completions (spec/algorithms.md §1.1;
 * docs/importance-sampling.md). Pure float64 functions: the round computes per-token weights
 * from the receiver's π_old and the sender's behaviour log-probs μ and hands them to the
 * trainer, which multiplies each token's clipped surrogate by its weight (no gradient).
 */
import { InvalidArgumentError } from '@murmur/interface'

/** Settings of the estimator. */
export interface ImportanceConfig {
  /** C: per-token cap of exp(log π_old − μ). */
  cap: number
  /** δ: a peer completion with A < 0 whose mean per-token log(π_old/μ) is below −δ is dropped. */
  negativeDelta: number
  /** Lowest behaviour log-prob accepted from a peer (nats). */
  minLogprob: number
}

/** Defaults: C = 2 (spec), δ = 2 nats/token, μ ≥ −100 (the wire's bound). */
export const DEFAULT_IMPORTANCE: ImportanceConfig = { cap: 2, negativeDelta: 2, minLogprob: -100 }

/** Log-ratios are clamped to ±20 before exp (spec §3). */
const MAX_LOG_RATIO = 20

/**
 * Checks a sender's behaviour log-probs: one per token, finite, ≤ 0 and ≥ `minLogprob`.
 * Anything else means the whole group is rejected (it is untrusted input).
 */
export function validBehaviourLogprobs (mu: readonly number[], tokens: number, minLogprob = DEFAULT_IMPORTANCE.minLogprob): boolean {
  if (mu.length !== tokens || tokens === 0) return false
  return mu.every(m => typeof m === 'number' && Number.isFinite(m) && m <= 0 && m >= minLogprob)
}

/** One peer completion's per-token log-probs: the receiver's π_old and the sender's behaviour μ. */
export interface CompletionLogprobs {
  logpOld: readonly number[]
  mu: readonly number[]
}

/**
 * Per-token weights of one peer group's completions:
 *   w_t = min(exp(clamp(log π_old(y_t) − μ_t, ±20)), C)
 * then, when the group's mean weight over all its tokens exceeds 1, every weight of the group is
 * scaled down to mean 1. The second step is what makes a lying sender harmless: whatever μ it
 * claims, its group's total weight is at most its token count — what the group would get
 * trained as on-policy text (w = 1, the fallback path) — so lies can only lower the group's
 * weight (claiming μ too high makes every w smaller) or move weight between its own tokens,
 * each bounded by C. For an honest group from a nearby policy, E_μ[π_old/μ] = 1, so the
 * rescaling only trims sampling noise above 1 (and is a no-op when the cap binds).
 */
export function truncatedImportanceWeights (group: readonly CompletionLogprobs[], cap = DEFAULT_IMPORTANCE.cap): number[][] {
  const raw = group.map(({ logpOld, mu }) => {
    if (logpOld.length !== mu.length) throw new InvalidArgumentError('group', `${logpOld.length} π_old log-probs but ${mu.length} behaviour log-probs`)
    return logpOld.map((lp, t) => Math.min(Math.exp(Math.max(-MAX_LOG_RATIO, Math.min(MAX_LOG_RATIO, lp - mu[t]))), cap))
  })
  let total = 0
  let tokens = 0
  for (const w of raw) for (const x of w) { total += x; tokens++ }
  if (total <= tokens) return raw
  const scale = tokens / total
  return raw.map(w => w.map(x => x * scale))
}

/** Mean per-token log(π_old/μ) of a completion: how far off the receiver's policy it is (≤ 0 means the receiver finds it less likely). */
export function meanLogRatio (logpOld: readonly number[], mu: readonly number[]): number {
  if (logpOld.length === 0) return 0
  let s = 0
  for (let t = 0; t < logpOld.length; t++) s += logpOld[t] - mu[t]
  return s / logpOld.length
}

/** Far-off-policy negatives are dropped: pushing down text the local policy would never produce teaches little. */
export function keepPeerCompletion (advantage: number, logRatio: number, negativeDelta = DEFAULT_IMPORTANCE.negativeDelta): boolean {
  return !(advantage < 0 && logRatio < -negativeDelta)
}

/** Summary of the weights used in one round. */
export interface WeightStats {
  tokens: number
  mean: number
  min: number
  max: number
  /** Fraction of tokens whose weight is at the cap C. */
  cappedFraction: number
}

/** Summarizes per-token weights (NaN fields when there are none). */
export function weightStats (weights: ReadonlyArray<readonly number[]>, cap = DEFAULT_IMPORTANCE.cap): WeightStats {
  const flat = weights.flat()
  if (flat.length === 0) return { tokens: 0, mean: Number.NaN, min: Number.NaN, max: Number.NaN, cappedFraction: Number.NaN }
  return {
    tokens: flat.length,
    mean: flat.reduce((a, b) => a + b, 0) / flat.length,
    min: Math.min(...flat),
    max: Math.max(...flat),
    cappedFraction: flat.filter(w => w >= cap - 1e-12).length / flat.length
  }
}

/**
 * Token sampling from one row of logits: greedy (temperature 0), temperature, top-k and top-p
 * (nucleus), driven by a per-sequence seeded PRNG. Two log-probabilities come back per token:
 * `logprob`, under softmax(logits / temperature) over the FULL vocabulary (temperature 1 for
 * greedy), the policy's own distribution that `logprobs()` recomputes; and `sampleLogprob`,
 * under the distribution the token was actually drawn from (after temperature, top-k and top-p
 * renormalization; 0 for greedy), the behaviour log-prob μ of docs/spec/algorithms.md §1.1.
 */
import { DEFAULT_TEMPERATURE, DEFAULT_TOP_K, DEFAULT_TOP_P } from './constants.js'
import { InvalidArgumentError } from './errors.js'
import type { Rng } from '@murmur/interface'

/** Sampling settings. */
export interface SamplingOptions {
  /** 0 = greedy; default 1. */
  temperature?: number
  /** Keep only the k most likely tokens (0 or undefined = all). */
  topK?: number
  /** Keep the smallest set of most likely tokens whose probability reaches p (1 = all). */
  topP?: number
}

/** Validated sampling settings. */
export interface ResolvedSampling {
  temperature: number
  topK: number
  topP: number
}

/** Validates sampling options; throws `InvalidArgumentError` naming the bad field. */
export function resolveSampling (o: SamplingOptions = {}): ResolvedSampling {
  const temperature = o.temperature ?? DEFAULT_TEMPERATURE
  if (typeof temperature !== 'number' || !Number.isFinite(temperature) || temperature < 0) {
    throw new InvalidArgumentError('temperature', `expected a finite number ≥ 0, got ${String(temperature)}`)
  }
  const topK = o.topK ?? DEFAULT_TOP_K
  if (!Number.isInteger(topK) || topK < 0) throw new InvalidArgumentError('topK', `expected an integer ≥ 0, got ${String(topK)}`)
  const topP = o.topP ?? DEFAULT_TOP_P
  if (typeof topP !== 'number' || !(topP > 0 && topP <= 1)) throw new InvalidArgumentError('topP', `expected a number in (0, 1], got ${String(topP)}`)
  return { temperature, topK, topP }
}

/** A drawn token and its log-probabilities (see the module comment). */
export interface SampledToken { token: number, logprob: number, sampleLogprob: number }

/** A logits row's argmax and log-normalizer log Σ exp(z − z[argmax]), when the graph already computed them. */
export interface RowNormalizer { argmax: number, logZ: number }

/**
 * Draws one token from `logits[offset .. offset+vocab)`; returns it with its log-probabilities.
 * `norm` (the row's argmax and log-normalizer at temperature 1, from the graph) saves the two
 * passes over the vocabulary that find them; it is ignored at other temperatures. (Generation
 * draws plain temperature-1 samples by blocks instead: the graph's `blockDraw`, then `blockToken`.)
 */
export function sampleToken (logits: Float32Array, offset: number, vocab: number, s: ResolvedSampling, rng: Rng, norm?: RowNormalizer): SampledToken {
  const t = s.temperature === 0 ? 1 : s.temperature
  let max = -Infinity
  let argmax = 0
  let sum = 0
  let logZ = 0
  if (norm !== undefined && t === 1) {
    argmax = norm.argmax
    max = logits[offset + argmax]
    logZ = norm.logZ
    sum = Math.exp(logZ)
  } else {
    for (let i = 0; i < vocab; i++) {
      const z = logits[offset + i]
      if (z > max) { max = z; argmax = i }
    }
    for (let i = 0; i < vocab; i++) sum += Math.exp((logits[offset + i] - max) / t)
    logZ = Math.log(sum)
  }
  const logprobOf = (i: number): number => (logits[offset + i] - max) / t - logZ
  const full = (i: number): SampledToken => ({ token: i, logprob: logprobOf(i), sampleLogprob: logprobOf(i) })
  if (s.temperature === 0) return { token: argmax, logprob: logprobOf(argmax), sampleLogprob: 0 }
  if (s.topK === 0 && s.topP >= 1) {
    // Inverse CDF over the full distribution: no sort needed.
    let u = rng.nextFloat() * sum
    for (let i = 0; i < vocab; i++) {
      u -= Math.exp((logits[offset + i] - max) / t)
      if (u < 0) return full(i)
    }
    return full(argmax)
  }
  const order = Array.from({ length: vocab }, (_, i) => i)
  order.sort((a, b) => logits[offset + b] - logits[offset + a] || a - b)
  let keep = s.topK > 0 ? Math.min(s.topK, vocab) : vocab
  if (s.topP < 1) {
    let cum = 0
    for (let r = 0; r < keep; r++) {
      cum += Math.exp(logprobOf(order[r]))
      if (cum >= s.topP) { keep = r + 1; break }
    }
  }
  let kept = 0
  for (let r = 0; r < keep; r++) kept += Math.exp(logprobOf(order[r]))
  const logKept = Math.log(kept)
  const pick = (i: number): SampledToken => ({ token: i, logprob: logprobOf(i), sampleLogprob: logprobOf(i) - logKept })
  let u = rng.nextFloat() * kept
  for (let r = 0; r < keep; r++) {
    u -= Math.exp(logprobOf(order[r]))
    if (u < 0) return pick(order[r])
  }
  return pick(order[keep - 1])
}

/**
 * One plain temperature-1 draw whose block the graph chose (`blockDraw` in generation-graph.ts):
 * the block's logits `logits[offset .. offset + width)` are ids `first …`, `frac` is the fraction
 * of the block's mass below the draw, `max` and `logZ` the row's max logit and log Σ exp(z − max).
 */
export interface BlockDraw { logits: Float32Array, offset: number, width: number, first: number, frac: number, max: number, logZ: number }

/**
 * The token of a block draw: the id inside the block where the cumulative exp(z − max), in id
 * order, passes `frac` of the block's sum — with the graph's choice of block, the inverse CDF of
 * softmax(logits) at the draw's uniform. Rounding past the end lands on the block's last id with
 * positive mass. Its log-probabilities under the full softmax (both equal: nothing renormalized).
 */
export function blockToken (d: BlockDraw): SampledToken {
  const { logits, offset, width, max } = d
  let sum = 0
  for (let i = offset; i < offset + width; i++) sum += Math.exp(logits[i] - max)
  let v = d.frac * sum
  let last = offset
  for (let i = offset; i < offset + width; i++) {
    const e = Math.exp(logits[i] - max)
    if (e > 0) last = i
    v -= e
    if (v < 0) { last = i; break }
  }
  const logprob = logits[last] - max - d.logZ
  return { token: d.first + last - offset, logprob, sampleLogprob: logprob }
}

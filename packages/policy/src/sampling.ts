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

/**
 * A row's probability mass per block of `width` consecutive ids (block i covers ids
 * [i·width, (i+1)·width)): `mass[offset .. offset + vocab/width)`, in any common scale.
 */
export interface BlockMasses { mass: ArrayLike<number>, offset: number, width: number }

/**
 * A logits row's argmax and log-normalizer log Σ exp(z − z[argmax]), when the graph already
 * computed them, and optionally its block masses (the graph's `next_block_prob`).
 */
export interface RowNormalizer { argmax: number, logZ: number, blocks?: BlockMasses }

/**
 * Draws one token from `logits[offset .. offset+vocab)`; returns it with its log-probabilities.
 * `norm` (the row's argmax and log-normalizer at temperature 1, from the graph) saves the two
 * passes over the vocabulary that find them; it is ignored at other temperatures. With its
 * block masses, plain sampling at temperature 1 exponentiates one block instead of (on average)
 * half the vocabulary: the same inverse CDF over the same id order, summed by blocks.
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
    if (norm?.blocks !== undefined && t === 1) return full(blockInverseCdf(logits, offset, vocab, max, norm.blocks, rng.nextFloat()))
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
 * The id at quantile `q` ∈ [0, 1) of softmax(logits row) in id order, found by blocks: the block
 * where the cumulative block mass passes q·total, then the id inside it where the cumulative
 * exp(z − max) passes the same fraction of that block's own sum. With exact arithmetic this is
 * the element-wise inverse CDF; rounding can move a draw only across a boundary it lies within
 * float precision of. Rounding past the end lands on the last id with positive mass.
 */
export function blockInverseCdf (logits: Float32Array, offset: number, vocab: number, max: number, blocks: BlockMasses, q: number): number {
  const { mass, offset: mo, width } = blocks
  const nb = Math.ceil(vocab / width)
  let total = 0
  for (let i = 0; i < nb; i++) total += mass[mo + i]
  let u = q * total
  let block = -1
  for (let i = 0; i < nb; i++) {
    const m = mass[mo + i]
    if (m <= 0) continue
    block = i
    if (u < m) break
    u -= m
  }
  if (block < 0) throw new InvalidArgumentError('blocks', 'every block has zero mass')
  const start = offset + block * width
  const end = Math.min(start + width, offset + vocab)
  let sum = 0
  for (let i = start; i < end; i++) sum += Math.exp(logits[i] - max)
  // The fraction of this block's mass still to pass, in the block's own (float64) scale.
  let v = Math.min(u, mass[mo + block]) / mass[mo + block] * sum
  let last = start
  for (let i = start; i < end; i++) {
    const e = Math.exp(logits[i] - max)
    if (e > 0) last = i
    v -= e
    if (v < 0) return i - offset
  }
  return last - offset
}

/**
 * The outputs the policy worker's generation graph adds on top of a decode graph's flat logits
 * [rows, vocab] (the exported folder has none of them): each row's greedy token with its
 * log-prob, and plain temperature-1 sampling by vocabulary blocks, where the graph picks each
 * draw's block from a uniform fed by JavaScript and hands back only that block's logits (≤ 128
 * per draw instead of the whole row; `blockToken` in sampling.ts draws inside the block).
 */
import type { Dim, GraphBuilder, Value } from '@murmur/graph'
import { InvalidArgumentError } from './errors.js'

/**
 * Adds, for each logits row: `next_token` int64 [rows] (the argmax, first index on ties) and
 * `next_logprob` float [rows] (its log-softmax). When the vocabulary is drawn by blocks
 * (`drawsByBlocks`), also the input `sample_u` float64 [rows, draws] (uniforms in [0, 1); draws
 * may be 0) and the outputs `next_logit` float [rows] (the argmax's logit, the row's max) and,
 * for each draw (see `blockDraw`), `sample_block` int64 [rows, draws], `sample_logits` float
 * [rows, draws, w] and `sample_frac` float64 [rows, draws].
 */
export function generationOutputs (b: GraphBuilder, logits: Value): void {
  b.scope('generation', () => {
    // LogSoftmax is one vectorized kernel (max, exp-sum, one output write); the argmax of a
    // large vocabulary by blocks (see `firstArgmax`). Together about half the time of TopK(1)
    // plus a max-shifted Sub/Exp/ReduceSum on a 151,936-entry vocabulary.
    const token = firstArgmax(b, logits)
    const logp = b.logSoftmax(logits, -1)
    const at = (x: Value): Value => b.squeeze(b.gatherElements(x, b.unsqueeze(token, [1]), 1), [1])
    b.output('next_token', token)
    b.output('next_logprob', at(logp))
    if (!drawsByBlocks(logits.shape[1] as number)) return
    b.output('next_logit', at(logits))
    const draw = blockDraw(b, logits, logp, b.input('sample_u', 'float64', [logits.shape[0], 'draws']))
    b.output('sample_block', draw.block)
    b.output('sample_logits', draw.logits)
    b.output('sample_frac', draw.frac)
  })
}

/** Narrowest vocabulary block `firstArgmax` scans by blocks and `blockDraw` draws from. */
const MIN_BLOCK = 16

/**
 * Whether the generation graph draws plain temperature-1 samples by blocks for a vocabulary of
 * this size: when its blocks have at least 16 ids. Otherwise (a vocabulary with no such divisor,
 * e.g. the builtin GPT's 101 ids) the worker fetches the logits and draws in JavaScript: the
 * ~30 nodes of `blockDraw` cost more per step than a small row's copy and scan.
 */
export function drawsByBlocks (vocab: number): boolean {
  return vocabBlock(vocab) >= MIN_BLOCK
}

/** Widest block (a power of two up to 128 dividing the vocabulary) `firstArgmax` scans (below 16, plain ArgMax) and `blockDraw` sums. */
export function vocabBlock (vocab: number): number {
  let k = 1
  while (k < 128 && vocab % (2 * k) === 0) k *= 2
  return k
}

/**
 * Row-wise argmax of `logits` [rows, vocab], the first index on ties (as ArgMax). onnxruntime's
 * ArgMax and TopK scan element by element; here a vectorized ReduceMax finds each block's max,
 * ArgMax runs over the block maxima (vocab / 128 of them) and then inside the winning block:
 * the first block holding the row's max holds its first occurrence. 5× faster than ArgMax on a
 * 151,936-entry vocabulary.
 */
export function firstArgmax (b: GraphBuilder, logits: Value): Value {
  const [rowsDim, vocab] = logits.shape
  if (typeof vocab !== 'number') throw new InvalidArgumentError('logits', `firstArgmax needs a static vocabulary size, got "${String(vocab)}"`)
  const k = vocabBlock(vocab)
  if (k < MIN_BLOCK) return b.argMax(logits, -1)
  const nb = vocab / k
  const block = b.argMax(b.reduceMax(b.reshape(logits, [-1, nb, k]), [2]), -1)
  const inBlock = b.argMax(b.gather(b.reshape(logits, [-1, k]), b.add(b.mul(rowIndices(b, logits, rowsDim), nb), block), 0), -1)
  return b.add(b.mul(block, k), inBlock)
}

/** Graph values of `blockDraw`. */
export interface BlockDrawValues {
  /** int64 [rows, draws]: the chosen block (ids block·w … block·w + w − 1). */
  block: Value
  /** float [rows, draws, w]: its logits. */
  logits: Value
  /** float64 [rows, draws]: the fraction of the block's mass below the draw, in [0, 1]. */
  frac: Value
}

/**
 * The inverse CDF of softmax(row) by blocks of w = `vocabBlock(vocab)` ids, for uniforms `u`
 * float64 [rows, draws]: each block's mass (one vectorized Exp and ReduceSum of the log-softmax
 * `logp`), their running sums C in float64, and the draw's block: the first whose C exceeds
 * u·C_last, i.e. the count of blocks with C ≤ u·C_last. Zero-mass blocks are never chosen (their
 * C equals the one before); a draw that rounding puts at or past C_last takes the last block with
 * mass (the count is capped at the blocks with C < C_last). `frac` = (u·C_last − C before the
 * block) / its mass, clamped to [0, 1], places the draw inside the block.
 */
export function blockDraw (b: GraphBuilder, logits: Value, logp: Value, u: Value): BlockDrawValues {
  const [rowsDim, vocab] = logits.shape
  if (typeof vocab !== 'number') throw new InvalidArgumentError('logits', `blockDraw needs a static vocabulary size, got "${String(vocab)}"`)
  const k = vocabBlock(vocab)
  const nb = vocab / k
  const mass = b.cast(b.reduceSum(b.exp(b.reshape(logp, [-1, nb, k])), [2]), 'float64')
  const cum = b.cumsum(mass, 1)
  const total = b.slice(cum, [nb - 1], [nb], [1])
  const target = b.mul(u, total)
  const c = b.unsqueeze(cum, [1])
  const passed = b.and(b.not(b.greater(c, b.unsqueeze(target, [2]))), b.less(c, b.unsqueeze(total, [2])))
  const block = b.reduceSum(b.cast(passed, 'int64'), [2])
  const picked = b.gather(b.reshape(logits, [-1, k]), b.add(b.mul(b.unsqueeze(rowIndices(b, logits, rowsDim), [1]), nb), block), 0)
  const blockMass = b.gatherElements(mass, block, 1)
  const before = b.sub(b.gatherElements(cum, block, 1), blockMass)
  return { block, logits: picked, frac: b.clip(b.div(b.sub(target, before), blockMass), 0, 1) }
}

/** 0 … rows − 1 (int64) for a [rows, …] value. */
function rowIndices (b: GraphBuilder, x: Value, rowsDim: Dim): Value {
  return b.range(b.scalar(0n, 'int64'), b.squeeze(b.shapeOf(x, 0, 1), [0]), b.scalar(1n, 'int64'), 'int64', rowsDim)
}

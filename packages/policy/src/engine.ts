/**
 * The generation and scoring loops over an onnxruntime session of the decode graph (HF
 * causal-LM I/O). They run inside the policy's worker thread, one message per `generate()`
 * call, so sampling, KV-cache bookkeeping and stop checks never cross a thread boundary.
 */
import ort from 'onnxruntime-node'
import { createRng, hashSeeds, type Rng } from '@murmur/interface'
import { drawsByBlocks } from './generation-graph.js'
import { blockToken, sampleToken, type ResolvedSampling, type SampledToken } from './sampling.js'

/** Shape facts of the decode graph. */
export interface EngineDims {
  nLayer: number
  /** Heads of the KV cache (the key/value heads under grouped-query attention). */
  nHead: number
  headDim: number
  vocabSize: number
  nCtx: number
}

/** Why a completion ended. */
export type FinishReason = 'eos' | 'stop' | 'length'

/** One generation request in token space (prompts already encoded, BOS included). */
export interface EngineGenerateRequest {
  prompts: number[][]
  n: number
  maxTokens: number
  sampling: ResolvedSampling
  seed: number
  stop: string[]
  eosId: number | undefined
  padId: number
}

/** One completion in token space. */
export interface EngineCompletion {
  tokenIds: number[]
  logprobs: number[]
  sampleLogprobs: number[]
  finishReason: FinishReason
  /** Decoded text, cut before the first stop string. */
  text: string
}

/** Timing counters of one call. */
export interface EngineStats {
  steps: number
  generatedTokens: number
  runMs: number
}

/** What the loops need besides the session. */
export interface EngineContext {
  /** The decode session's `run` (the worker wraps it in the WebGPU lock). */
  session: { run: (feeds: ort.InferenceSession.FeedsType, fetches?: string[]) => Promise<ort.InferenceSession.ReturnType> }
  dims: EngineDims
  decode: (ids: number[]) => string
  /** True once the caller cancelled this job. */
  aborted: () => boolean
}

/** Compact the batch when at most this fraction of rows is still running. */
const COMPACT_FRACTION = 0.5

/**
 * Runs batched sampling with a KV cache; returns completions grouped per prompt. The prompts
 * are prefilled once each (left-padded batch of unique prompts); their cache rows are then
 * repeated `n` times, so `n` completions per prompt cost one prefill, not `n`.
 */
export async function engineGenerate (ctx: EngineContext, req: EngineGenerateRequest): Promise<{ completions: EngineCompletion[][], stats: EngineStats }> {
  const { dims } = ctx
  const V = dims.vocabSize
  const stats: EngineStats = { steps: 0, generatedTokens: 0, runMs: 0 }
  const P = req.prompts.length
  const B = P * req.n
  const out: EngineCompletion[] = Array.from({ length: B }, () => ({ tokenIds: [], logprobs: [], sampleLogprobs: [], finishReason: 'length', text: '' }))
  if (B === 0 || req.maxTokens === 0) return { completions: group(out, req.n), stats }
  const rngs: Rng[] = Array.from({ length: B }, (_, s) => createRng(hashSeeds(req.seed, Math.floor(s / req.n), s % req.n)))
  // Greedy rows take the graph's argmax and its log-prob (two numbers per row). Plain sampling
  // at temperature 1 (on a vocabulary the graph draws by blocks) draws each live row's uniform
  // before the step (one per token from its sequence's generator, as the draw after the step
  // did); the graph picks the block and returns its logits (≤ 128), and the row's max and
  // log-prob of the max for the token's log-prob. Other sampling needs the last position's
  // logits. The KV cache comes back either way.
  const greedy = req.sampling.temperature === 0
  const withNorm = req.sampling.temperature === 1
  const byBlocks = drawsByBlocks(V) && withNorm && req.sampling.topK === 0 && req.sampling.topP >= 1
  const outputs = greedy
    ? ['next_token', 'next_logprob']
    : byBlocks ? ['next_logit', 'next_logprob', 'sample_block', 'sample_logits', 'sample_frac'] : withNorm ? ['logits', 'next_token', 'next_logprob'] : ['logits']
  const fetches = [...outputs, ...presentNames(dims)]
  const run = async (feeds: Record<string, ort.Tensor>, draws: Record<string, ort.Tensor>): Promise<ort.InferenceSession.OnnxValueMapType> => {
    const t0 = performance.now()
    const res = await ctx.session.run({ ...feeds, num_logits_to_keep: keepLogits(1), ...draws }, fetches)
    stats.runMs += performance.now() - t0
    stats.steps++
    return res
  }

  // Batch state: rows[r] = sequence in batch row r; realLen[r] = next position; mask[r] = attention row.
  let rows = Array.from({ length: B }, (_, s) => s)
  const finished = new Array<boolean>(B).fill(false)
  /** The `sample_u` feed [logits rows, draws] of a block-drawing graph: draw i (row-major) is batch row i's; none unless sampling by blocks. */
  const uniforms = (logitRows: number, draws: number): Record<string, ort.Tensor> => {
    if (!byBlocks) return drawsFeed(V, logitRows, 0)
    const u = new Float64Array(logitRows * draws)
    for (let i = 0; i < u.length; i++) if (!finished[rows[i]]) u[i] = rngs[rows[i]].nextFloat()
    return drawsFeed(V, logitRows, draws, u)
  }

  // Prefill: one row per prompt, with the draws of its n sequences; its cache rows are then repeated n times.
  const { feeds: prefill, T: Tp, mask: pmask } = leftPadded(req.prompts, req.padId)
  if (ctx.aborted()) return { completions: group(out, req.n), stats }
  const pre = await run({ ...prefill, ...emptyPast(dims, P) }, uniforms(P, req.n))
  let past = req.n === 1 ? presentToPast(pre, dims) : gatherRows(presentToPast(pre, dims), Array.from({ length: B }, (_, s) => Math.floor(s / req.n)))
  let realLen = rows.map(s => req.prompts[Math.floor(s / req.n)].length)
  let mask: number[][] = rows.map(s => Array.from(pmask.subarray(Math.floor(s / req.n) * Tp, (Math.floor(s / req.n) + 1) * Tp), Number))
  /** Samples the next token of every live row (batch row r reads logits row `source(r)` and draw r); returns the next feeds. */
  const advance = (res: ort.InferenceSession.OnnxValueMapType, source: (r: number) => number): { nextIds: BigInt64Array, nextPos: BigInt64Array, keep: number[] } => {
    const pick = tokenPicker(res, greedy, withNorm, byBlocks, V, req.sampling)
    const Bc = rows.length
    const nextIds = new BigInt64Array(Bc)
    const nextPos = new BigInt64Array(Bc)
    const keep: number[] = []
    for (let r = 0; r < Bc; r++) {
      const s = rows[r]
      if (finished[s]) { nextIds[r] = BigInt(req.padId); mask[r].push(0); continue }
      const seq = out[s]
      const { token, logprob, sampleLogprob } = pick(source(r), r, rngs[s])
      seq.tokenIds.push(token)
      seq.logprobs.push(logprob)
      seq.sampleLogprobs.push(sampleLogprob)
      stats.generatedTokens++
      if (token === req.eosId) seq.finishReason = 'eos'
      else if (req.stop.length > 0 && includesAny(ctx.decode(seq.tokenIds), req.stop)) seq.finishReason = 'stop'
      finished[s] = seq.finishReason !== 'length' || seq.tokenIds.length >= req.maxTokens || realLen[r] >= dims.nCtx
      nextIds[r] = BigInt(token)
      nextPos[r] = BigInt(Math.min(realLen[r], dims.nCtx - 1))
      realLen[r]++
      mask[r].push(1)
      if (!finished[s]) keep.push(r)
    }
    return { nextIds, nextPos, keep }
  }

  let next = advance(pre, r => Math.floor(rows[r] / req.n))
  while (next.keep.length > 0 && !ctx.aborted()) {
    let { nextIds, nextPos } = next
    const { keep } = next
    if (keep.length <= rows.length * COMPACT_FRACTION) {
      past = gatherRows(past, keep)
      rows = keep.map(r => rows[r])
      realLen = keep.map(r => realLen[r])
      mask = keep.map(r => mask[r])
      nextIds = BigInt64Array.from(keep, r => nextIds[r])
      nextPos = BigInt64Array.from(keep, r => nextPos[r])
    }
    const Bc = rows.length
    const L = mask[0].length
    const maskFlat = new BigInt64Array(Bc * L)
    for (let r = 0; r < Bc; r++) {
      const row = mask[r]
      for (let t = 0; t < L; t++) if (row[t] !== 0) maskFlat[r * L + t] = 1n
    }
    const res = await run({
      input_ids: new ort.Tensor('int64', nextIds, [Bc, 1]),
      attention_mask: new ort.Tensor('int64', maskFlat, [Bc, L]),
      position_ids: new ort.Tensor('int64', nextPos, [Bc, 1]),
      ...past
    }, uniforms(Bc, 1))
    past = presentToPast(res, dims)
    next = advance(res, r => r)
  }
  for (const seq of out) {
    const body = seq.finishReason === 'eos' ? seq.tokenIds.slice(0, -1) : seq.tokenIds
    let text = ctx.decode(body)
    if (seq.finishReason === 'stop') {
      let cut = text.length
      for (const st of req.stop) {
        const i = text.indexOf(st)
        if (i >= 0 && i < cut) cut = i
      }
      text = text.slice(0, cut)
    }
    seq.text = text
  }
  return { completions: group(out, req.n), stats }
}

/** One teacher-forced scoring item: the prompt (BOS included) and the tokens to score after it. */
export interface EngineScoreItem {
  prompt: number[]
  completion: number[]
}

/**
 * Per-token log-probabilities of each item's completion tokens given everything before them,
 * under softmax(logits / temperature). Items are scored in left-padded batches of `batchSize`.
 */
export async function engineLogprobs (ctx: EngineContext, items: EngineScoreItem[], temperature: number, batchSize: number): Promise<number[][]> {
  const { dims } = ctx
  const result: number[][] = []
  for (let start = 0; start < items.length; start += batchSize) {
    const chunk = items.slice(start, start + batchSize)
    const seqs = chunk.map(it => [...it.prompt, ...it.completion])
    const B = chunk.length
    const { feeds, T } = leftPadded(seqs, 0)
    const res = await ctx.session.run({ ...feeds, num_logits_to_keep: keepLogits(0), ...drawsFeed(dims.vocabSize, B * T, 0), ...emptyPast(dims, B) }, temperature === 1 ? ['logits', 'next_token', 'next_logprob'] : ['logits'])
    const logits = res.logits.data as Float32Array
    const V = dims.vocabSize
    // At temperature 1 the graph's argmax and its log-prob give each position's log-normalizer
    // (logit of the argmax − its log-prob): one lookup per token instead of a pass over the vocabulary.
    const score = temperature === 1
      ? (row: number, token: number): number => {
          const best = Number((res.next_token.data as BigInt64Array)[row])
          return logits[row * V + token] - (logits[row * V + best] - (res.next_logprob.data as Float32Array)[row])
        }
      : (row: number, token: number): number => logSoftmaxAt(logits, row * V, V, token, temperature)
    for (let b = 0; b < B; b++) {
      const off = T - seqs[b].length
      const p = chunk[b].prompt.length
      const lps: number[] = []
      for (let k = 0; k < chunk[b].completion.length; k++) {
        // The token at sequence index p+k is predicted by the logits at index p+k-1.
        const t = off + p + k - 1
        lps.push(score(b * T + t, chunk[b].completion[k]))
      }
      result.push(lps)
    }
    if (ctx.aborted()) break
  }
  return result
}

/**
 * How a step's result yields the next token of the sequence that reads logits row `row` and draw
 * `draw`: the graph's greedy outputs, its block draws (plain sampling at temperature 1), or
 * sampling from the logits [rows, vocab] (at temperature 1 with the graph's argmax and
 * log-normalizer).
 */
function tokenPicker (res: ort.InferenceSession.OnnxValueMapType, greedy: boolean, withNorm: boolean, byBlocks: boolean, vocab: number, sampling: ResolvedSampling): (row: number, draw: number, rng: Rng) => SampledToken {
  // one kept position per row: next_* are [rows], logits [rows, vocab], sample_* [rows, draws(, w)]
  const logprobs = greedy || withNorm ? res.next_logprob.data as Float32Array : undefined
  if (greedy && logprobs !== undefined) {
    const tokens = res.next_token.data as BigInt64Array
    return row => ({ token: Number(tokens[row]), logprob: logprobs[row], sampleLogprob: 0 })
  }
  if (byBlocks && logprobs !== undefined) {
    const maxima = res.next_logit.data as Float32Array
    const blocks = res.sample_block.data as BigInt64Array
    const fracs = res.sample_frac.data as Float64Array
    const picked = res.sample_logits as ort.Tensor
    const logits = picked.data as Float32Array
    const width = picked.dims[2]
    return (row, draw) => blockToken({ logits, offset: draw * width, width, first: Number(blocks[draw]) * width, frac: fracs[draw], max: maxima[row], logZ: -logprobs[row] })
  }
  const logits = res.logits.data as Float32Array
  const tokens = withNorm ? res.next_token.data as BigInt64Array : undefined
  return (row, _draw, rng) => sampleToken(logits, row * vocab, vocab, sampling, rng, tokens !== undefined && logprobs !== undefined ? { argmax: Number(tokens[row]), logZ: -logprobs[row] } : undefined)
}

/** The `sample_u` feed of a graph that draws by blocks (none for other vocabularies): `draws` uniforms per logits row, row-major; zero draws for runs that sample nothing by blocks. */
function drawsFeed (vocab: number, logitRows: number, draws: number, u = new Float64Array(logitRows * draws)): Record<string, ort.Tensor> {
  return drawsByBlocks(vocab) ? { sample_u: new ort.Tensor('float64', u, [logitRows, draws]) } : {}
}

/** The `num_logits_to_keep` feed (0 = every position). */
function keepLogits (n: number): ort.Tensor {
  return new ort.Tensor('int64', BigInt64Array.of(BigInt(n)), [])
}

/** log softmax(row / temperature)[index] for one logits row. */
export function logSoftmaxAt (logits: Float32Array, offset: number, vocab: number, index: number, temperature: number): number {
  const t = temperature === 0 ? 1 : temperature
  let max = -Infinity
  for (let i = 0; i < vocab; i++) if (logits[offset + i] > max) max = logits[offset + i]
  let sum = 0
  for (let i = 0; i < vocab; i++) sum += Math.exp((logits[offset + i] - max) / t)
  return (logits[offset + index] - max) / t - Math.log(sum)
}

function includesAny (text: string, stops: string[]): boolean {
  for (const s of stops) if (text.includes(s)) return true
  return false
}

function group<T> (flat: T[], n: number): T[][] {
  const out: T[][] = []
  for (let i = 0; i < flat.length; i += n) out.push(flat.slice(i, i + n))
  return out
}

/** Zero-length past key/values for a batch of `B` (the prefill). */
export function emptyPast (dims: EngineDims, B: number): Record<string, ort.Tensor> {
  const feeds: Record<string, ort.Tensor> = {}
  for (let i = 0; i < dims.nLayer; i++) {
    for (const kv of ['key', 'value']) {
      feeds[`past_key_values.${i}.${kv}`] = new ort.Tensor('float32', new Float32Array(0), [B, dims.nHead, 0, dims.headDim])
    }
  }
  return feeds
}

function presentNames (dims: EngineDims): string[] {
  return Array.from({ length: dims.nLayer }, (_, i) => [`present.${i}.key`, `present.${i}.value`]).flat()
}

function presentToPast (res: ort.InferenceSession.OnnxValueMapType, dims: EngineDims): Record<string, ort.Tensor> {
  const past: Record<string, ort.Tensor> = {}
  for (let i = 0; i < dims.nLayer; i++) {
    past[`past_key_values.${i}.key`] = res[`present.${i}.key`] as ort.Tensor
    past[`past_key_values.${i}.value`] = res[`present.${i}.value`] as ort.Tensor
  }
  return past
}

/** Rows `rows` (in order; a row may repeat) of every [B, H, T, hd] cache tensor. */
function gatherRows (past: Record<string, ort.Tensor>, rows: readonly number[]): Record<string, ort.Tensor> {
  const out: Record<string, ort.Tensor> = {}
  for (const [name, t] of Object.entries(past)) {
    const [, H, T, hd] = t.dims
    const row = H * T * hd
    const src = t.data as Float32Array
    const dst = new Float32Array(rows.length * row)
    rows.forEach((r, i) => dst.set(src.subarray(r * row, (r + 1) * row), i * row))
    out[name] = new ort.Tensor('float32', dst, [rows.length, H, T, hd])
  }
  return out
}

/** `input_ids` (padding `padId`), `attention_mask` and `position_ids` [B, T] of left-padded `seqs`. */
function leftPadded (seqs: readonly number[][], padId: number): { feeds: Record<string, ort.Tensor>, T: number, mask: BigInt64Array } {
  const T = Math.max(...seqs.map(s => s.length))
  const B = seqs.length
  const ids = new BigInt64Array(B * T).fill(BigInt(padId))
  const mask = new BigInt64Array(B * T)
  const pos = new BigInt64Array(B * T)
  seqs.forEach((s, b) => {
    const off = T - s.length
    for (let t = off; t < T; t++) {
      ids[b * T + t] = BigInt(s[t - off])
      mask[b * T + t] = 1n
      pos[b * T + t] = BigInt(t - off)
    }
  })
  const feeds = {
    input_ids: new ort.Tensor('int64', ids, [B, T]),
    attention_mask: new ort.Tensor('int64', mask, [B, T]),
    position_ids: new ort.Tensor('int64', pos, [B, T])
  }
  return { feeds, T, mask }
}

/**
 * Turns (prompt, completion) texts into the padded tensors a train-step graph consumes.
 * Layout per row: `[bos] prompt completion [eos] pad…` (right padding, so positions are
 * 0..T−1 and causal attention never sees the padding of a real token). `targets[t]` is the
 * token at t+1; `mask[t]` is 1 where that target is a completion token (its EOS included).
 * T is bucketed: it rounds up to a multiple of `SEQ_BUCKET` (capped by the context); the rows are
 * the batch's own (the graphs take any row count).
 */
import { InvalidArgumentError } from '@murmur/interface'
import { encodePromptIds, type ChatTemplate, type Tokenizer } from '@murmur/policy'

/** Sequence lengths round up to a multiple of this, so few distinct graphs are built. */
export const SEQ_BUCKET = 16

/** One tokenized training sequence. */
export interface EncodedSequence {
  /** Full row: bos, prompt, completion, eos. */
  ids: number[]
  /** Index in `ids` of the first completion token. */
  completionStart: number
}

/** A padded batch in row-major form (`rows × steps`). */
export interface PaddedBatch {
  rows: number
  steps: number
  inputIds: BigInt64Array
  targets: BigInt64Array
  /** 1 where the target is a completion token that counts. */
  mask: Float32Array
  /** Number of real (non-padding) rows. */
  realRows: number
}

/**
 * Tokenizes one (prompt, completion) pair; EOS is appended unless `truncated`. The prompt is
 * encoded as the policy encodes it (policy's `encodePromptIds`: BOS, and the chat template
 * when the model uses one), so trained tokens are the sampled tokens.
 */
export function encodePair (tokenizer: Tokenizer, prompt: string, completion: string, truncated = false, chat?: ChatTemplate): EncodedSequence {
  const p = encodePromptIds(tokenizer, prompt, chat)
  const c = tokenizer.encode(completion)
  if (!truncated && tokenizer.eosId !== undefined) c.push(tokenizer.eosId)
  return { ids: [...p, ...c], completionStart: p.length }
}

/** The bucketed sequence length for a longest row of `len` tokens, capped by `maxLen`. */
export function bucketSteps (len: number, maxLen: number): number {
  return Math.min(maxLen, Math.max(SEQ_BUCKET, Math.ceil(len / SEQ_BUCKET) * SEQ_BUCKET))
}

/** Right-padded token rows: int64 `[rows.length, steps]` ids (padding `padId`) and attention mask (1 on real tokens). */
export function rightPadded (rows: readonly number[][], steps: number, padId: number): { ids: BigInt64Array, mask: BigInt64Array } {
  const ids = new BigInt64Array(rows.length * steps).fill(BigInt(padId))
  const mask = new BigInt64Array(rows.length * steps)
  rows.forEach((s, r) => s.forEach((id, t) => {
    ids[r * steps + t] = BigInt(id)
    mask[r * steps + t] = 1n
  }))
  return { ids, mask }
}

/**
 * Pads `seqs` into `rows` rows (extra rows are all padding with mask 0) of `steps` tokens.
 * Rows longer than `steps` throw: callers pick `steps` with `bucketSteps` over the batch.
 */
export function padBatch (seqs: readonly EncodedSequence[], rows: number, steps: number, padId: number): PaddedBatch {
  if (seqs.length > rows) throw new InvalidArgumentError('rows', `${seqs.length} sequences do not fit ${rows} rows`)
  const inputIds = new BigInt64Array(rows * steps).fill(BigInt(padId))
  const targets = new BigInt64Array(rows * steps).fill(BigInt(padId))
  const mask = new Float32Array(rows * steps)
  seqs.forEach((s, r) => {
    if (s.ids.length > steps) throw new InvalidArgumentError('sequence', `row ${r} has ${s.ids.length} tokens, more than ${steps}`)
    for (let t = 0; t < s.ids.length; t++) inputIds[r * steps + t] = BigInt(s.ids[t])
    for (let t = 0; t + 1 < s.ids.length; t++) {
      targets[r * steps + t] = BigInt(s.ids[t + 1])
      if (t + 1 >= s.completionStart) mask[r * steps + t] = 1
    }
  })
  return { rows, steps, inputIds, targets, mask, realRows: seqs.length }
}

/**
 * Per-token weights `w` such that `Σ w·ℓ` is the aggregated objective of spec §3:
 * token-mean `mask/Σmask`; sequence-mean `mask/(count_b · sequences with tokens)`;
 * constant-normalizer `mask/(realRows · maxLength)`.
 */
export function aggregationWeights (batch: PaddedBatch, mode: 'token-mean' | 'sequence-mean' | 'constant-normalizer', maxLength: number): Float32Array {
  const { rows, steps, mask } = batch
  const w = new Float32Array(rows * steps)
  if (mode === 'token-mean') {
    let total = 0
    for (let i = 0; i < mask.length; i++) total += mask[i]
    const inv = total > 0 ? 1 / total : 0
    for (let i = 0; i < mask.length; i++) w[i] = mask[i] * inv
    return w
  }
  if (mode === 'constant-normalizer') {
    const inv = 1 / (Math.max(batch.realRows, 1) * maxLength)
    for (let i = 0; i < mask.length; i++) w[i] = mask[i] * inv
    return w
  }
  const counts = new Array<number>(rows).fill(0)
  for (let r = 0; r < rows; r++) for (let t = 0; t < steps; t++) counts[r] += mask[r * steps + t]
  const nonEmpty = counts.filter(c => c > 0).length
  for (let r = 0; r < rows; r++) {
    if (counts[r] === 0) continue
    const inv = 1 / (counts[r] * nonEmpty)
    for (let t = 0; t < steps; t++) w[r * steps + t] = mask[r * steps + t] * inv
  }
  return w
}

/**
 * Reward-model runtime: scores (prompt, completion) pairs with any ONNX model whose I/O is
 * `input_ids`, `attention_mask` (int64 `[batch, seq]`) → `scores` (float `[batch]` or
 * `[batch, 1]`). Rows are `[bos] prompt completion [eos]`, right-padded with the pad id; a
 * static sequence dim in the model is honoured (rows pad to it), a symbolic one gets the
 * batch's longest row. Longer rows keep their last tokens.
 */
import * as ort from 'onnxruntime-node'
import { ortOptions, type ResolvedDevice } from '@murmur/graph'
import { InvalidArgumentError, type AbortOptions, throwIfAborted } from '@murmur/interface'
import { type Tokenizer, InferenceError } from '@murmur/policy'
import { encodePair, rightPadded } from '../batch.js'
import { TrainerClosedError } from '../errors.js'

/** One item to score. */
export interface RewardInput {
  prompt: string
  completion: string
}

/** Options of `createRewardModel`. */
export interface RewardModelInit {
  /** ONNX model bytes with the documented I/O. */
  model: Uint8Array
  tokenizer: Tokenizer
  /** Rows per run. Default 64. */
  batchSize?: number
  /** Longest row for models with a symbolic sequence dim. Default 512. */
  maxLength?: number
  /** onnxruntime intra-op threads. Default 1. */
  threads?: number
  /** Where the session runs (a resolved device, see graph's `resolveDevice`). Default cpu. */
  device?: ResolvedDevice
}

/** A loaded reward model. */
export interface RewardModel {
  /** One raw score per input, in order. */
  score(inputs: readonly RewardInput[], options?: AbortOptions): Promise<number[]>
  /** Releases the session; idempotent. */
  close(): Promise<void>
}

/** Loads a reward model; throws `InferenceError` when the model lacks the documented I/O. */
export async function createRewardModel (init: RewardModelInit): Promise<RewardModel> {
  const batchSize = init.batchSize ?? 64
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new InvalidArgumentError('batchSize', `must be a positive integer, got ${batchSize}`)
  let session: ort.InferenceSession
  try {
    session = await ort.InferenceSession.create(init.model, ortOptions({ intraOpThreads: init.threads ?? 1, device: init.device }))
  } catch (err) {
    throw new InferenceError(`cannot load reward model: ${(err as Error).message}`, { cause: err })
  }
  for (const name of ['input_ids', 'attention_mask']) {
    if (!session.inputNames.includes(name)) {
      await session.release()
      throw new InferenceError(`reward model has no "${name}" input (inputs: ${session.inputNames.join(', ')})`)
    }
  }
  if (!session.outputNames.includes('scores')) {
    await session.release()
    throw new InferenceError(`reward model has no "scores" output (outputs: ${session.outputNames.join(', ')})`)
  }
  const meta = session.inputMetadata.find(m => m.name === 'input_ids')
  const seqDim = meta !== undefined && meta.isTensor ? meta.shape[1] : undefined
  const batchDim = meta !== undefined && meta.isTensor ? meta.shape[0] : undefined
  const fixedLen = typeof seqDim === 'number' ? seqDim : undefined
  const fixedRows = typeof batchDim === 'number' ? batchDim : undefined
  const maxLen = fixedLen ?? init.maxLength ?? 512
  const { tokenizer } = init
  let closed = false
  let queue: Promise<unknown> = Promise.resolve()

  const runChunk = async (items: readonly RewardInput[]): Promise<number[]> => {
    const seqs = items.map(it => encodePair(tokenizer, it.prompt, it.completion).ids.slice(-maxLen))
    const steps = fixedLen ?? Math.max(1, ...seqs.map(s => s.length))
    const rows = fixedRows ?? seqs.length
    const { ids, mask } = rightPadded([...seqs, ...Array.from({ length: rows - seqs.length }, () => [])], steps, tokenizer.padId)
    let out
    try {
      out = await session.run({
        input_ids: new ort.Tensor('int64', ids, [rows, steps]),
        attention_mask: new ort.Tensor('int64', mask, [rows, steps])
      })
    } catch (err) {
      throw new InferenceError(`reward model run failed: ${(err as Error).message}`, { cause: err })
    }
    const data = out.scores.data as Float32Array | Float64Array
    if (data.length < seqs.length) throw new InferenceError(`reward model returned ${data.length} scores for ${seqs.length} rows`)
    const per = data.length / rows
    return seqs.map((_, r) => Number(data[r * per]))
  }

  return {
    async score (inputs, options = {}) {
      if (closed) throw new TrainerClosedError('reward model')
      const chunk = fixedRows ?? batchSize
      const job = queue.then(async () => {
        const out: number[] = []
        for (let i = 0; i < inputs.length; i += chunk) {
          throwIfAborted(options.signal)
          out.push(...await runChunk(inputs.slice(i, i + chunk)))
        }
        return out
      })
      queue = job.catch(() => undefined)
      return await job
    },
    async close () {
      if (closed) return
      closed = true
      await queue
      await session.release()
    }
  }
}

/**
 * The policy trainer: takes groups of (prompt, completions, advantages), tokenizes them with
 * the local tokenizer, computes π_old log-probs with the current policy (inside the step itself
 * when there is one epoch of one minibatch), and runs `epochs` passes of shuffled minibatches
 * through the clipped-surrogate train-step graph. Weights,
 * AdamW moments, the step counter and the shuffling RNG live here and checkpoint through
 * `exportState()` / `importState()`.
 */
import { createRng, InvalidArgumentError, throwIfAborted, type AbortOptions } from '@murmur/interface'
import type { ChatTemplate, ModelConfig, Tokenizer, Weights } from '@murmur/policy'
import { aggregationWeights, bucketSteps, encodePair, padBatch, type EncodedSequence, type PaddedBatch } from './batch.js'
import { InvalidTrainingBatchError, TrainerClosedError } from './errors.js'
import { createStepEngine, type StepEngine, type StepStats } from './step-engine.js'
import { decodeTrainerState, encodeTrainerState, type TrainerState } from './state.js'
import { resolveTrainerConfig, type TrainerConfig, type TrainerConfigInit } from './trainer-config.js'

/** One group of a training batch: a prompt, its completions and their advantages. */
export interface TrainingGroup {
  prompt: string
  completions: readonly string[]
  advantages: readonly number[]
  /** Per completion: true when generation stopped at the token limit (no EOS is appended). */
  truncated?: readonly boolean[]
  /**
   * Per completion (optional): importance weights `w_t` of its trained tokens in order —
   * the completion's tokens, then its EOS when one is appended — multiplying each token's
   * clipped surrogate (docs/spec/algorithms.md §1.1, truncated IS; no gradient flows through them).
   * Missing arrays or entries mean 1; finite and ≥ 0, at most one per trained token.
   */
  tokenWeights?: ReadonlyArray<readonly number[] | undefined>
}

/** Statistics of one `train()` call (means over its minibatch steps; 0 when no step ran). */
export interface TrainStats extends Pick<StepStats, 'loss' | 'clipFraction' | 'approxKl' | 'refKl' | 'entropy' | 'gradNorm'> {
  /** Optimizer steps taken (0 when the batch was skipped). */
  steps: number
  /**
   * Why no step ran, when none did: `no-usable-sequences` (no completion survived filtering,
   * e.g. every completion fills the context). The weights, optimizer and RNG are untouched.
   */
  skipped?: 'no-usable-sequences'
  sequences: number
  tokens: number
  /** Per step, in order (the first step of the first epoch has ratio 1 exactly: approxKl 0). */
  perStep: StepStats[]
  ms: number
}

/** One supervised example for `sft()`: the loss covers the completion and its EOS. */
export interface SftExample {
  prompt: string
  completion: string
}

/** Statistics of one `sft()` step. */
export interface SftStats {
  loss: number
  gradNorm: number
  tokens: number
}

/** Options of `createTrainer`. */
export interface TrainerInit extends TrainerConfigInit {
  config: ModelConfig
  weights: Weights
  tokenizer: Tokenizer
  /** Reference policy for the k3 KL (only used when `beta > 0`); default the initial weights. */
  refWeights?: Weights
  /**
   * Run the onnxruntime sessions in a worker thread (default true; one per trainer). `false`
   * runs them on the caller's thread: callers that host many trainers in one process share that
   * thread as one onnxruntime executor.
   */
  worker?: boolean
  /** onnxruntime's per-session memory arena (default true); off where a process hosts many trainers. */
  memoryArena?: boolean
  /** The chat template the policy wraps prompts in (must match the policy's `chatTemplate`). */
  chatTemplate?: ChatTemplate
}

/** A policy trainer bound to one model. */
export interface Trainer {
  /** The resolved hyper-parameters. */
  readonly options: TrainerConfig
  /** Optimizer steps taken so far (restored by `importState`). */
  readonly step: number
  /** One RL update on a batch of groups. */
  train(groups: readonly TrainingGroup[], options?: AbortOptions): Promise<TrainStats>
  /** One cross-entropy step on supervised examples (at most `minibatchSize` of them). */
  sft(examples: readonly SftExample[], options?: AbortOptions & { learningRate?: number }): Promise<SftStats>
  /** Teacher-forced log-probs of each completion token (EOS included) under the current policy. */
  logprobs(pairs: readonly SftExample[], options?: AbortOptions): Promise<number[][]>
  /** A copy of the current weights (they live where the steps run: on WebGPU, in GPU buffers). */
  weights(): Promise<Weights>
  /** Weights, optimizer moments, step and RNG state, for the store to persist. */
  exportState(): Promise<TrainerState>
  /** Restores what `exportState` returned; the next step then equals the one that would have followed. */
  importState(state: TrainerState): Promise<void>
  /** Where the weights and moments live between steps: `device` (GPU buffers) or `host` memory, by tensor name. */
  placement(): Promise<Record<string, 'host' | 'device'>>
  /** Releases the onnxruntime sessions; idempotent. */
  close(): Promise<void>
}

/** Creates a trainer. Graphs are built lazily per (rows × steps) bucket and cached. */
export function createTrainer (init: TrainerInit): Trainer {
  const options = resolveTrainerConfig(init)
  const { config, tokenizer } = init
  const rng = createRng(options.seed)
  let closed = false
  const engine: StepEngine = createStepEngine({ config, weights: init.weights, refWeights: init.refWeights, options, worker: init.worker, memoryArena: init.memoryArena })
  const assertOpen = (): void => { if (closed) throw new TrainerClosedError() }

  const encode = (prompt: string, completion: string, truncated: boolean): EncodedSequence | undefined => {
    const s = encodePair(tokenizer, prompt, completion, truncated, init.chatTemplate)
    if (s.ids.length <= config.nCtx) return s
    const cut = s.ids.length - config.nCtx
    if (cut >= s.completionStart) return undefined // the prompt alone fills the context
    // Keep the end of the prompt: the completion and its immediate context matter most.
    return { ids: s.ids.slice(cut), completionStart: s.completionStart - cut }
  }

  const toBatch = (seqs: readonly EncodedSequence[]): PaddedBatch => {
    const longest = seqs.reduce((m, s) => Math.max(m, s.ids.length), 1)
    return padBatch(seqs, seqs.length, bucketSteps(longest, config.nCtx), tokenizer.padId)
  }

  return {
    options,
    get step () { return engine.step },

    async train (groups, opts = {}) {
      assertOpen()
      const t0 = performance.now()
      const seqs: EncodedSequence[] = []
      const advs: number[] = []
      const tws: Array<readonly number[] | undefined> = []
      groups.forEach((g, gi) => {
        if (g.completions.length !== g.advantages.length) {
          throw new InvalidTrainingBatchError(`group ${gi} has ${g.completions.length} completions but ${g.advantages.length} advantages`)
        }
        g.completions.forEach((c, i) => {
          const a = g.advantages[i]
          if (!Number.isFinite(a)) throw new InvalidTrainingBatchError(`group ${gi} completion ${i} has a non-finite advantage`)
          const s = encode(g.prompt, c, g.truncated?.[i] === true)
          const tw = g.tokenWeights?.[i]
          if (tw !== undefined && (tw.length > (s?.ids.length ?? Infinity) - (s?.completionStart ?? 0) || tw.some(x => !(Number.isFinite(x) && x >= 0)))) {
            throw new InvalidTrainingBatchError(`group ${gi} completion ${i}: tokenWeights must be finite, ≥ 0 and at most one per trained token`)
          }
          if (s === undefined) return
          seqs.push(s)
          advs.push(a)
          tws.push(tw)
        })
      })
      if (seqs.length === 0) return { ...emptyStats(), skipped: 'no-usable-sequences', ms: performance.now() - t0 }
      // π_old: the current policy. With one epoch of one minibatch the only step is taken at π_old,
      // so the step graph uses its own log-probs (onPolicy) and no separate pass runs; otherwise
      // π_old is computed once per minibatch of the first epoch's order.
      const order = seqs.map((_, i) => i)
      const chunks = (idx: number[]): number[][] => {
        const out: number[][] = []
        for (let i = 0; i < idx.length; i += options.minibatchSize) out.push(idx.slice(i, i + options.minibatchSize))
        return out
      }
      const onPolicy = options.epochs === 1 && order.length <= options.minibatchSize
      const oldLogp: Float32Array[] = new Array(seqs.length)
      if (!onPolicy) {
        for (const chunk of chunks(order)) {
          throwIfAborted(opts.signal)
          const batch = toBatch(chunk.map(i => seqs[i]))
          const lp = await engine.logprobs(batch, opts)
          chunk.forEach((seqIdx, r) => { oldLogp[seqIdx] = lp.subarray(r * batch.steps, (r + 1) * batch.steps).slice() })
        }
      }
      const perStep: StepStats[] = []
      let tokens = 0
      for (let epoch = 0; epoch < options.epochs; epoch++) {
        // Epoch 0 keeps the π_old minibatches (same rows, same shapes): its first step sees ratio 1 exactly.
        for (const chunk of chunks(epoch === 0 ? order : rng.shuffle(order))) {
          throwIfAborted(opts.signal)
          const batch = toBatch(chunk.map(i => seqs[i]))
          const old = onPolicy ? undefined : new Float32Array(batch.rows * batch.steps)
          if (old !== undefined) chunk.forEach((seqIdx, r) => { old.set(oldLogp[seqIdx].subarray(0, batch.steps), r * batch.steps) })
          const adv = new Float32Array(batch.rows)
          chunk.forEach((seqIdx, r) => { adv[r] = advs[seqIdx] })
          const weights = aggregationWeights(batch, options.aggregation, options.maxCompletionTokens ?? batch.steps)
          const tokenWeights = chunk.some(i => tws[i] !== undefined) ? placeTokenWeights(batch, chunk.map(i => ({ seq: seqs[i], weights: tws[i] }))) : undefined
          const stats = await engine.policyStep(batch, { oldLogp: old, advantages: adv, weights, tokenWeights }, opts)
          perStep.push(stats)
          if (epoch === 0) for (let i = 0; i < batch.mask.length; i++) tokens += batch.mask[i]
        }
      }
      const mean = (k: keyof StepStats): number => perStep.reduce((s, x) => s + x[k], 0) / perStep.length
      return {
        steps: perStep.length,
        sequences: seqs.length,
        tokens,
        loss: mean('loss'),
        clipFraction: mean('clipFraction'),
        approxKl: mean('approxKl'),
        refKl: mean('refKl'),
        entropy: mean('entropy'),
        gradNorm: mean('gradNorm'),
        perStep,
        ms: performance.now() - t0
      }
    },

    async sft (examples, opts = {}) {
      assertOpen()
      if (examples.length === 0) throw new InvalidTrainingBatchError('sft() needs at least one example')
      if (examples.length > options.minibatchSize) {
        throw new InvalidArgumentError('examples', `at most minibatchSize (${options.minibatchSize}) examples per sft() step, got ${examples.length}`)
      }
      const seqs = examples.map(e => encode(e.prompt, e.completion, false)).filter((s): s is EncodedSequence => s !== undefined)
      if (seqs.length === 0) throw new InvalidTrainingBatchError('no example fits the context')
      const batch = toBatch(seqs)
      const weights = aggregationWeights(batch, 'token-mean', batch.steps)
      let tokens = 0
      for (let i = 0; i < batch.mask.length; i++) tokens += batch.mask[i]
      const s = await engine.sftStep(batch, weights, { ...opts, learningRate: opts.learningRate })
      return { loss: s.loss, gradNorm: s.gradNorm, tokens }
    },

    async logprobs (pairs, opts = {}) {
      assertOpen()
      const out: number[][] = []
      for (let i = 0; i < pairs.length; i += options.minibatchSize) {
        const part = pairs.slice(i, i + options.minibatchSize)
        const seqs = part.map(p => encode(p.prompt, p.completion, false) ?? { ids: [tokenizer.padId], completionStart: 1 })
        const batch = toBatch(seqs)
        const lp = await engine.logprobs(batch, opts)
        seqs.forEach((s, r) => {
          const row: number[] = []
          for (let t = s.completionStart - 1; t + 1 < s.ids.length; t++) row.push(lp[r * batch.steps + t])
          out.push(row)
        })
      }
      return out
    },

    weights: async () => {
      assertOpen()
      return await engine.weights()
    },

    async exportState () {
      assertOpen()
      const rngState = rng.getState()
      return encodeTrainerState(config, await engine.exportOptimizer(), rngState)
    },

    async importState (state) {
      assertOpen()
      const decoded = decodeTrainerState(config, state)
      await engine.importOptimizer(decoded.optimizer)
      rng.setState(decoded.rng)
    },

    placement: async () => await engine.placement(),

    async close () {
      if (closed) return
      closed = true
      await engine.close()
    }
  }
}

function emptyStats (): TrainStats {
  return { steps: 0, sequences: 0, tokens: 0, loss: 0, clipFraction: 0, approxKl: 0, refKl: 0, entropy: 0, gradNorm: 0, perStep: [], ms: 0 }
}

/** `[rows, steps]` weights: row r's trained positions (completionStart − 1 onwards) take its weights, the rest 1. */
function placeTokenWeights (batch: PaddedBatch, rows: ReadonlyArray<{ seq: EncodedSequence, weights: readonly number[] | undefined }>): Float32Array {
  const out = new Float32Array(batch.rows * batch.steps).fill(1)
  rows.forEach(({ seq, weights }, r) => {
    weights?.forEach((w, k) => {
      const t = seq.completionStart - 1 + k
      if (t < batch.steps) out[r * batch.steps + t] = w
    })
  })
  return out
}

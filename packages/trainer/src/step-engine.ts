/**
 * Owns the trainable state (weights, AdamW moments, step) and the onnxruntime sessions of the
 * train-step and log-prob graphs, one per (kind, steps) bucket — the rows are a symbolic dim
 * (`ROWS_DIM`), so a batch pays for its own rows and no row count builds another graph — built
 * on first use and cached. Sessions run in worker threads so the caller's event loop stays responsive; a step
 * moves the parameters and moments into its worker and takes the updated ones back (transferred
 * both ways, never copied), so they are not readable while a step is in flight.
 */
import { createSession, createSessionWorker, FUSED_UPDATE_MAX_ELEMENTS, tensor, type Session, type TensorMap } from '@murmur/graph'
import type { AbortOptions } from '@murmur/interface'
import { modelParamSpecs, type ModelConfig, validateModelWeights, type Weights } from '@murmur/policy'
import { adamWState, feedAdamW, readAdamW, type AdamWTensors } from './adamw-io.js'
import type { PaddedBatch } from './batch.js'
import { learningRateAt } from './lr-schedule.js'
import type { TrainerConfig } from './trainer-config.js'
import { InvalidTrainerStateError } from './errors.js'
import type { OptimizerSnapshot } from './state.js'
import { buildLogprobGraph, buildStepGraph, ROWS_DIM } from './step-graph.js'

/** Statistics of one optimizer step. */
export interface StepStats {
  loss: number
  clipFraction: number
  approxKl: number
  refKl: number
  entropy: number
  gradNorm: number
  learningRate: number
  /** The optimizer step this was (1-based). */
  step: number
}

/** Per-sequence inputs of a policy step, row-major like the batch. */
export interface PolicyFeeds {
  /** π_old's log-probs; undefined = the policy being stepped is π_old (the step graph's `onPolicy`). */
  oldLogp?: Float32Array
  advantages: Float32Array
  weights: Float32Array
  /** Per-token importance weights of the clipped surrogate (spec §1.1); default all 1. */
  tokenWeights?: Float32Array
}

/** The engine behind `Trainer` (and `pretrain`). */
export interface StepEngine {
  readonly step: number
  logprobs(batch: PaddedBatch, options?: AbortOptions, weights?: Weights): Promise<Float32Array>
  policyStep(batch: PaddedBatch, feeds: PolicyFeeds, options?: AbortOptions): Promise<StepStats>
  sftStep(batch: PaddedBatch, weights: Float32Array, options?: AbortOptions & { learningRate?: number }): Promise<StepStats>
  weights(): Weights
  exportOptimizer(): OptimizerSnapshot
  importOptimizer(s: OptimizerSnapshot): void
  close(): Promise<void>
}

/** Options of `createStepEngine`. */
export interface StepEngineInit {
  config: ModelConfig
  weights: Weights
  refWeights?: Weights
  options: TrainerConfig
  /** Run sessions in worker threads (default true). */
  worker?: boolean
  /** onnxruntime's per-session memory arena (default true; see @murmur/graph's `SessionOptions`). */
  memoryArena?: boolean
}

/** Creates the engine; the weights are copied. */
export function createStepEngine (init: StepEngineInit): StepEngine {
  const { config, options } = init
  const specs = modelParamSpecs(config)
  // Small models keep parameters and moments in one flat buffer each (see adamw-io.ts).
  const flat = specs.reduce((n, s) => n + s.shape.reduce((a, d) => a * d, 1), 0) <= FUSED_UPDATE_MAX_ELEMENTS
  const initial = validateModelWeights(config, init.weights, true)
  let state: AdamWTensors = adamWState(specs, { weights: initial, m: zerosLike(initial), v: zerosLike(initial) }, flat)
  let step = 0
  const ref = options.beta > 0 ? validateModelWeights(config, init.refWeights ?? init.weights, true) : undefined
  const sessions = new Map<string, Promise<Session>>()
  const useWorker = init.worker ?? true
  // A step whose state is inside the worker (see `runStep`), and why the state is gone if a step failed there.
  let inFlight: Promise<unknown> | undefined
  let lost: Error | undefined
  const settled = async (): Promise<void> => {
    while (inFlight !== undefined) await inFlight.catch(() => {})
  }
  const readable = (what: string): void => {
    if (lost !== undefined) throw new InvalidTrainerStateError(`the trainable state was lost in a failed step (${lost.message}); importOptimizer() restores one`, { cause: lost })
    if (inFlight !== undefined) throw new InvalidTrainerStateError(`${what} while a train step is in flight`)
  }

  const session = async (key: string, build: () => Uint8Array): Promise<Session> => {
    let s = sessions.get(key)
    if (s === undefined) {
      const bytes = build()
      const sessionOptions = { intraOpThreads: options.threads, memoryArena: init.memoryArena, device: options.device }
      s = useWorker ? createSessionWorker(bytes, sessionOptions) : createSession(bytes, sessionOptions)
      sessions.set(key, s)
      s.catch(() => sessions.delete(key))
    }
    return await s
  }

  const paramFeeds = (w: Weights, into: TensorMap, prefix = ''): void => {
    for (const s of specs) into[prefix + s.name] = tensor('float32', s.shape, w[s.name])
  }
  const batchFeeds = (batch: PaddedBatch): TensorMap => ({
    input_ids: tensor('int64', [batch.rows, batch.steps], batch.inputIds),
    targets: tensor('int64', [batch.rows, batch.steps], batch.targets),
    mask: tensor('float32', [batch.rows, batch.steps], batch.mask)
  })
  const scalarOf = (out: TensorMap, name: string): number => out[name] === undefined ? 0 : (out[name].data as Float32Array)[0]

  const logprobs = async (batch: PaddedBatch, o: AbortOptions = {}, w?: Weights): Promise<Float32Array> => {
    const s = await session(`logp:${batch.steps}`, () => buildLogprobGraph(config, ROWS_DIM, batch.steps))
    const feeds = batchFeeds(batch)
    delete feeds.mask
    if (w === undefined) {
      await settled()
      readable('logprobs')
    }
    paramFeeds(w ?? state.weights, feeds)
    const out = await s.run(feeds, { signal: o.signal })
    return out.logp.data as Float32Array
  }

  const runStep = async (kind: 'policy' | 'sft', batch: PaddedBatch, extra: TensorMap, lrBase: number, o: AbortOptions, onPolicy = false): Promise<StepStats> => {
    const key = `${kind}${onPolicy ? '-on-policy' : ''}:${batch.steps}`
    const s = await session(key, () => buildStepGraph(config, {
      kind,
      onPolicy,
      rows: ROWS_DIM,
      steps: batch.steps,
      epsLow: options.epsLow,
      epsHigh: options.epsHigh,
      beta: kind === 'policy' ? options.beta : 0,
      beta1: options.beta1,
      beta2: options.beta2,
      adamEps: options.adamEps,
      weightDecay: options.weightDecay,
      maxGradNorm: options.maxGradNorm,
      flatState: flat
    }))
    await settled()
    readable('a step')
    o.signal?.throwIfAborted()
    const t = step + 1
    const lr = learningRateAt(t, lrBase, options)
    // In a worker every feed's buffer is transferred: the per-step inputs (small) are copies, so
    // the caller's arrays stay usable; the state's buffers move and come back as the outputs.
    const feeds: TensorMap = Object.fromEntries(Object.entries({ ...batchFeeds(batch), ...extra }).map(([k, v]) => [k, useWorker ? tensor(v.dtype, v.dims, v.data.slice()) : v]))
    feedAdamW(feeds, specs, state, lr, t)
    // With the state inside the worker the run is not abandoned on abort (that would lose the
    // state): the step finishes, is kept, and the abort is raised after it.
    const run = s.run(feeds, useWorker ? { transfer: true } : { signal: o.signal })
    inFlight = run
    let out: TensorMap
    try {
      out = await run
    } catch (err) {
      if (useWorker) lost = err as Error
      throw err
    } finally {
      inFlight = undefined
    }
    state = readAdamW(out, specs, flat)
    step = t
    if (useWorker) o.signal?.throwIfAborted()
    return {
      loss: scalarOf(out, 'loss'),
      clipFraction: scalarOf(out, 'clip_fraction'),
      approxKl: scalarOf(out, 'approx_kl'),
      refKl: scalarOf(out, 'ref_kl'),
      entropy: scalarOf(out, 'entropy'),
      gradNorm: scalarOf(out, 'grad_norm'),
      learningRate: lr,
      step: t
    }
  }

  return {
    get step () { return step },
    logprobs,

    async policyStep (batch, f, o = {}) {
      const extra: TensorMap = {
        weights: tensor('float32', [batch.rows, batch.steps], f.weights),
        advantages: tensor('float32', [batch.rows], f.advantages),
        token_weights: tensor('float32', [batch.rows, batch.steps], f.tokenWeights ?? new Float32Array(batch.rows * batch.steps).fill(1))
      }
      if (f.oldLogp !== undefined) extra.old_logp = tensor('float32', [batch.rows, batch.steps], f.oldLogp)
      if (ref !== undefined) extra.ref_logp = tensor('float32', [batch.rows, batch.steps], await logprobs(batch, o, ref))
      return await runStep('policy', batch, extra, options.learningRate, o, f.oldLogp === undefined)
    },

    async sftStep (batch, weights, o = {}) {
      const extra: TensorMap = { weights: tensor('float32', [batch.rows, batch.steps], weights) }
      return await runStep('sft', batch, extra, o.learningRate ?? options.learningRate, o)
    },

    weights: () => {
      readable('weights()')
      return copyWeights(state.weights)
    },

    exportOptimizer: () => {
      readable('exportOptimizer()')
      return { weights: copyWeights(state.weights), m: copyWeights(state.m), v: copyWeights(state.v), step }
    },

    importOptimizer (snap) {
      if (inFlight !== undefined) throw new InvalidTrainerStateError('importOptimizer() while a train step is in flight')
      try {
        state = adamWState(specs, {
          weights: validateModelWeights(config, snap.weights, true),
          m: validateModelWeights(config, snap.m, true),
          v: validateModelWeights(config, snap.v, true)
        }, flat)
      } catch (err) {
        throw new InvalidTrainerStateError((err as Error).message, { cause: err })
      }
      step = snap.step
      lost = undefined
    },

    async close () {
      const all = [...sessions.values()]
      sessions.clear()
      for (const s of all) {
        try {
          await (await s).close()
        } catch {
          // a session that failed to load has nothing to release
        }
      }
    }
  }
}

function zerosLike (w: Weights): Weights {
  return Object.fromEntries(Object.entries(w).map(([k, x]) => [k, new Float32Array(x.length)]))
}

function copyWeights (w: Weights): Weights {
  return Object.fromEntries(Object.entries(w).map(([k, x]) => [k, x.slice()]))
}

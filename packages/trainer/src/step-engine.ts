/**
 * Owns the trainable state (weights, AdamW moments, step) and the onnxruntime sessions of the
 * train-step and log-prob graphs, one per (kind, steps) bucket — the rows are a symbolic dim
 * (`ROWS_DIM`), so a batch pays for its own rows and no row count builds another graph — built
 * on first use and cached. All of them live in one session host (graph's `createSessionHost`,
 * a worker thread by default so the caller's event loop stays responsive), which also holds the
 * parameters and moments as carried tensors: a step sends only its batch and gets back its
 * statistics, and the state stays where the steps run — on WebGPU in GPU buffers. `weights()`
 * and `exportOptimizer()` copy it out. A failed step leaves the state as it was.
 */
import { createSessionHost, FUSED_UPDATE_MAX_ELEMENTS, tensor, type HostedSession, type SessionHost, type TensorMap } from '@murmur/graph'
import type { AbortOptions } from '@murmur/interface'
import { modelParamSpecs, type ModelConfig, validateModelWeights, type Weights } from '@murmur/policy'
import { adamWState, feedStep, stateNames, stateTensors, weightsFromTensors, weightTensors } from './adamw-io.js'
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
  /** A copy of the current weights. */
  weights(): Promise<Weights>
  /** A copy of the weights, moments and step. */
  exportOptimizer(): Promise<OptimizerSnapshot>
  /** Replaces the state (validated first: a bad snapshot changes nothing). */
  importOptimizer(s: OptimizerSnapshot): Promise<void>
  /** Where the carried state lives: `device` (GPU buffers) or `host` memory, by tensor name. */
  placement(): Promise<Record<string, 'host' | 'device'>>
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
  /** Parameters and moments as one flat buffer each; default for models up to `FUSED_UPDATE_MAX_ELEMENTS`. */
  flatState?: boolean
}

/** Creates the engine; the weights are copied. */
export function createStepEngine (init: StepEngineInit): StepEngine {
  const { config, options } = init
  const specs = modelParamSpecs(config)
  // Small models keep parameters and moments in one flat buffer each (see adamw-io.ts).
  const flat = init.flatState ?? specs.reduce((n, s) => n + s.shape.reduce((a, d) => a * d, 1), 0) <= FUSED_UPDATE_MAX_ELEMENTS
  const names = stateNames(specs, flat)
  const initial = validateModelWeights(config, init.weights, true)
  let step = 0
  const useWorker = init.worker ?? true
  const ref = options.beta > 0 ? weightTensors(specs, validateModelWeights(config, init.refWeights ?? init.weights, true), flat) : undefined
  const host: Promise<SessionHost> = (async () => {
    const h = await createSessionHost({ worker: useWorker, intraOpThreads: options.threads, memoryArena: init.memoryArena, device: options.device })
    try {
      await h.carry(stateTensors(specs, adamWState(specs, { weights: initial, m: zerosLike(initial), v: zerosLike(initial) }, flat)))
    } catch (err) {
      await h.close()
      throw err
    }
    return h
  })()
  host.catch(() => {}) // surfaced by the first call that needs it
  const sessions = new Map<string, Promise<HostedSession>>()
  // One operation on the state at a time, in call order: a read sees every step issued before it.
  let tail: Promise<unknown> = Promise.resolve()
  const exclusive = async <T>(job: () => Promise<T>): Promise<T> => {
    const run = tail.then(job, job)
    tail = run.catch(() => {})
    return await run
  }

  const session = async (key: string, build: () => Uint8Array, carries: readonly string[]): Promise<HostedSession> => {
    let s = sessions.get(key)
    if (s === undefined) {
      s = host.then(async h => await h.load(build(), carries))
      sessions.set(key, s)
      s.catch(() => sessions.delete(key))
    }
    return await s
  }

  const batchFeeds = (batch: PaddedBatch): TensorMap => ({
    input_ids: tensor('int64', [batch.rows, batch.steps], batch.inputIds),
    targets: tensor('int64', [batch.rows, batch.steps], batch.targets),
    mask: tensor('float32', [batch.rows, batch.steps], batch.mask)
  })
  const scalarOf = (out: TensorMap, name: string): number => out[name] === undefined ? 0 : (out[name].data as Float32Array)[0]

  // The log-probs under the current weights (carried), or under `w` (the reference policy).
  const logprobsUnder = async (batch: PaddedBatch, o: AbortOptions, w: TensorMap | undefined): Promise<Float32Array> => {
    const s = await session(`logp:${batch.steps}`, () => buildLogprobGraph(config, ROWS_DIM, batch.steps, flat), [])
    const feeds = batchFeeds(batch)
    delete feeds.mask
    if (w !== undefined) Object.assign(feeds, w)
    const out = await exclusive(async () => await s.run(feeds, { signal: o.signal, carry: w === undefined }))
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
    }), names.all)
    o.signal?.throwIfAborted()
    return await exclusive(async () => {
      const t = step + 1
      const lr = learningRateAt(t, lrBase, options)
      // A worker host takes the feeds' buffers (transferred, not cloned): hand it copies, so the
      // caller's arrays stay usable. An in-process host only reads them.
      const feeds: TensorMap = Object.fromEntries(Object.entries({ ...batchFeeds(batch), ...extra }).map(([k, v]) => [k, useWorker ? tensor(v.dtype, v.dims, v.data.slice()) : v]))
      feedStep(feeds, lr, t)
      // A step is not abandoned on abort: it finishes and is kept (the state and `step` stay in
      // agreement), and the abort is raised after it.
      const out = await s.run(feeds, { carry: true, transfer: useWorker })
      step = t
      o.signal?.throwIfAborted()
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
    })
  }

  const read = async (): Promise<OptimizerSnapshot> => await exclusive(async () => {
    const t = await (await host).read(names.all)
    return { weights: weightsFromTensors(specs, t, flat), m: weightsFromTensors(specs, t, flat, 'opt.m.'), v: weightsFromTensors(specs, t, flat, 'opt.v.'), step }
  })

  return {
    get step () { return step },
    logprobs: async (batch, o = {}, w) => await logprobsUnder(batch, o, w === undefined ? undefined : weightTensors(specs, w, flat)),

    async policyStep (batch, f, o = {}) {
      const extra: TensorMap = {
        weights: tensor('float32', [batch.rows, batch.steps], f.weights),
        advantages: tensor('float32', [batch.rows], f.advantages),
        token_weights: tensor('float32', [batch.rows, batch.steps], f.tokenWeights ?? new Float32Array(batch.rows * batch.steps).fill(1))
      }
      if (f.oldLogp !== undefined) extra.old_logp = tensor('float32', [batch.rows, batch.steps], f.oldLogp)
      if (ref !== undefined) extra.ref_logp = tensor('float32', [batch.rows, batch.steps], await logprobsUnder(batch, o, ref))
      return await runStep('policy', batch, extra, options.learningRate, o, f.oldLogp === undefined)
    },

    async sftStep (batch, weights, o = {}) {
      const extra: TensorMap = { weights: tensor('float32', [batch.rows, batch.steps], weights) }
      return await runStep('sft', batch, extra, o.learningRate ?? options.learningRate, o)
    },

    weights: async () => await exclusive(async () => weightsFromTensors(specs, await (await host).read(names.weights), flat)),

    exportOptimizer: read,

    async importOptimizer (snap) {
      let tensors: TensorMap
      try {
        tensors = stateTensors(specs, adamWState(specs, {
          weights: validateModelWeights(config, snap.weights, true),
          m: validateModelWeights(config, snap.m, true),
          v: validateModelWeights(config, snap.v, true)
        }, flat))
      } catch (err) {
        throw new InvalidTrainerStateError((err as Error).message, { cause: err })
      }
      await exclusive(async () => {
        await (await host).carry(tensors)
        step = snap.step
      })
    },

    placement: async () => await (await host).placement(),

    async close () {
      // The host releases its sessions with the state (GPU buffers before the sessions they came from).
      sessions.clear()
      await (await host.catch(() => undefined))?.close()
    }
  }
}

function zerosLike (w: Weights): Weights {
  return Object.fromEntries(Object.entries(w).map(([k, x]) => [k, new Float32Array(x.length)]))
}

/**
 * Train-step graphs: the gpt forward (model-graph.ts, the same definition inference uses), the
 * loss (loss.ts), its gradient by graph's `grad`, global-norm clipping and AdamW (graph's
 * `appendUpdate`), all in one ONNX model. Inputs: parameters (by name), `opt.m.<name>`,
 * `opt.v.<name>`, `lr`, `step` (int64, 1-based), `input_ids`, `targets`, `mask`, `weights`
 * and, for the policy loss, `old_logp` (unless `onPolicy`), `advantages`, `token_weights` (and
 * `ref_logp` when β > 0). Outputs: `<name>.next`, `opt.m.<name>.next`, `opt.v.<name>.next`, `loss`,
 * `grad_norm`, `logp` and the loss's statistics. With `flatState` the parameters and moments are
 * one buffer each instead (`params`, `opt.m.params`, `opt.v.params`, see adamw-io.ts). With
 * `optimizer: false` the graph outputs `grad.<name>` instead (gradient checks). The log-prob
 * graph is the same forward without loss or update.
 */
import { adamw, appendUpdate, flatParamInput, grad, graphBuilder, type Dim, type FlatParams, type GraphBuilder, type Value } from '@murmur/graph'
import { modelParamSpecs, type ModelConfig, OPSET, buildModelForward, modelParamInputs, trainPositions, type GptParams } from '@murmur/policy'
import { FLAT_PARAMS } from './adamw-io.js'
import { crossEntropyLoss, maskedEntropy, policyObjectiveLoss, tokenLogprobs } from './loss.js'

/** The trainer's graphs take any number of rows: their batch dim is this symbolic dim. */
export const ROWS_DIM = 'rows'

/** What one step graph computes. */
export interface StepGraphSpec {
  kind: 'policy' | 'sft'
  /** Batch rows: a count, or a symbolic dim name (`ROWS_DIM`: one graph for every row count). */
  rows: Dim
  steps: number
  epsLow?: number
  epsHigh?: number
  /**
   * Policy steps: π_old is the policy being stepped, so the ratio's denominator is the step's
   * own log-probs with the gradient stopped (ratio 1 exactly) and there is no `old_logp`
   * input. Right for the first step after the policy last changed — one epoch of one
   * minibatch, the node's default — where a separate π_old pass would compute the same
   * numbers; the gradient is the same A·∇log π. Default false.
   */
  onPolicy?: boolean
  beta?: number
  beta1?: number
  beta2?: number
  adamEps?: number
  weightDecay?: number
  /** 0 disables clipping. Default 1. */
  maxGradNorm?: number
  /** False: output gradients instead of applying AdamW. Default true. */
  optimizer?: boolean
  /**
   * Parameters and AdamW moments as one flat buffer each (graph's `flatParamInput`): three
   * inputs and outputs instead of three per parameter, one update kernel chain. Default false.
   */
  flatState?: boolean
  dtype?: 'float32' | 'float64'
}

/** Optimizer hyper-parameters shared by the policy and reward-model steps. */
export type UpdateSpec = Pick<StepGraphSpec, 'beta1' | 'beta2' | 'adamEps' | 'weightDecay' | 'maxGradNorm' | 'optimizer'> & { flat?: FlatParams }

/**
 * Finishes a train step on `g`: with `optimizer: false` outputs `grad.<name>` for each
 * parameter, else appends clipping and AdamW (see graph's `appendUpdate`).
 */
export function finishStep (g: GraphBuilder, loss: Value, params: GptParams, spec: UpdateSpec): void {
  const names = Object.keys(params)
  const values = names.map(n => params[n])
  if (spec.optimizer === false) {
    const grads = grad(g, loss, values)
    names.forEach((n, i) => g.output(`grad.${n}`, grads[i]))
    return
  }
  const maxNorm = spec.maxGradNorm ?? 1
  appendUpdate(g, loss, values, {
    optimizer: adamw({ beta1: spec.beta1, beta2: spec.beta2, eps: spec.adamEps, weightDecay: spec.weightDecay ?? 0 }),
    clipNorm: maxNorm > 0 ? maxNorm : undefined,
    flat: spec.flat
  })
}

/**
 * Model bytes of the forward-only `input_ids, targets [rows, steps] → logp [rows, steps]` (π_old
 * and π_ref); parameters are inputs, one flat `params` buffer when `flat` (as the step graphs'
 * flat state, so both feed on the same carried tensor).
 */
export function buildLogprobGraph (config: ModelConfig, rows: Dim, steps: number, flat = false): Uint8Array {
  const g = graphBuilder({ name: 'murmur-logprobs', opset: OPSET })
  const specs = modelParamSpecs(config)
  const fp = flat ? flatParamInput(g, FLAT_PARAMS, specs, 'float32') : undefined
  const p: GptParams = fp === undefined ? modelParamInputs(g, config) : Object.fromEntries(specs.map((s, i) => [s.name, fp.params[i]]))
  const ids = g.input('input_ids', 'int64', [rows, steps])
  const targets = g.input('targets', 'int64', [rows, steps])
  const { logits } = buildModelForward(g, config, p, { inputIds: ids, positionIds: trainPositions(g, steps) })
  g.output('logp', tokenLogprobs(g, logits, targets).logp)
  return g.toModelProto()
}

/** Builds the ONNX model bytes of a train step. */
export function buildStepGraph (config: ModelConfig, spec: StepGraphSpec): Uint8Array {
  const dtype = spec.dtype ?? 'float32'
  const g = graphBuilder({ name: `murmur-${spec.kind}-step`, opset: OPSET })
  const specs = modelParamSpecs(config)
  const flat = spec.flatState === true && spec.optimizer !== false ? flatParamInput(g, FLAT_PARAMS, specs, dtype) : undefined
  const p: GptParams = flat === undefined ? modelParamInputs(g, config, dtype) : Object.fromEntries(specs.map((s, i) => [s.name, flat.params[i]]))
  const B = spec.rows
  const T = spec.steps
  const ids = g.input('input_ids', 'int64', [B, T])
  const targets = g.input('targets', 'int64', [B, T])
  const mask = g.input('mask', dtype, [B, T])
  const weights = g.input('weights', dtype, [B, T])
  const { logits } = buildModelForward(g, config, p, { inputIds: ids, positionIds: trainPositions(g, T) })
  const { logp, logpAll } = tokenLogprobs(g, logits, targets)
  let loss: Value
  if (spec.kind === 'policy') {
    const beta = spec.beta ?? 0
    const l = policyObjectiveLoss(g, {
      logp,
      oldLogp: spec.onPolicy === true ? g.stopGradient(logp) : g.input('old_logp', dtype, [B, T]),
      refLogp: beta > 0 ? g.input('ref_logp', dtype, [B, T]) : undefined,
      advantages: g.input('advantages', dtype, [B]),
      tokenWeights: g.input('token_weights', dtype, [B, T]),
      weights,
      mask
    }, { epsLow: spec.epsLow ?? 0.2, epsHigh: spec.epsHigh ?? 0.28, beta })
    loss = l.loss
    g.output('clip_fraction', l.clipFraction)
    g.output('approx_kl', l.approxKl)
    if (l.refKl !== undefined) g.output('ref_kl', l.refKl)
  } else {
    loss = crossEntropyLoss(g, logp, weights)
  }
  g.output('loss', loss)
  g.output('entropy', maskedEntropy(g, logpAll, mask))
  g.output('logp', g.identity(logp))
  finishStep(g, loss, p, { ...spec, flat })
  return g.toModelProto()
}

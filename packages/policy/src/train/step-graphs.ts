/**
 * Train-step graphs: forward (forward.ts), loss and its gradient with respect to the logits,
 * the reverse pass (backward.ts), global-norm clipping and AdamW, all in one ONNX model.
 * Inputs: parameters (by name), `m.<name>`, `v.<name>`, `lr`, `step` (1-based, for bias
 * correction), `input_ids`, `targets`, `mask`, `weights` and, for the policy loss,
 * `old_logp`, `advantages` (and `ref_logp` when β > 0). Outputs: `<name>.next`,
 * `m.<name>.next`, `v.<name>.next`, `loss`, `grad_norm`, `logp` and the loss's statistics.
 * With `optimizer: false` the graph outputs `grad.<name>` instead (gradient checks).
 */
import { graphBuilder, NEXT_SUFFIX, tensor, type GraphBuilder, type Value } from '@murmur/graph'
import { paramSpecs, type GptConfig } from '../config.js'
import { OPSET } from '../constants.js'
import { gptBackward, type Grads } from './backward.js'
import { declareParams, gptForward, gptLogits, type ParamValues } from './forward.js'
import { maskedEntropy, policyObjectiveLoss, tokenLogprobs } from './loss.js'
import { LOG_RATIO_CLAMP } from './reference.js'

/** What one step graph computes. */
export interface StepGraphSpec {
  kind: 'policy' | 'sft'
  rows: number
  steps: number
  epsLow?: number
  epsHigh?: number
  beta?: number
  beta1?: number
  beta2?: number
  adamEps?: number
  weightDecay?: number
  /** 0 disables clipping. */
  maxGradNorm?: number
  /** False: output gradients instead of applying AdamW. Default true. */
  optimizer?: boolean
  dtype?: 'float32' | 'float64'
}

/** Builds the ONNX model bytes of a train step. */
export function buildStepGraph (config: GptConfig, spec: StepGraphSpec): Uint8Array {
  const dtype = spec.dtype ?? 'float32'
  const g = graphBuilder({ name: `murmur-${spec.kind}-step`, opset: OPSET })
  const p = declareParams(g, config, dtype)
  const B = spec.rows
  const T = spec.steps
  const ids = g.input('input_ids', 'int64', [B, T])
  const targets = g.input('targets', 'int64', [B, T])
  const mask = g.input('mask', dtype, [B, T])
  const weights = g.input('weights', dtype, [B, T])
  const tape = gptForward(g, config, p, ids)
  const logits = gptLogits(g, tape)
  const { logp, logpAll } = tokenLogprobs(g, logits, targets)
  let dlogp: Value
  if (spec.kind === 'policy') {
    const oldLogp = g.input('old_logp', dtype, [B, T])
    const advantages = g.input('advantages', dtype, [B])
    const beta = spec.beta ?? 0
    const refLogp = beta > 0 ? g.input('ref_logp', dtype, [B, T]) : undefined
    const o = { epsLow: spec.epsLow ?? 0.2, epsHigh: spec.epsHigh ?? 0.28, beta }
    const l = policyObjectiveLoss(g, { logp, oldLogp, refLogp, advantages, weights, mask }, o)
    g.output('loss', l.loss)
    g.output('clip_fraction', l.clipFraction)
    g.output('approx_kl', l.approxKl)
    if (l.refKl !== undefined) g.output('ref_kl', l.refKl)
    dlogp = g.scope('policy_grad', () => {
      // d objective / d logp: ρA where the unclipped branch is active and the log-ratio is not clamped.
      const raw = g.sub(logp, oldLogp)
      const ratio = g.exp(g.clip(raw, -LOG_RATIO_CLAMP, LOG_RATIO_CLAMP))
      const adv = g.unsqueeze(advantages, [1])
      const unclipped = g.mul(ratio, adv)
      const clippedObj = g.mul(g.clip(ratio, 1 - o.epsLow, 1 + o.epsHigh), adv)
      const active = g.cast(g.and(g.not(g.less(clippedObj, unclipped)), g.less(g.abs(raw), LOG_RATIO_CLAMP)), dtype)
      let dobj = g.mul(unclipped, active)
      if (refLogp !== undefined) {
        const rawKl = g.sub(refLogp, logp)
        const inRange = g.cast(g.less(g.abs(rawKl), LOG_RATIO_CLAMP), dtype)
        const dd = g.clip(rawKl, -LOG_RATIO_CLAMP, LOG_RATIO_CLAMP)
        dobj = g.add(dobj, g.mul(g.mul(g.sub(g.exp(dd), 1), inRange), beta))
      }
      return g.neg(g.mul(dobj, weights))
    })
  } else {
    g.output('loss', g.neg(g.reduceSum(g.mul(logp, weights))))
    dlogp = g.neg(weights)
  }
  g.output('entropy', maskedEntropy(g, logpAll, mask))
  g.output('logp', g.identity(logp))
  const dlogits = g.scope('logits_grad', () => {
    const V = config.vocabSize
    const vocab = g.constant(tensor('int64', [1, 1, V], Array.from({ length: V }, (_, i) => i)), 'vocab_ids')
    const onehot = g.cast(g.equal(g.unsqueeze(targets, [2]), vocab), dtype)
    return g.mul(g.unsqueeze(dlogp, [2]), g.sub(onehot, g.exp(logpAll)))
  })
  const grads = gptBackward(g, tape, { dlogits })
  if (spec.optimizer === false) {
    for (const s of paramSpecs(config)) g.output(`grad.${s.name}`, grads[s.name])
  } else {
    applyAdamW(g, paramSpecs(config), p, grads, spec, dtype)
  }
  return g.toModelProto()
}

/** Global-norm clipping and AdamW with decoupled weight decay; emits the `.next` outputs. */
export function applyAdamW (g: GraphBuilder, specs: ReadonlyArray<{ name: string, shape: readonly number[] }>, p: ParamValues, grads: Grads, spec: StepGraphSpec, dtype: 'float32' | 'float64', prefix = ''): void {
  const b1 = spec.beta1 ?? 0.9
  const b2 = spec.beta2 ?? 0.999
  const eps = spec.adamEps ?? 1e-8
  const wd = spec.weightDecay ?? 0
  const maxNorm = spec.maxGradNorm ?? 1
  g.scope('adamw', () => {
    const lr = g.input('lr', dtype, [])
    const step = g.input('step', dtype, [])
    const sq = specs.map(s => g.reduceSum(g.mul(grads[s.name], grads[s.name])))
    const total = sq.reduce((a, b) => g.add(a, b))
    const norm = g.sqrt(total)
    g.output('grad_norm', g.identity(norm))
    const coef = maxNorm > 0 ? g.min(g.div(maxNorm, g.add(norm, 1e-6)), 1) : undefined
    const bc1 = g.sub(1, g.pow(g.scalar(b1, dtype), step))
    const bc2 = g.sub(1, g.pow(g.scalar(b2, dtype), step))
    const stepSize = g.div(lr, bc1)
    const sqrtBc2 = g.sqrt(bc2)
    for (const s of specs) {
      g.scope(s.name, () => {
        const grad = coef === undefined ? grads[s.name] : g.mul(grads[s.name], coef)
        const m = g.input(`${prefix}m.${s.name}`, dtype, s.shape)
        const v = g.input(`${prefix}v.${s.name}`, dtype, s.shape)
        const m2 = g.add(g.mul(m, b1), g.mul(grad, 1 - b1))
        const v2 = g.add(g.mul(v, b2), g.mul(g.mul(grad, grad), 1 - b2))
        const denom = g.add(g.div(g.sqrt(v2), sqrtBc2), eps)
        let param = p[s.name]
        if (wd > 0) param = g.mul(param, g.sub(1, g.mul(lr, wd)))
        const next = g.sub(param, g.mul(g.div(m2, denom), stepSize))
        g.output(`${prefix}${s.name}${NEXT_SUFFIX}`, next)
        g.output(`${prefix}m.${s.name}${NEXT_SUFFIX}`, m2)
        g.output(`${prefix}v.${s.name}${NEXT_SUFFIX}`, v2)
      })
    }
  })
}

/**
 * Train steps of the family models on graph's `trainStep` (forward → loss → `grad` → clipping
 * → AdamW in one ONNX model), full fine-tuning or LoRA. With LoRA the base weights are frozen
 * initializers that stay inside the onnxruntime session; only the adapters and their AdamW
 * state flow in and out, so per-step traffic and checkpoints scale with the adapters.
 *
 * The loss here is supervised next-token cross-entropy (SFT). The GRPO policy loss is the
 * gpt trainer's (policy/src/train, moving to packages/trainer); it plugs in through
 * `buildFamilyForward` the same way once that trainer takes a model definition.
 */
import { adamw, tensor, trainStep, type GraphBuilder, type TrainStep, type Value } from '@murmur/graph'
import { InvalidArgumentError } from '@murmur/interface'
import type { GptParams } from '../model-graph.js'
import { familyParamSpecs, type FamilyConfig } from './config.js'
import type { FamilyWeights } from './folder.js'
import { buildFamilyForward } from './graph.js'
import { loraSpecs, withLora, type LoraConfig } from './lora.js'

/** Options of `buildFamilySftStep`. */
export interface FamilySftStepSpec {
  /** Rows per batch. */
  rows: number
  /** Tokens per row (right-padded; positions 0..steps−1). */
  steps: number
  /** Train these adapters (initial values by adapter name) instead of every weight. */
  lora?: { config: LoraConfig, adapters: FamilyWeights }
  dtype?: 'float32' | 'float64'
  /** Global-norm clip; 0 disables. Default 1. */
  maxGradNorm?: number
  weightDecay?: number
}

/**
 * One SFT step: inputs `input_ids`, `targets` (int64 [rows, steps]) and `mask` ([rows, steps],
 * 1 = count the token), plus the trainable state; outputs `loss` (mean over counted tokens),
 * `grad_norm` and the next state.
 */
export function buildFamilySftStep (config: FamilyConfig, weights: FamilyWeights, spec: FamilySftStepSpec): TrainStep {
  const { rows, steps } = spec
  if (!Number.isInteger(rows) || rows < 1) throw new InvalidArgumentError('rows', `expected a positive integer, got ${rows}`)
  if (!Number.isInteger(steps) || steps < 1 || steps > config.nCtx) throw new InvalidArgumentError('steps', `expected an integer in [1, ${config.nCtx}], got ${steps}`)
  const dtype = spec.dtype ?? 'float32'
  const data = (w: Float32Array): Float32Array | Float64Array => dtype === 'float32' ? w : Float64Array.from(w)
  const maxNorm = spec.maxGradNorm ?? 1
  return trainStep({
    name: `murmur-${config.modelType}-sft${spec.lora === undefined ? '' : '-lora'}`,
    optimizer: adamw({ weightDecay: spec.weightDecay ?? 0 }),
    clipNorm: maxNorm > 0 ? maxNorm : undefined,
    forward: (b: GraphBuilder) => {
      const ids = b.input('input_ids', 'int64', [rows, steps])
      const targets = b.input('targets', 'int64', [rows, steps])
      const mask = b.input('mask', dtype, [rows, steps])
      let params: GptParams = {}
      const frozen = spec.lora !== undefined
      for (const s of familyParamSpecs(config)) params[s.name] = b.param(s.name, tensor(dtype, s.shape, data(weights[s.name])), { trainable: !frozen })
      if (spec.lora !== undefined) {
        const adapters: GptParams = {}
        for (const s of loraSpecs(config, spec.lora.config)) {
          for (const t of [s.a, s.b]) adapters[t.name] = b.param(t.name, tensor(dtype, t.shape, data(spec.lora.adapters[t.name])))
        }
        params = withLora(b, config, spec.lora.config, params, adapters)
      }
      const positions = b.constant(tensor('int64', [1, steps], Array.from({ length: steps }, (_, i) => i)), 'position_ids')
      const { logits } = buildFamilyForward(b, config, params, { inputIds: ids, positionIds: positions })
      const loss: Value = b.scope('loss', () => {
        const nll = b.crossEntropy(logits, targets)
        return b.div(b.reduceSum(b.mul(nll, mask)), b.max(b.reduceSum(mask), 1))
      })
      return { loss }
    }
  })
}

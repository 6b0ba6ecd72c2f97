/**
 * Forward-only graphs of the training side, built on the one gpt forward (model-graph.ts):
 * per-token log-probs (π_old and π_ref) and full logits (sampled evaluation during
 * pretraining). Parameters are graph inputs so one session serves any weights of the same config.
 */
import { graphBuilder } from '@murmur/graph'
import { type ModelConfig, OPSET, buildModelForward, modelParamInputs, trainPositions } from '@murmur/policy'
import { tokenLogprobs } from './loss.js'

/** Model bytes of `input_ids, targets [rows, steps] → logp [rows, steps]`. */
export function buildLogprobGraph (config: ModelConfig, rows: number, steps: number): Uint8Array {
  const g = graphBuilder({ name: 'murmur-logprobs', opset: OPSET })
  const p = modelParamInputs(g, config)
  const ids = g.input('input_ids', 'int64', [rows, steps])
  const targets = g.input('targets', 'int64', [rows, steps])
  const { logits } = buildModelForward(g, config, p, { inputIds: ids, positionIds: trainPositions(g, steps) })
  g.output('logp', tokenLogprobs(g, logits, targets).logp)
  return g.toModelProto()
}

/** Model bytes of `input_ids [rows, steps] → logits [rows, steps, vocab]`. */
export function buildLogitsGraph (config: ModelConfig, rows: number, steps: number): Uint8Array {
  const g = graphBuilder({ name: 'murmur-logits', opset: OPSET })
  const p = modelParamInputs(g, config)
  const ids = g.input('input_ids', 'int64', [rows, steps])
  g.output('logits', buildModelForward(g, config, p, { inputIds: ids, positionIds: trainPositions(g, steps) }).logits)
  return g.toModelProto()
}

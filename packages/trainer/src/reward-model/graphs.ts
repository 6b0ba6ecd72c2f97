/**
 * Reward-model graphs: the gpt trunk (model-graph.ts) with a scalar head `score.weight`
 * `[1, d]` read at each row's last real token (HF `GPT2ForSequenceClassification` layout).
 * The last real token is where `attention_mask` is 1 and the next position is 0 (or the end),
 * so rows must be right-padded. Two graphs: a Bradley–Terry train step and a scoring graph
 * with the documented I/O `input_ids`, `attention_mask` (int64 `[batch_size, T]`) → `scores`.
 */
import { graphBuilder, type Dim, type GraphBuilder, type Value } from '@murmur/graph'
import { declareParams, paramSpecs, type GptConfig, OPSET, paramInputs, gptTrunk, trainPositions, type GptParams } from '@murmur/policy'
import { finishStep, type UpdateSpec } from '../step-graph.js'

/** Name of the scalar head's weight. */
export const SCORE_WEIGHT = 'score.weight'

/** Parameter specs of a reward model: the gpt trunk plus `score.weight`. */
export function rewardParamSpecs (config: GptConfig): Array<{ name: string, shape: readonly number[] }> {
  return [...paramSpecs(config).map(s => ({ name: s.name, shape: s.shape })), { name: SCORE_WEIGHT, shape: [1, config.nEmbd] }]
}

/** One-hot of each row's last real token, from an int64 mask `[B, T]`, in `dtype`. */
function lastTokenPool (g: GraphBuilder, mask: Value, T: number, dtype: 'float32' | 'float64'): Value {
  return g.scope('pool', () => {
    const m = g.cast(mask, dtype)
    const next = T > 1 ? g.pad(g.slice(m, [1], [T], [1]), [0, 0, 0, 1]) : g.mul(m, 0)
    return g.mul(m, g.sub(1, next))
  })
}

/** Scores `[B]` from the trunk's flat hidden states `[B·T, d]` and the pooling one-hot `[B, T]`. */
function scoresOf (g: GraphBuilder, hidden: Value, w: Value, pool: Value): Value {
  return g.scope('score', () => {
    const perToken = g.reshape(g.gemm(hidden, w, undefined, { transB: true }), g.shapeOf(pool), pool.shape)
    return g.reduceSum(g.mul(perToken, pool), [1])
  })
}

/** Scores of right-padded rows `ids`/`mask` `[B, steps]` under parameters `p` (trunk + head). */
function rewardScores (g: GraphBuilder, config: GptConfig, p: GptParams, ids: Value, mask: Value, steps: number): Value {
  const { hidden } = gptTrunk(g, config, p, { inputIds: ids, positionIds: trainPositions(g, steps) })
  return scoresOf(g, hidden, p[SCORE_WEIGHT], lastTokenPool(g, mask, steps, hidden.dtype as 'float32' | 'float64'))
}

/**
 * Scoring model: `input_ids`, `attention_mask` `[batch_size, steps]` → `scores [batch_size]`.
 * Weights are initializers (from `weights`), so the file is self-contained.
 */
export function buildRewardScoringModel (config: GptConfig, weights: Record<string, Float32Array>, steps: number = config.nCtx): Uint8Array {
  const g = graphBuilder({ name: 'murmur-reward-model', opset: OPSET, metadata: { murmur_reward_model: '1', padding: 'right' } })
  const p = declareParams(g, rewardParamSpecs(config), weights)
  const batch: Dim = 'batch_size'
  const ids = g.input('input_ids', 'int64', [batch, steps])
  const mask = g.input('attention_mask', 'int64', [batch, steps])
  g.output('scores', rewardScores(g, config, p, ids, mask, steps))
  return g.toModelProto()
}

/**
 * Bradley–Terry train step over `pairs` preference pairs: rows `0..pairs−1` are the chosen
 * completions, rows `pairs..2·pairs−1` the rejected ones. Loss `mean softplus(−(s_c − s_r))`;
 * outputs `accuracy` (share of pairs ordered correctly) and the AdamW `.next` tensors
 * (`optimizer: false`: `grad.<name>`; `dtype: 'float64'` for gradient checks).
 */
export function buildRewardTrainStep (config: GptConfig, pairs: number, steps: number, spec: UpdateSpec & { dtype?: 'float32' | 'float64' } = {}): Uint8Array {
  const dtype = spec.dtype ?? 'float32'
  const g = graphBuilder({ name: 'murmur-reward-step', opset: OPSET })
  const p = paramInputs(g, rewardParamSpecs(config), dtype)
  const rows = 2 * pairs
  const ids = g.input('input_ids', 'int64', [rows, steps])
  const mask = g.input('attention_mask', 'int64', [rows, steps])
  const pairMask = g.input('pair_mask', dtype, [pairs])
  const [chosen, rejected] = g.split(rewardScores(g, config, p, ids, mask, steps), 0, [pairs, pairs])
  const diff = g.sub(chosen, rejected)
  const n = g.max(g.reduceSum(pairMask), 1)
  // softplus(−x) = relu(−x) + log(1 + exp(−|x|)), stable for large |x|.
  const softplus = g.add(g.relu(g.neg(diff)), g.log(g.add(g.exp(g.neg(g.abs(diff))), 1)))
  const loss = g.output('loss', g.div(g.reduceSum(g.mul(softplus, pairMask)), n))
  g.output('accuracy', g.div(g.reduceSum(g.mul(g.cast(g.greater(diff, 0), dtype), pairMask)), n))
  finishStep(g, loss, p, spec)
  return g.toModelProto()
}

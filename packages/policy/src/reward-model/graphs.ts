/**
 * Reward-model graphs: the gpt trunk (train/forward.ts) with a scalar head `score.weight`
 * `[1, d]` read at each row's last real token (HF `GPT2ForSequenceClassification` layout).
 * The last real token is where `attention_mask` is 1 and the next position is 0 (or the end),
 * so rows must be right-padded. Two graphs: a Bradley–Terry train step and a scoring graph
 * with the documented I/O `input_ids`, `attention_mask` (int64 `[batch_size, T]`) → `scores`.
 */
import { graphBuilder, tensor, type Dim, type GraphBuilder, type Value } from '@murmur/graph'
import { paramSpecs, type GptConfig } from '../config.js'
import { OPSET } from '../constants.js'
import { gptBackward } from '../train/backward.js'
import { declareParams, gptForward, type ParamValues } from '../train/forward.js'
import { applyAdamW, type StepGraphSpec } from '../train/step-graphs.js'

/** Name of the scalar head's weight. */
export const SCORE_WEIGHT = 'score.weight'

/** Parameter specs of a reward model: the gpt trunk plus `score.weight`. */
export function rewardParamSpecs (config: GptConfig): Array<{ name: string, shape: readonly number[] }> {
  return [...paramSpecs(config).map(s => ({ name: s.name, shape: s.shape })), { name: SCORE_WEIGHT, shape: [1, config.nEmbd] }]
}

/** One-hot of each row's last real token, from an int64 mask `[B, T]`, as float32. */
function lastTokenPool (g: GraphBuilder, mask: Value, T: number): Value {
  return g.scope('pool', () => {
    const m = g.cast(mask, 'float32')
    const next = T > 1 ? g.pad(g.slice(m, [1], [T], [1]), [0, 0, 0, 1]) : g.mul(m, 0)
    return g.mul(m, g.sub(1, next))
  })
}

function scoresOf (g: GraphBuilder, hidden: Value, w: Value, pool: Value): { scores: Value, perToken: Value } {
  return g.scope('score', () => {
    const perToken = g.squeeze(g.matmul(hidden, g.transpose(w, [1, 0])), [2])
    return { scores: g.reduceSum(g.mul(perToken, pool), [1]), perToken }
  })
}

/**
 * Scoring model: `input_ids`, `attention_mask` `[batch_size, steps]` → `scores [batch_size]`.
 * Weights are initializers (from `weights`), so the file is self-contained.
 */
export function buildRewardScoringModel (config: GptConfig, weights: Record<string, Float32Array>, steps: number = config.nCtx): Uint8Array {
  const g = graphBuilder({ name: 'murmur-reward-model', opset: OPSET, metadata: { murmur_reward_model: '1', padding: 'right' } })
  const p: ParamValues = {}
  for (const s of rewardParamSpecs(config)) p[s.name] = g.param(s.name, tensor('float32', s.shape, weights[s.name]))
  const batch: Dim = 'batch_size'
  const ids = g.input('input_ids', 'int64', [batch, steps])
  const mask = g.input('attention_mask', 'int64', [batch, steps])
  const tape = gptForward(g, config, p, ids)
  g.output('scores', scoresOf(g, tape.hidden, p[SCORE_WEIGHT], lastTokenPool(g, mask, steps)).scores)
  return g.toModelProto()
}

/**
 * Bradley–Terry train step over `pairs` preference pairs: rows `0..pairs−1` are the chosen
 * completions, rows `pairs..2·pairs−1` the rejected ones. Loss `mean softplus(−(s_c − s_r))`;
 * outputs `accuracy` (share of pairs ordered correctly) and the AdamW `.next` tensors.
 */
export function buildRewardTrainStep (config: GptConfig, pairs: number, steps: number, spec: Partial<StepGraphSpec> = {}): Uint8Array {
  const g = graphBuilder({ name: 'murmur-reward-step', opset: OPSET })
  const p = declareParams(g, config)
  p[SCORE_WEIGHT] = g.input(SCORE_WEIGHT, 'float32', [1, config.nEmbd])
  const rows = 2 * pairs
  const ids = g.input('input_ids', 'int64', [rows, steps])
  const mask = g.input('attention_mask', 'int64', [rows, steps])
  const pairMask = g.input('pair_mask', 'float32', [pairs])
  const tape = gptForward(g, config, p, ids)
  const pool = lastTokenPool(g, mask, steps)
  const { scores } = scoresOf(g, tape.hidden, p[SCORE_WEIGHT], pool)
  const [chosen, rejected] = g.split(scores, 0, [pairs, pairs])
  const diff = g.sub(chosen, rejected)
  const n = g.max(g.reduceSum(pairMask), 1)
  // softplus(−x) = relu(−x) + log(1 + exp(−|x|)), stable for large |x|.
  const softplus = g.add(g.relu(g.neg(diff)), g.log(g.add(g.exp(g.neg(g.abs(diff))), 1)))
  g.output('loss', g.div(g.reduceSum(g.mul(softplus, pairMask)), n))
  g.output('accuracy', g.div(g.reduceSum(g.mul(g.cast(g.greater(diff, 0), 'float32'), pairMask)), n))
  // d loss / d diff = −sigmoid(−diff) / n per pair.
  const ddiff = g.div(g.mul(g.neg(g.sigmoid(g.neg(diff))), pairMask), n)
  const dscores = g.concat([ddiff, g.neg(ddiff)], 0)
  const w = p[SCORE_WEIGHT]
  const dperToken = g.mul(pool, g.unsqueeze(dscores, [1])) // [rows, T]
  const dhidden = g.mul(g.unsqueeze(dperToken, [2]), w) // [rows, T, d]
  const dw = g.reshape(g.reduceSum(g.mul(tape.hidden, g.unsqueeze(dperToken, [2])), [0, 1]), [1, config.nEmbd])
  const grads = gptBackward(g, tape, { dhidden })
  grads[SCORE_WEIGHT] = dw
  applyAdamW(g, rewardParamSpecs(config), p, grads, { kind: 'sft', rows, steps, ...spec }, 'float32')
  return g.toModelProto()
}

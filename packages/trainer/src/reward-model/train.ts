/**
 * Trains the reward model: a scalar-head gpt fitted with a Bradley–Terry loss on preference
 * pairs derived from the task families (preferences.ts). The trunk may start from the base
 * policy checkpoint. Deterministic given the seed.
 */
import { createSession, tensor, type Session, type TensorMap } from '@murmur/graph'
import { throwIfAborted, type AbortOptions, createRng } from '@murmur/interface'
import { createTaskSampler, resolveTask, verify, type ResolvedTask, type TaskMixEntry } from '@murmur/tasks'
import { gptConfigs, resolveGptConfig, type GptConfig, readSafetensors, tensorFromFloat32, tensorToFloat32, writeSafetensors, type SafeTensor, charTokenizer, type Tokenizer, initWeights, type Weights } from '@murmur/policy'
import { feedAdamW, readAdamW } from '../adamw-io.js'
import { bucketSteps, encodePair, rightPadded } from '../batch.js'
import { InvalidTrainerStateError } from '../errors.js'
import { buildRewardScoringModel, buildRewardTrainStep, rewardParamSpecs, SCORE_WEIGHT } from './graphs.js'
import { derivePreferencePairs, type PreferencePair } from './preferences.js'
import { createRewardModel, type RewardModelInit } from './runtime.js'

/** Options of `trainRewardModel`. */
export interface RewardTrainOptions extends AbortOptions {
  seed?: number
  mix?: readonly TaskMixEntry[]
  /** Trunk initialization (e.g. the base policy); default a fresh `gptConfigs.tiny`. */
  base?: { config: GptConfig, weights: Weights }
  /** Optimizer steps. Default 400. */
  steps?: number
  /** Preference pairs per step. Default 32. */
  pairsPerStep?: number
  learningRate?: number
  /** Held-out pairs for the accuracy report. Default 256. */
  evalPairs?: number
  evalEvery?: number
  onProgress?: (p: { step: number, steps: number, loss: number, accuracy: number, heldOut?: number }) => void
}

/** What `trainRewardModel` returns. */
export interface RewardTrainResult {
  config: GptConfig
  /** Trunk weights plus `score.weight`. */
  weights: Weights
  steps: number
  /** Held-out pair accuracy of the final weights. */
  heldOutAccuracy: number
  history: Array<{ step: number, heldOut: number }>
}

/** Trains a reward model; see the module comment. */
export async function trainRewardModel (options: RewardTrainOptions = {}): Promise<RewardTrainResult> {
  const seed = options.seed ?? 0
  const tokenizer = charTokenizer()
  const config = options.base?.config ?? resolveGptConfig(gptConfigs.tiny)
  const trunk = options.base?.weights ?? initWeights(config, seed)
  const rng = createRng((seed ^ 0x0badc0de) >>> 0)
  let weights: Weights = { ...Object.fromEntries(Object.entries(trunk).map(([k, v]) => [k, v.slice()])) }
  weights[SCORE_WEIGHT] = Float32Array.from({ length: config.nEmbd }, () => 0.02 * rng.normal())
  const specs = rewardParamSpecs(config)
  let m: Weights = Object.fromEntries(specs.map(s => [s.name, new Float32Array(weights[s.name].length)]))
  let v: Weights = Object.fromEntries(specs.map(s => [s.name, new Float32Array(weights[s.name].length)]))
  const steps = options.steps ?? 400
  const P = options.pairsPerStep ?? 32
  const lr = options.learningRate ?? 1e-3
  const verifyScore = (t: ResolvedTask) => (_: unknown, c: string): number => verify(t, c).score
  const pairsFor = (tasks: ResolvedTask[], s: number): PreferencePair[] =>
    tasks.flatMap((t, i) => derivePreferencePairs([t], { seed: (s * 7919 + i) >>> 0, verify: verifyScore(t), pairsPerTask: 1 }))
  const data = createTaskSampler({ seed, mix: options.mix })
  const heldOutTasks = createTaskSampler({ seed: (seed ^ 0x7e57) >>> 0, mix: options.mix }).sample(0, options.evalPairs ?? 256).map(resolveTask)
  const heldOut = pairsFor(heldOutTasks, 0xffff)
  const sessions = new Map<number, Session>()
  const history: Array<{ step: number, heldOut: number }> = []

  const evaluate = async (): Promise<number> => {
    const rm = await createRewardModel({ model: buildRewardScoringModel(config, weights), tokenizer })
    try {
      const sc = await rm.score(heldOut.map(p => ({ prompt: p.prompt, completion: p.chosen })))
      const sr = await rm.score(heldOut.map(p => ({ prompt: p.prompt, completion: p.rejected })))
      return sc.filter((x, i) => x > sr[i]).length / Math.max(heldOut.length, 1)
    } finally {
      await rm.close()
    }
  }

  try {
    for (let step = 1; step <= steps; step++) {
      throwIfAborted(options.signal)
      let pairs = pairsFor(data.sample(step, P).map(resolveTask), step)
      pairs = pairs.slice(0, P)
      const seqs = [...pairs.map(p => encodePair(tokenizer, p.prompt, p.chosen).ids), ...pairs.map(p => encodePair(tokenizer, p.prompt, p.rejected).ids)]
        .map(s => s.slice(-config.nCtx))
      const T = bucketSteps(Math.max(...seqs.map(s => s.length)), config.nCtx)
      let session = sessions.get(T)
      if (session === undefined) {
        session = await createSession(buildRewardTrainStep(config, P, T, { maxGradNorm: 1, weightDecay: 0 }))
        sessions.set(T, session)
      }
      const feeds = rowsFeeds(tokenizer, seqs, pairs.length, P, T)
      feedAdamW(feeds, specs, { weights, m, v }, lr * Math.min(1, step / 20), step)
      const out = await session.run(feeds)
      const next = readAdamW(out, specs)
      weights = next.weights
      m = next.m
      v = next.v
      let heldOutAcc: number | undefined
      if (options.evalEvery !== undefined && step % options.evalEvery === 0) {
        heldOutAcc = await evaluate()
        history.push({ step, heldOut: heldOutAcc })
      }
      options.onProgress?.({ step, steps, loss: (out.loss.data as Float32Array)[0], accuracy: (out.accuracy.data as Float32Array)[0], heldOut: heldOutAcc })
    }
    const heldOutAccuracy = await evaluate()
    history.push({ step: steps, heldOut: heldOutAccuracy })
    return { config, weights, steps, heldOutAccuracy, history }
  } finally {
    for (const s of sessions.values()) await s.close()
  }
}

function rowsFeeds (tokenizer: Tokenizer, seqs: number[][], used: number, P: number, T: number): TensorMap {
  // Rows: chosen completions, then rejected ones, `P` each. Unused pair slots get a one-token
  // row so every row has a last token; pair_mask drops them.
  const filler = Array.from({ length: P - used }, () => [tokenizer.bosId ?? tokenizer.padId])
  const { ids, mask } = rightPadded([...seqs.slice(0, used), ...filler, ...seqs.slice(used), ...filler], T, tokenizer.padId)
  const pairMask = new Float32Array(P)
  pairMask.fill(1, 0, used)
  return {
    input_ids: tensor('int64', [2 * P, T], ids),
    attention_mask: tensor('int64', [2 * P, T], mask),
    pair_mask: tensor('float32', [P], pairMask)
  }
}

/** Serializes reward-model weights (trunk + `score.weight`) with the config in the metadata. */
export function rewardModelToSafetensors (config: GptConfig, weights: Weights, meta: Record<string, string> = {}): Uint8Array {
  const tensors: Record<string, SafeTensor> = {}
  for (const s of rewardParamSpecs(config)) tensors[s.name] = tensorFromFloat32(weights[s.name], [...s.shape])
  return writeSafetensors(tensors, { ...meta, format: 'pt', murmur_config: JSON.stringify(config), murmur_reward_model: '1' })
}

/** Parses what `rewardModelToSafetensors` wrote; throws `InvalidTrainerStateError` on a mismatch. */
export function rewardModelFromSafetensors (bytes: Uint8Array, file = 'reward-model.safetensors'): { config: GptConfig, weights: Weights } {
  let parsed
  try {
    parsed = readSafetensors(bytes, file)
  } catch (err) {
    throw new InvalidTrainerStateError((err as Error).message, { cause: err })
  }
  if (parsed.metadata.murmur_config === undefined || parsed.metadata.murmur_reward_model === undefined) {
    throw new InvalidTrainerStateError(`${file} is not a murmur reward model (metadata murmur_config / murmur_reward_model missing)`)
  }
  const config = resolveGptConfig(JSON.parse(parsed.metadata.murmur_config) as GptConfig)
  const weights: Weights = {}
  for (const s of rewardParamSpecs(config)) {
    const t = parsed.tensors[s.name]
    if (t === undefined || t.shape.join(',') !== s.shape.join(',')) throw new InvalidTrainerStateError(`${file}: tensor ${s.name} is missing or has the wrong shape`)
    weights[s.name] = tensorToFloat32(t)
  }
  return { config, weights }
}

/** Loads a shipped reward-model safetensors file as a ready `RewardModel`. */
export async function loadRewardModel (bytes: Uint8Array, tokenizer: Tokenizer = charTokenizer(), options: Pick<RewardModelInit, 'device' | 'threads'> = {}): Promise<import('./runtime.js').RewardModel> {
  const { config, weights } = rewardModelFromSafetensors(bytes)
  return await createRewardModel({ ...options, model: buildRewardScoringModel(config, weights), tokenizer })
}

/**
 * Where a node's policy comes from and goes to: built-in names, safetensors files, model
 * folders, and a node's own checkpoints (what `murmur eval` and `murmur export` read), plus the
 * adapter from @murmur/policy's `Policy` onto the round's `PolicyPort`.
 */
import { createHash } from 'node:crypto'
import { readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  charTokenizer, createModelPolicy, exportFamilyFolder, exportModelFolder, initLoraWeights, isFamilyConfig, isFamilyFolder, isLoraModel,
  loraModel, mergeLora, readFamilyFolder, readModelFolder, resolveLoraConfig, tokenizerFromSpec, weightsFromSafetensors,
  type FamilyConfig, type GptConfig, type LoraTarget, type ModelConfig, type Policy, type PolicyInit, type Tokenizer, type Weights
} from '@murmur/policy'
import { nodeStore } from '@murmur/store'
import { InvalidConfigError, NoCheckpointError } from './errors.js'
import type { PolicyPort } from './ports.js'

/** The policy a node trains and the CLI loads when none is named. */
export const DEFAULT_MODEL = 'builtin:tiny'

/** The reward model a node scores with when none is named. */
export const DEFAULT_REWARD_MODEL = 'builtin:tiny-rm'

/** Built-in model names and the files they resolve to (shipped in @murmur/policy). */
const BUILTIN_MODELS: Readonly<Record<string, string>> = {
  [DEFAULT_MODEL]: 'tiny-base.safetensors',
  [DEFAULT_REWARD_MODEL]: 'tiny-reward.safetensors'
}

/** A policy's weights ready to load, and where they came from. */
export interface ModelSource {
  /** gpt, or a Hugging Face Llama / Qwen2 / Qwen3 config. */
  config: GptConfig | FamilyConfig
  weights: Weights
  tokenizer: Tokenizer
  /** Training step the weights come from. */
  step: number
  /** Human-readable origin, for reports. */
  origin: string
  /** The chat template of a Hugging Face folder's tokenizer_config.json, when it has one. */
  chatTemplate?: string
}

/** Resolves `builtin:<name>` to the shipped file; other values are paths, returned as given. */
export function resolveModelPath (value: string): string {
  const file = BUILTIN_MODELS[value]
  if (file === undefined) return value
  const policyEntry = fileURLToPath(import.meta.resolve('@murmur/policy'))
  return join(policyEntry, '..', '..', 'checkpoints', file)
}

/** Loads a policy from `builtin:<name>`, a safetensors file, a murmur model folder or a Hugging Face Llama / Qwen2 / Qwen3 folder. */
export async function loadModel (value: string): Promise<ModelSource> {
  const path = resolveModelPath(value)
  const info = await stat(path).catch(() => undefined)
  if (info === undefined) throw new InvalidConfigError('model', `"${value}" does not exist (${path}); use builtin:tiny, a .safetensors file or a model folder`)
  if (info.isDirectory() && await isFamilyFolder(path)) {
    const folder = await readFamilyFolder(path)
    return { config: folder.config, weights: folder.weights, tokenizer: folder.tokenizer, step: 0, origin: value, chatTemplate: folder.chatTemplate }
  }
  if (info.isDirectory()) {
    const folder = await readModelFolder(path)
    return { config: folder.config, weights: folder.weights, tokenizer: folder.tokenizer, step: folder.step, origin: value }
  }
  const loaded = weightsFromSafetensors(new Uint8Array(await readFile(path)), path)
  const tokenizer = loaded.tokenizer !== undefined ? tokenizerFromSpec(loaded.tokenizer) : charTokenizer()
  return { config: loaded.config, weights: loaded.weights, tokenizer, step: loaded.step, origin: value }
}

/**
 * The policy of a node's latest checkpoint (`dataDir`), or of `model` when no `dataDir` is given.
 * With both, `model` names the architecture and tokenizer the checkpoint's weights belong to
 * (default: the model in the checkpoint's own config). Throws NoCheckpointError.
 */
export async function loadModelSource (from: { model?: string, dataDir?: string }): Promise<ModelSource> {
  if (from.dataDir === undefined) return await loadModel(from.model ?? DEFAULT_MODEL)
  const storeDir = join(from.dataDir, 'store')
  if (await stat(storeDir).then(() => false, () => true)) throw new NoCheckpointError(from.dataDir, `no node store there (expected ${storeDir})`)
  const store = nodeStore({ dir: storeDir })
  await store.start()
  try {
    const checkpoint = await store.checkpoints.latest()
    if (checkpoint === undefined) throw new NoCheckpointError(from.dataDir, 'the node has no checkpoint yet')
    const saved = checkpoint.config as { model?: unknown, seed?: number, train?: { loraRank?: number, loraTargets?: string[] } }
    const base = await loadModel(from.model ?? (typeof saved.model === 'string' ? saved.model : DEFAULT_MODEL))
    // A LoRA node checkpoints adapters: read them against its adapted model, then fold them into the base.
    const trained = trainedModel(base, { seed: saved.seed ?? 0, train: { loraRank: saved.train?.loraRank ?? 0, loraTargets: saved.train?.loraTargets ?? [] } })
    const loaded = weightsFromSafetensors(checkpoint.weights, `${storeDir} checkpoint of round ${checkpoint.round}`, trained.config)
    const weights = isLoraModel(trained.config) ? mergeLora(trained.config.base, trained.config.lora, base.weights, loaded.weights) : loaded.weights
    return { ...base, weights, step: checkpoint.step, origin: `${from.dataDir} (checkpoint of round ${checkpoint.round})` }
  } finally {
    await store.stop()
  }
}

/** Writes a model folder that Hugging Face tooling (transformers.js) loads: ONNX, config, tokenizer, safetensors. */
export async function exportModel (source: ModelSource, dir: string): Promise<void> {
  const policy = await openPolicy(source)
  try {
    if (isFamilyConfig(policy.config)) await exportFamilyFolder(policy as Policy<FamilyConfig>, dir)
    else await exportModelFolder(policy as Policy<GptConfig>, dir)
  } finally {
    await policy.close()
  }
}

/** Starts an onnxruntime policy (in its worker thread) on a model's weights (of any family, LoRA adapters included). */
export async function openPolicy (source: Pick<ModelSource, 'tokenizer' | 'step'> & { config: ModelConfig, weights: Weights }, init: Pick<PolicyInit, 'threads' | 'device' | 'chatTemplate'> = {}): Promise<Policy<ModelConfig>> {
  return await createModelPolicy(source.config, source.weights, source.tokenizer, { ...init, step: source.step })
}

/**
 * What the trainer trains: the loaded model itself, or with `train.loraRank` > 0 (Hugging Face
 * models only) its LoRA adapters, freshly initialized from the node's seed, over the frozen base.
 */
export function trainedModel (model: Pick<ModelSource, 'config' | 'weights'>, config: { seed: number, train: { loraRank: number, loraTargets: readonly string[] } }): { config: ModelConfig, weights: Weights } {
  if (config.train.loraRank === 0) return { config: model.config, weights: model.weights }
  if (!isFamilyConfig(model.config)) throw new InvalidConfigError('train.loraRank', 'LoRA needs a Hugging Face Llama / Qwen2 / Qwen3 model; set train.loraRank=0 for this model')
  let lora
  try {
    lora = resolveLoraConfig({ rank: config.train.loraRank, targets: config.train.loraTargets as LoraTarget[] })
  } catch (err) {
    throw new InvalidConfigError('train.loraTargets', (err as Error).message)
  }
  return { config: loraModel(model.config, model.weights, lora), weights: initLoraWeights(model.config, lora, config.seed) }
}

/** The round's view of a policy: generation with token ids and behaviour log-probs, π_old scoring, the tokenizer's identity. */
export function policyPort (policy: Policy<ModelConfig>, modelId: string, extra: Pick<PolicyPort, 'baseLogprobs'> = {}): PolicyPort {
  const tokenizer = policy.tokenizer
  return {
    modelId,
    tokenizerId: 'sha256:' + createHash('sha256').update(JSON.stringify(tokenizer.spec)).digest('hex').slice(0, 16),
    completionTokens (text, truncated) {
      const ids = tokenizer.encode(text)
      return truncated || tokenizer.eosId === undefined ? ids : [...ids, tokenizer.eosId]
    },
    async logprobs (prompts, tokenIds, o) {
      return await policy.logprobs(prompts, tokenIds, o)
    },
    countTokens: text => policy.tokenizer.encode(text).length,
    async generate (prompts, o) {
      const out = await policy.generate(prompts, { n: o.n, maxTokens: o.maxTokens, temperature: o.temperature, topP: o.topP, topK: o.topK, seed: o.seed, signal: o.signal })
      // logprobs: the behaviour log-probs μ_t (under the distribution each token was drawn from).
      return out.map(group => group.map(c => ({ text: c.text, tokens: c.tokenIds.length, truncated: c.finishReason === 'length', tokenIds: c.tokenIds, logprobs: c.sampleLogprobs })))
    },
    ...extra
  }
}

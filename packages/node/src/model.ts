/**
 * Where a node's policy comes from and goes to: built-in names, safetensors files, model
 * folders, and a node's own checkpoints (what `murmur eval` and `murmur export` read), plus the
 * adapter from @murmur/policy's `Policy` onto the round's `PolicyPort`.
 */
import { readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  charTokenizer, createPolicy, exportModelFolder, readModelFolder, tokenizerFromSpec, weightsFromSafetensors,
  type GptConfig, type Policy, type Tokenizer, type Weights
} from '@murmur/policy'
import { nodeStore } from '@murmur/store'
import { InvalidConfigError, NoCheckpointError } from './errors.js'
import type { PolicyPort } from './ports.js'

/** Built-in model names and the files they resolve to (shipped in @murmur/policy). */
const BUILTIN_MODELS: Readonly<Record<string, string>> = {
  'builtin:tiny': 'tiny-base.safetensors',
  'builtin:tiny-rm': 'tiny-reward.safetensors'
}

/** A policy's weights ready to load, and where they came from. */
export interface ModelSource {
  config: GptConfig
  weights: Weights
  tokenizer: Tokenizer
  /** Training step the weights come from. */
  step: number
  /** Human-readable origin, for reports. */
  origin: string
}

/** Resolves `builtin:<name>` to the shipped file; other values are paths, returned as given. */
export function resolveModelPath (value: string): string {
  const file = BUILTIN_MODELS[value]
  if (file === undefined) return value
  const policyEntry = fileURLToPath(import.meta.resolve('@murmur/policy'))
  return join(policyEntry, '..', '..', 'checkpoints', file)
}

/** Loads a policy from `builtin:<name>`, a safetensors file or a model folder. */
export async function loadModel (value: string): Promise<ModelSource> {
  const path = resolveModelPath(value)
  const info = await stat(path).catch(() => undefined)
  if (info === undefined) throw new InvalidConfigError('model', `"${value}" does not exist (${path}); use builtin:tiny, a .safetensors file or a model folder`)
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
  if (from.dataDir === undefined) return await loadModel(from.model ?? 'builtin:tiny')
  const storeDir = join(from.dataDir, 'store')
  if (await stat(storeDir).then(() => false, () => true)) throw new NoCheckpointError(from.dataDir, `no node store there (expected ${storeDir})`)
  const store = nodeStore({ dir: storeDir })
  await store.start()
  try {
    const checkpoint = await store.checkpoints.latest()
    if (checkpoint === undefined) throw new NoCheckpointError(from.dataDir, 'the node has no checkpoint yet')
    const saved = checkpoint.config as { model?: unknown }
    const base = await loadModel(from.model ?? (typeof saved.model === 'string' ? saved.model : 'builtin:tiny'))
    const loaded = weightsFromSafetensors(checkpoint.weights, `${storeDir} checkpoint of round ${checkpoint.round}`, base.config)
    return { config: base.config, weights: loaded.weights, tokenizer: base.tokenizer, step: checkpoint.step, origin: `${from.dataDir} (checkpoint of round ${checkpoint.round})` }
  } finally {
    await store.stop()
  }
}

/** Writes a model folder that Hugging Face tooling (transformers.js) loads: ONNX, config, tokenizer, safetensors. */
export async function exportModel (source: ModelSource, dir: string): Promise<void> {
  const policy = await openPolicy(source)
  try {
    await exportModelFolder(policy, dir)
  } finally {
    await policy.close()
  }
}

/** Starts an onnxruntime policy (in its worker thread) on a model's weights. */
export async function openPolicy (source: ModelSource, threads?: number): Promise<Policy> {
  return await createPolicy({ config: source.config, weights: source.weights, tokenizer: source.tokenizer, step: source.step, ...(threads === undefined ? {} : { threads }) })
}

/** The round's view of a policy. */
export function policyPort (policy: Policy, modelId: string): PolicyPort {
  return {
    modelId,
    countTokens: text => policy.tokenizer.encode(text).length,
    async generate (prompts, o) {
      const out = await policy.generate(prompts, { n: o.n, maxTokens: o.maxTokens, temperature: o.temperature, topP: o.topP, topK: o.topK, seed: o.seed, signal: o.signal })
      return out.map(group => group.map(c => ({ text: c.text, tokens: c.tokenIds.length, truncated: c.finishReason === 'length' })))
    }
  }
}

/**
 * Reads a Hugging Face Llama / Qwen2 / Qwen3 model folder: `config.json`, `model.safetensors`
 * or a sharded `model.safetensors.index.json`, `tokenizer.json` and `tokenizer_config.json`.
 * F32 / F16 / BF16 tensors are widened to float32. Every problem is one
 * `InvalidModelFolderError` whose message names the file (and the tensor where there is one).
 */
import { type AbortOptions, throwIfAborted } from '@murmur/interface'
import { MODEL_FOLDER_FILES } from '../constants.js'
import { InvalidModelFolderError, SafetensorsFormatError } from '../errors.js'
import { readFolderBytes, readFolderJson, readFolderTokenizer } from '../model-folder.js'
import { parseSafetensorsIndex, readSafetensors, tensorToFloat32 } from '../safetensors.js'
import type { Tokenizer } from '../tokenizer/types.js'
import { familyConfigFromJson, familyParamSpecs, type FamilyConfig } from './config.js'

/** Name of a sharded checkpoint's index file. */
export const SAFETENSORS_INDEX = 'model.safetensors.index.json'

/** Float32 weights of a family model by HF tensor name. */
export type FamilyWeights = Record<string, Float32Array>

/** What a family model folder holds. */
export interface FamilyFolder {
  config: FamilyConfig
  weights: FamilyWeights
  tokenizer: Tokenizer
  /** The Jinja chat template of `tokenizer_config.json`, when it has one. */
  chatTemplate: string | undefined
}

/** True when `config.json` of `dir` names a family `model_type` (llama, qwen2, qwen3). */
export async function isFamilyFolder (dir: string): Promise<boolean> {
  const j = await readFolderJson(dir, MODEL_FOLDER_FILES.config, true)
  return j.model_type === 'llama' || j.model_type === 'qwen2' || j.model_type === 'qwen3'
}

/** Reads and validates a family model folder. */
export async function readFamilyFolder (dir: string, options: AbortOptions = {}): Promise<FamilyFolder> {
  const config = familyConfigFromJson(await readFolderJson(dir, MODEL_FOLDER_FILES.config))
  throwIfAborted(options.signal)
  const { tokenizer, tokenizerConfig: tokConfig } = await readFolderTokenizer(dir, config.vocabSize)
  const weights = await readFamilyWeights(dir, config, options)
  return { config, weights, tokenizer, chatTemplate: chatTemplateOf(tokConfig) }
}

/** The default chat template of a parsed `tokenizer_config.json` (a string, or the `default` of a named list). */
export function chatTemplateOf (tokenizerConfig: Record<string, unknown>): string | undefined {
  const t = tokenizerConfig.chat_template
  if (typeof t === 'string') return t
  if (Array.isArray(t)) {
    const named = t.find((e: { name?: unknown }) => e?.name === 'default') as { template?: unknown } | undefined
    if (typeof named?.template === 'string') return named.template
  }
  return undefined
}

/** Loads every parameter of `config` from the folder's single or sharded safetensors, checking names and shapes. */
export async function readFamilyWeights (dir: string, config: FamilyConfig, options: AbortOptions = {}): Promise<FamilyWeights> {
  const specs = familyParamSpecs(config)
  const wanted = new Map(specs.map(s => [s.name, s.shape]))
  const where = new Map<string, string>()
  let shards: Map<string, string[]>
  const index = await readFolderJson(dir, SAFETENSORS_INDEX, true)
  if (Object.keys(index).length > 0) {
    shards = translate(SAFETENSORS_INDEX, () => parseSafetensorsIndex(index, SAFETENSORS_INDEX))
  } else {
    shards = new Map([[MODEL_FOLDER_FILES.weights, []]])
  }
  for (const [shard, names] of shards) for (const n of names) where.set(n, shard)
  const weights: FamilyWeights = {}
  for (const shard of shards.keys()) {
    throwIfAborted(options.signal)
    const bytes = await readFolderBytes(dir, shard)
    const file = translate(shard, () => readSafetensors(bytes, shard))
    for (const [name, t] of Object.entries(file.tensors)) {
      if (!wanted.has(name)) continue
      const indexed = where.get(name)
      if (indexed !== undefined && indexed !== shard) continue
      weights[name] = tensorToFloat32(t)
      where.set(name, shard)
      const shape = wanted.get(name) as number[]
      if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
        throw new InvalidModelFolderError(shard, 'wrong-shape', `tensor ${name} has shape [${t.shape.join(', ')}] but config.json implies [${shape.join(', ')}]`)
      }
    }
  }
  for (const s of specs) {
    if (weights[s.name] === undefined) {
      const file = where.get(s.name) ?? [...shards.keys()].join(', ')
      throw new InvalidModelFolderError(file, 'missing-tensor', `tensor ${s.name} [${s.shape.join(', ')}] that config.json implies is missing`)
    }
  }
  return weights
}

function translate<T> (file: string, fn: () => T): T {
  try {
    return fn()
  } catch (err) {
    if (err instanceof SafetensorsFormatError) throw new InvalidModelFolderError(file, err.problem, err.message.slice(err.file.length + 2), { cause: err })
    throw err
  }
}

/**
 * Model folders in the Hugging Face layout: `onnx/model.onnx` (decode graph, HF causal-LM I/O),
 * `config.json` (`model_type: "gpt2"` so transformers.js can run it, plus murmur's own config),
 * `generation_config.json`, `tokenizer.json`, `tokenizer_config.json`, `model.safetensors`.
 */
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { type AbortOptions, throwIfAborted } from '@murmur/interface'
import { weightsFromSafetensors, weightsToSafetensors } from './checkpoint.js'
import { resolveGptConfig, type GptConfig, type GptConfigInit } from './config.js'
import { MODEL_FOLDER_FILES } from './constants.js'
import { InvalidModelFolderError, TokenizerError } from './errors.js'
import { createPolicy, type Policy, type PolicyInit } from './policy.js'
import type { SafetensorsDtype } from './safetensors.js'
import { tokenizerFromFiles, tokenizerFromSpec } from './tokenizer/spec.js'
import type { Tokenizer } from './tokenizer/types.js'
import type { Weights } from './weights.js'

/** Options of `exportModelFolder`. */
export interface ExportOptions extends AbortOptions {
  /** Storage dtype of model.safetensors; default F32. The ONNX graph is always float32. */
  dtype?: SafetensorsDtype
}

/** Everything a model folder describes. */
export interface ModelFolder {
  config: GptConfig
  weights: Weights
  tokenizer: Tokenizer
  step: number
}

/** The `config.json` murmur writes: GPT-2 keys for HF tooling plus `murmur.config`. */
export function hfConfigJson (config: GptConfig, tokenizer: Tokenizer): Record<string, unknown> {
  return {
    model_type: 'gpt2',
    architectures: ['GPT2LMHeadModel'],
    vocab_size: config.vocabSize,
    n_positions: config.nCtx,
    n_ctx: config.nCtx,
    n_embd: config.nEmbd,
    n_layer: config.nLayer,
    n_head: config.nHead,
    n_inner: config.mlpRatio * config.nEmbd,
    activation_function: 'gelu_new',
    layer_norm_epsilon: config.layerNormEps,
    tie_word_embeddings: config.tiedEmbeddings,
    bos_token_id: tokenizer.bosId ?? null,
    eos_token_id: tokenizer.eosId ?? null,
    pad_token_id: tokenizer.padId,
    use_cache: true,
    murmur: { format: 1, config }
  }
}

/** Writes `policy` (its current weights) as a model folder into `dir` (created if needed). */
export async function exportModelFolder (policy: Policy, dir: string, options: ExportOptions = {}): Promise<void> {
  const { config, tokenizer } = policy
  const weights = policy.getWeights()
  const files: Array<[string, Uint8Array | string]> = [
    [MODEL_FOLDER_FILES.onnx, policy.toOnnx()],
    [MODEL_FOLDER_FILES.weights, weightsToSafetensors(config, weights, { dtype: options.dtype, step: policy.step, tokenizer: tokenizer.spec })],
    [MODEL_FOLDER_FILES.config, jsonFileText(hfConfigJson(config, tokenizer))],
    [MODEL_FOLDER_FILES.generationConfig, jsonFileText({ bos_token_id: tokenizer.bosId ?? null, eos_token_id: tokenizer.eosId ?? null, pad_token_id: tokenizer.padId, max_length: config.nCtx })],
    [MODEL_FOLDER_FILES.tokenizer, jsonFileText(tokenizer.toTokenizerJson())],
    // murmur left-pads batches for generation; HF tooling should too
    [MODEL_FOLDER_FILES.tokenizerConfig, jsonFileText({ ...tokenizer.toTokenizerConfig(), model_max_length: config.nCtx, padding_side: 'left' })]
  ]
  await writeFolderFiles(dir, files, options)
}

/** Writes `files` (path inside `dir`, contents) into `dir`, each write-then-rename so a reader never sees a half-written file. */
export async function writeFolderFiles (dir: string, files: Array<[string, Uint8Array | string]>, options: AbortOptions = {}): Promise<void> {
  for (const [name, data] of files) {
    throwIfAborted(options.signal)
    const path = join(dir, name)
    await mkdir(dirname(path), { recursive: true })
    await writeFile(path + '.tmp', data)
    await rename(path + '.tmp', path)
  }
}

/** Reads and validates a model folder; every problem is an `InvalidModelFolderError` naming the file. */
export async function readModelFolder (dir: string, options: AbortOptions = {}): Promise<ModelFolder> {
  const configJson = await readFolderJson(dir, MODEL_FOLDER_FILES.config)
  const config = configFromJson(configJson)
  throwIfAborted(options.signal)
  const { tokenizer } = await readFolderTokenizer(dir, config.vocabSize)
  const bytes = await readFolderBytes(dir, MODEL_FOLDER_FILES.weights)
  throwIfAborted(options.signal)
  const loaded = weightsFromSafetensors(bytes, MODEL_FOLDER_FILES.weights, config)
  return { config, weights: loaded.weights, tokenizer, step: loaded.step }
}

/**
 * Reads a single murmur `.safetensors` checkpoint (config, step and char tokenizer from its
 * metadata; a checkpoint of a Hugging Face tokenizer needs its folder instead).
 */
export async function readCheckpointFile (path: string): Promise<ModelFolder> {
  const name = basename(path)
  const loaded = weightsFromSafetensors(await readFolderBytes(dirname(path), name), name)
  if (loaded.tokenizer === undefined) {
    throw new InvalidModelFolderError(name, 'missing-tokenizer', 'records no char tokenizer; load the model folder that holds its tokenizer.json')
  }
  return { config: loaded.config, weights: loaded.weights, tokenizer: tokenizerFromSpec(loaded.tokenizer), step: loaded.step }
}

/**
 * Loads a policy from a model folder, a single murmur `.safetensors` checkpoint, or
 * already-loaded parts. The ONNX graph is rebuilt from the weights (the folder's
 * `onnx/model.onnx` is for other tools).
 */
export async function loadPolicy (source: string | ModelFolder, init: Omit<PolicyInit, 'config' | 'weights' | 'tokenizer'> = {}): Promise<Policy> {
  let folder: ModelFolder
  if (typeof source !== 'string') folder = source
  else if (source.endsWith('.safetensors') && (await stat(source).catch(() => undefined))?.isFile() === true) folder = await readCheckpointFile(source)
  else folder = await readModelFolder(source)
  return await createPolicy({ ...init, config: folder.config, weights: folder.weights, tokenizer: folder.tokenizer, step: init.step ?? folder.step })
}

/** Reads a folder's `tokenizer.json` (+ optional `tokenizer_config.json`, also returned) and checks it fits `vocabSize`. */
export async function readFolderTokenizer (dir: string, vocabSize: number): Promise<{ tokenizer: Tokenizer, tokenizerConfig: Record<string, unknown> }> {
  const tokJson = await readFolderJson(dir, MODEL_FOLDER_FILES.tokenizer)
  const tokConfig = await readFolderJson(dir, MODEL_FOLDER_FILES.tokenizerConfig, true)
  let tokenizer: Tokenizer
  try {
    tokenizer = tokenizerFromFiles(tokJson, tokConfig)
  } catch (err) {
    if (err instanceof TokenizerError) throw new InvalidModelFolderError(MODEL_FOLDER_FILES.tokenizer, 'bad-tokenizer', err.message, { cause: err })
    throw err
  }
  if (tokenizer.vocabSize > vocabSize) {
    throw new InvalidModelFolderError(MODEL_FOLDER_FILES.tokenizer, 'vocab-mismatch', `the tokenizer has ${tokenizer.vocabSize} ids but config.json vocab_size is ${vocabSize}`)
  }
  return { tokenizer, tokenizerConfig: tokConfig }
}

function configFromJson (j: Record<string, unknown>): GptConfig {
  const file = MODEL_FOLDER_FILES.config
  const murmur = j.murmur as { config?: GptConfigInit } | undefined
  let init: GptConfigInit
  if (murmur?.config !== undefined) init = murmur.config
  else if (j.model_type === 'gpt2') {
    init = {
      nLayer: j.n_layer as number, nEmbd: j.n_embd as number, nHead: j.n_head as number, vocabSize: j.vocab_size as number,
      nCtx: j.n_positions as number, tiedEmbeddings: (j.tie_word_embeddings as boolean | undefined) ?? true,
      layerNormEps: j.layer_norm_epsilon as number | undefined,
      ...(typeof j.n_inner === 'number' && typeof j.n_embd === 'number' ? { mlpRatio: j.n_inner / j.n_embd } : {})
    }
  } else {
    throw new InvalidModelFolderError(file, 'unsupported-model', `model_type ${JSON.stringify(j.model_type)} is not a murmur gpt or GPT-2 model`)
  }
  try {
    return resolveGptConfig(init)
  } catch (err) {
    throw new InvalidModelFolderError(file, 'bad-config', (err as Error).message, { cause: err })
  }
}

/** Reads `name` inside `dir`; a missing or unreadable file is an `InvalidModelFolderError` naming it. */
export async function readFolderBytes (dir: string, name: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(join(dir, name)))
  } catch (err) {
    const code = (err as { code?: string }).code
    throw new InvalidModelFolderError(name, code === 'ENOENT' ? 'missing' : 'unreadable', code === 'ENOENT' ? `missing from ${dir}` : `cannot be read: ${(err as Error).message}`, { cause: err })
  }
}

/** Reads and parses a JSON object file of a folder (`{}` when `optional` and missing); problems name the file. */
export async function readFolderJson (dir: string, name: string, optional = false): Promise<Record<string, unknown>> {
  let bytes: Uint8Array
  try {
    bytes = await readFolderBytes(dir, name)
  } catch (err) {
    if (optional && err instanceof InvalidModelFolderError && err.problem === 'missing') return {}
    throw err
  }
  let value: unknown
  try {
    value = JSON.parse(new TextDecoder().decode(bytes))
  } catch (err) {
    throw new InvalidModelFolderError(name, 'bad-json', `is not valid JSON: ${(err as Error).message}`, { cause: err })
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new InvalidModelFolderError(name, 'bad-json', 'is not a JSON object')
  return value as Record<string, unknown>
}

/** A JSON file's text as Hugging Face writes its folders' files: two-space indent, final newline. */
export function jsonFileText (value: unknown): string {
  return JSON.stringify(value, null, 2) + '\n'
}

/**
 * Weights ↔ safetensors with murmur's metadata (model config, tokenizer spec, training step),
 * and validation of loaded tensors against the config.
 */
import { paramSpecs, resolveGptConfig, type GptConfig } from './config.js'
import { InvalidModelFolderError, SafetensorsFormatError } from './errors.js'
import { modelParamSpecs, type ModelConfig } from './model-def.js'
import { readSafetensors, tensorFromFloat32, tensorToFloat32, writeSafetensors, type SafeTensor, type SafetensorsDtype } from './safetensors.js'
import type { TokenizerSpec } from './tokenizer/types.js'
import type { Weights } from './weights.js'

/** Options of `weightsToSafetensors`. */
export interface SaveWeightsOptions {
  /** Storage dtype; default F32 (exact). F16/BF16 round to nearest even. */
  dtype?: SafetensorsDtype
  /** Training step recorded in the metadata. */
  step?: number
  /** Tokenizer recorded in the metadata (char tokenizers inline; HF ones by file name only). */
  tokenizer?: TokenizerSpec
}

/** What a murmur safetensors file holds (`C`: the config type, gpt unless a family config was passed). */
export interface LoadedWeights<C = GptConfig> {
  config: C
  weights: Weights
  step: number
  /** The char tokenizer's spec when the file records one. */
  tokenizer: TokenizerSpec | undefined
}

/** Serializes weights in canonical order with metadata `murmur_config`, `murmur_step`, `murmur_tokenizer`. */
export function weightsToSafetensors (config: GptConfig, weights: Weights, options: SaveWeightsOptions = {}): Uint8Array {
  const tensors: Record<string, SafeTensor> = {}
  for (const spec of paramSpecs(config)) tensors[spec.name] = tensorFromFloat32(weights[spec.name], [...spec.shape], options.dtype ?? 'F32')
  const metadata: Record<string, string> = { format: 'pt', murmur_config: JSON.stringify(config), murmur_step: String(options.step ?? 0) }
  const tok = options.tokenizer
  if (tok !== undefined) metadata.murmur_tokenizer = JSON.stringify(tok.kind === 'char' ? tok : { kind: 'hf', file: 'tokenizer.json' })
  return writeSafetensors(tensors, metadata)
}

/**
 * Parses a murmur (or GPT-2 layout) safetensors file. The config comes from `config` when
 * given, else from the file's metadata. Every parameter must be present with the config's
 * shape; F16/BF16 widen to float32. Problems throw `InvalidModelFolderError` naming `file`.
 */
export function weightsFromSafetensors (bytes: Uint8Array, file: string, config?: GptConfig): LoadedWeights
/** With a config of any family (e.g. a Llama / Qwen node's checkpoint), validated against that config. */
export function weightsFromSafetensors (bytes: Uint8Array, file: string, config: ModelConfig): LoadedWeights<ModelConfig>
export function weightsFromSafetensors (bytes: Uint8Array, file: string, config?: ModelConfig): LoadedWeights<ModelConfig> {
  let parsed
  try {
    parsed = readSafetensors(bytes, file)
  } catch (err) {
    if (err instanceof SafetensorsFormatError) {
      throw new InvalidModelFolderError(file, err.problem === 'unsupported-dtype' ? 'wrong-dtype' : err.problem, err.message.slice(file.length + 2), { cause: err })
    }
    throw err
  }
  const { tensors, metadata } = parsed
  let cfg: ModelConfig | undefined = config
  if (cfg === undefined) {
    if (metadata.murmur_config === undefined) throw new InvalidModelFolderError(file, 'missing-config', 'no murmur_config metadata; pass the model config (config.json)')
    try {
      cfg = resolveGptConfig(JSON.parse(metadata.murmur_config) as GptConfig)
    } catch (err) {
      throw new InvalidModelFolderError(file, 'bad-config', `murmur_config metadata is invalid: ${(err as Error).message}`, { cause: err })
    }
  }
  const weights: Weights = {}
  const specs = modelParamSpecs(cfg)
  const known = new Set(specs.map(s => s.name))
  for (const spec of specs) {
    const t = tensors[spec.name]
    if (t === undefined) throw new InvalidModelFolderError(file, 'missing-tensor', `tensor "${spec.name}" is missing`)
    if (t.shape.length !== spec.shape.length || t.shape.some((d, i) => d !== spec.shape[i])) {
      throw new InvalidModelFolderError(file, 'wrong-shape', `tensor "${spec.name}" has shape [${t.shape.join(', ')}], the config needs [${spec.shape.join(', ')}]`)
    }
    weights[spec.name] = tensorToFloat32(t) // readSafetensors already copied the bytes out
  }
  const extra = Object.keys(tensors).filter(n => !known.has(n) && n !== 'lm_head.weight')
  if (extra.length > 0) throw new InvalidModelFolderError(file, 'unexpected-tensor', `tensor "${extra[0]}" is not a parameter of this config`)
  const step = Number(metadata.murmur_step ?? '0')
  let tokenizer: TokenizerSpec | undefined
  if (metadata.murmur_tokenizer !== undefined) {
    try {
      const spec = JSON.parse(metadata.murmur_tokenizer) as { kind?: string, alphabet?: unknown }
      if (spec.kind === 'char' && typeof spec.alphabet === 'string') tokenizer = { kind: 'char', alphabet: spec.alphabet }
    } catch (err) {
      throw new InvalidModelFolderError(file, 'bad-metadata', 'murmur_tokenizer metadata is not JSON', { cause: err })
    }
  }
  return { config: cfg, weights, step: Number.isSafeInteger(step) && step >= 0 ? step : 0, tokenizer }
}

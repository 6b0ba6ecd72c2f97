/**
 * The `gpt` model family's config: decoder-only, pre-LayerNorm, causal multi-head attention,
 * GELU (tanh) MLP, learned or rotary positions, tied (or untied) embeddings.
 */
import { InvalidModelConfigError } from './errors.js'
import { LAYER_NORM_EPS, MAX_CTX, MAX_EMBD, MAX_LAYERS, MAX_VOCAB, MLP_RATIO, ROPE_THETA } from './constants.js'

/** How token positions enter the model. */
export type PositionEncoding = 'learned' | 'rotary'

/** A fully resolved, validated gpt config. */
export interface GptConfig {
  readonly nLayer: number
  readonly nEmbd: number
  readonly nHead: number
  readonly vocabSize: number
  /** Context window (positions) in tokens. */
  readonly nCtx: number
  readonly positions: PositionEncoding
  /** True: the output projection is the token embedding transposed (GPT-2). */
  readonly tiedEmbeddings: boolean
  readonly layerNormEps: number
  /** MLP hidden width = mlpRatio × nEmbd. */
  readonly mlpRatio: number
  /** Rotary base; only used with `positions: 'rotary'`. */
  readonly ropeTheta: number
}

/** What callers pass: the sizes are required, the rest defaults. */
export type GptConfigInit = Pick<GptConfig, 'nLayer' | 'nEmbd' | 'nHead' | 'vocabSize' | 'nCtx'> & Partial<GptConfig>

/**
 * Named presets. `tiny` is what the default demo runs: the lead's probes showed d 64 / 2 layers
 * learns 2-digit addition as well as d 128 and trains 1.7× faster. `small` (~0.81M params with the
 * 101-symbol char vocabulary) meets the "0.5–2M parameters" size the issue names, for harder tasks.
 * Both use a 64-token context (the built-in tasks are short) and the char tokenizer's vocabulary.
 */
export const gptConfigs = {
  /** ~0.11M parameters: d 64, 2 layers, 4 heads, context 64. */
  tiny: { nLayer: 2, nEmbd: 64, nHead: 4, vocabSize: 101, nCtx: 64 },
  /** ~0.81M parameters: d 128, 4 layers, 4 heads, context 64. */
  small: { nLayer: 4, nEmbd: 128, nHead: 4, vocabSize: 101, nCtx: 64 }
} as const satisfies Record<string, GptConfigInit>

/** Validates `init` and fills defaults; throws `InvalidModelConfigError` naming the bad key. */
export function resolveGptConfig (init: GptConfigInit): GptConfig {
  if (init == null || typeof init !== 'object') throw new InvalidModelConfigError('(root)', 'expected an object')
  const int = (key: keyof GptConfig, min: number, max: number): number => {
    const v = init[key]
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      throw new InvalidModelConfigError(key, `expected an integer in [${min}, ${max}], got ${JSON.stringify(v)}`)
    }
    return v
  }
  const nLayer = int('nLayer', 1, MAX_LAYERS)
  const nEmbd = int('nEmbd', 1, MAX_EMBD)
  const nHead = int('nHead', 1, MAX_EMBD)
  const vocabSize = int('vocabSize', 2, MAX_VOCAB)
  const nCtx = int('nCtx', 1, MAX_CTX)
  if (nEmbd % nHead !== 0) throw new InvalidModelConfigError('nHead', `must divide nEmbd (${nEmbd}), got ${nHead}`)
  const positions = init.positions ?? 'learned'
  if (positions !== 'learned' && positions !== 'rotary') {
    throw new InvalidModelConfigError('positions', `expected "learned" or "rotary", got ${JSON.stringify(positions)}`)
  }
  if (positions === 'rotary' && (nEmbd / nHead) % 2 !== 0) {
    throw new InvalidModelConfigError('nHead', `rotary positions need an even head size, got ${nEmbd / nHead}`)
  }
  const tiedEmbeddings = init.tiedEmbeddings ?? true
  if (typeof tiedEmbeddings !== 'boolean') throw new InvalidModelConfigError('tiedEmbeddings', 'expected a boolean')
  const positive = (key: 'layerNormEps' | 'mlpRatio' | 'ropeTheta', dflt: number): number => {
    const v = init[key] ?? dflt
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) {
      throw new InvalidModelConfigError(key, `expected a positive finite number, got ${JSON.stringify(v)}`)
    }
    return v
  }
  const mlpRatio = positive('mlpRatio', MLP_RATIO)
  if (!Number.isInteger(mlpRatio * nEmbd)) throw new InvalidModelConfigError('mlpRatio', 'mlpRatio × nEmbd must be an integer')
  return Object.freeze({
    nLayer,
    nEmbd,
    nHead,
    vocabSize,
    nCtx,
    positions,
    tiedEmbeddings,
    layerNormEps: positive('layerNormEps', LAYER_NORM_EPS),
    mlpRatio,
    ropeTheta: positive('ropeTheta', ROPE_THETA)
  })
}

/** Head size of a config. */
export function headDim (config: GptConfig): number {
  return config.nEmbd / config.nHead
}

/** The name, shape and init kind of every parameter, in a fixed order. */
export interface ParamSpec {
  readonly name: string
  readonly shape: readonly number[]
  /** normal: N(0, std); residual: N(0, std/√(2·nLayer)); zeros; ones. */
  readonly init: 'normal' | 'residual' | 'zeros' | 'ones'
}

/**
 * Parameter names and shapes. Names and layouts follow Hugging Face's GPT-2 (`transformer.h.0.attn.c_attn.weight`,
 * Conv1D weights stored [in, out]) so a learned-position model's safetensors is a GPT-2 checkpoint.
 */
export function paramSpecs (config: GptConfig): ParamSpec[] {
  const d = config.nEmbd
  const hidden = config.mlpRatio * d
  const specs: ParamSpec[] = [{ name: 'transformer.wte.weight', shape: [config.vocabSize, d], init: 'normal' }]
  if (config.positions === 'learned') specs.push({ name: 'transformer.wpe.weight', shape: [config.nCtx, d], init: 'normal' })
  for (let i = 0; i < config.nLayer; i++) {
    const p = `transformer.h.${i}.`
    specs.push(
      { name: p + 'ln_1.weight', shape: [d], init: 'ones' },
      { name: p + 'ln_1.bias', shape: [d], init: 'zeros' },
      { name: p + 'attn.c_attn.weight', shape: [d, 3 * d], init: 'normal' },
      { name: p + 'attn.c_attn.bias', shape: [3 * d], init: 'zeros' },
      { name: p + 'attn.c_proj.weight', shape: [d, d], init: 'residual' },
      { name: p + 'attn.c_proj.bias', shape: [d], init: 'zeros' },
      { name: p + 'ln_2.weight', shape: [d], init: 'ones' },
      { name: p + 'ln_2.bias', shape: [d], init: 'zeros' },
      { name: p + 'mlp.c_fc.weight', shape: [d, hidden], init: 'normal' },
      { name: p + 'mlp.c_fc.bias', shape: [hidden], init: 'zeros' },
      { name: p + 'mlp.c_proj.weight', shape: [hidden, d], init: 'residual' },
      { name: p + 'mlp.c_proj.bias', shape: [d], init: 'zeros' }
    )
  }
  specs.push(
    { name: 'transformer.ln_f.weight', shape: [d], init: 'ones' },
    { name: 'transformer.ln_f.bias', shape: [d], init: 'zeros' }
  )
  if (!config.tiedEmbeddings) specs.push({ name: 'lm_head.weight', shape: [config.vocabSize, d], init: 'normal' })
  return specs
}

/** Total number of parameters of a config. */
export function countParams (config: GptConfig): number {
  return paramSpecs(config).reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1), 0)
}

/** Multiply-adds per generated token at context length `t` (forward only), for FLOP/s reports. */
export function flopsPerToken (config: GptConfig, t: number): number {
  const d = config.nEmbd
  const matmul = config.nLayer * (3 * d * d + d * d + 2 * config.mlpRatio * d * d) + config.vocabSize * d
  const attention = config.nLayer * 2 * t * d
  return 2 * (matmul + attention)
}

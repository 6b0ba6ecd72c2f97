/**
 * Configs of the Hugging Face decoder families murmur runs — Llama, Qwen2 and Qwen3 — parsed
 * from a model folder's `config.json` into one validated shape. The families differ only in
 * flags: Qwen2 has q/k/v biases, Qwen3 RMS-normalizes queries and keys per head, Llama may
 * carry biases (`attention_bias`, `mlp_bias`) and llama3 rope scaling.
 */
import { InvalidModelFolderError } from '../errors.js'
import { MAX_CTX, MAX_EMBD, MAX_LAYERS, MAX_VOCAB } from '../constants.js'

/** The `model_type` values murmur loads as a family model. */
export const FAMILY_MODEL_TYPES = ['llama', 'qwen2', 'qwen3'] as const

/** One of `FAMILY_MODEL_TYPES`. */
export type FamilyModelType = typeof FAMILY_MODEL_TYPES[number]

/**
 * Rotary frequency scaling, as in transformers' `rope_scaling` (`rope_type`): none, linear
 * (positions / factor), llama3 (per-band wavelength scaling), yarn (ramped interpolation plus
 * an attention factor). `dynamic` NTK equals `none` inside the original context, which is
 * where murmur caps it.
 */
export type RopeScaling =
  | { type: 'none' }
  | { type: 'linear', factor: number }
  | { type: 'llama3', factor: number, lowFreqFactor: number, highFreqFactor: number, originalMaxPositions: number }
  | { type: 'yarn', factor: number, originalMaxPositions: number, betaFast: number, betaSlow: number, attentionFactor: number, truncate: boolean }

/** A validated family config (sizes in HF terms). */
export interface FamilyConfig {
  readonly modelType: FamilyModelType
  readonly vocabSize: number
  readonly hiddenSize: number
  readonly nLayer: number
  readonly nHead: number
  /** Key/value heads (grouped-query attention when < nHead). */
  readonly nKvHead: number
  readonly headDim: number
  readonly intermediateSize: number
  readonly rmsEps: number
  readonly ropeTheta: number
  readonly ropeScaling: RopeScaling
  /** Context window murmur uses: `max_position_embeddings` (capped by MAX_CTX and, for dynamic rope, by the original context). */
  readonly nCtx: number
  readonly tiedEmbeddings: boolean
  /** Biases on q/k/v projections (Qwen2; Llama with `attention_bias`). */
  readonly qkvBias: boolean
  /** Bias on the output projection (Llama with `attention_bias`). */
  readonly oBias: boolean
  /** Biases on gate/up/down (Llama with `mlp_bias`). */
  readonly mlpBias: boolean
  /** Per-head RMSNorm of queries and keys before rotary (Qwen3). */
  readonly qkNorm: boolean
}

const FILE = 'config.json'

/** Parses a `config.json` object; any problem is an `InvalidModelFolderError` naming config.json and the key. */
export function familyConfigFromJson (j: Record<string, unknown>, contextCap = MAX_CTX): FamilyConfig {
  const bad = (key: string, msg: string): never => { throw new InvalidModelFolderError(FILE, 'bad-config', `${key}: ${msg}`) }
  const modelType = j.model_type
  if (!(FAMILY_MODEL_TYPES as readonly unknown[]).includes(modelType)) {
    throw new InvalidModelFolderError(FILE, 'unsupported-model', `model_type ${JSON.stringify(modelType)} is not one of ${FAMILY_MODEL_TYPES.join(', ')}`)
  }
  const int = (key: string, min: number, max: number, dflt?: number): number => {
    const v = j[key] ?? dflt
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) bad(key, `expected an integer in [${min}, ${max}], got ${JSON.stringify(v)}`)
    return v as number
  }
  const pos = (key: string, dflt: number): number => {
    const v = j[key] ?? dflt
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) bad(key, `expected a positive number, got ${JSON.stringify(v)}`)
    return v as number
  }
  const bool = (key: string, dflt: boolean): boolean => {
    const v = j[key] ?? dflt
    if (typeof v !== 'boolean') bad(key, `expected a boolean, got ${JSON.stringify(v)}`)
    return v as boolean
  }
  const hiddenSize = int('hidden_size', 1, MAX_EMBD)
  const nHead = int('num_attention_heads', 1, MAX_EMBD)
  const nKvHead = int('num_key_value_heads', 1, nHead, nHead)
  if (nHead % nKvHead !== 0) bad('num_key_value_heads', `${nKvHead} must divide num_attention_heads (${nHead})`)
  const defaultHead = hiddenSize % nHead === 0 ? hiddenSize / nHead : undefined
  const headDim = int('head_dim', 2, MAX_EMBD, defaultHead)
  if (headDim % 2 !== 0) bad('head_dim', `rotary embeddings need an even head size, got ${headDim}`)
  if (j.use_sliding_window === true) bad('use_sliding_window', 'sliding-window attention is not supported')
  if (j.hidden_act !== undefined && j.hidden_act !== 'silu') bad('hidden_act', `only "silu" is supported, got ${JSON.stringify(j.hidden_act)}`)
  const maxPositions = int('max_position_embeddings', 1, Number.MAX_SAFE_INTEGER, 2048)
  const ropeTheta = pos('rope_theta', 10_000)
  const ropeScaling = parseRopeScaling(j.rope_scaling, maxPositions, bad)
  const dynamicCap = isDynamic(j.rope_scaling) ? originalMax(j.rope_scaling as Record<string, unknown>, maxPositions) : Infinity
  const attentionBias = bool('attention_bias', false)
  return Object.freeze({
    modelType: modelType as FamilyModelType,
    vocabSize: int('vocab_size', 2, MAX_VOCAB),
    hiddenSize,
    nLayer: int('num_hidden_layers', 1, MAX_LAYERS),
    nHead,
    nKvHead,
    headDim,
    intermediateSize: int('intermediate_size', 1, 16 * MAX_EMBD),
    rmsEps: pos('rms_norm_eps', 1e-6),
    ropeTheta,
    ropeScaling,
    nCtx: Math.min(maxPositions, contextCap, dynamicCap),
    tiedEmbeddings: bool('tie_word_embeddings', false),
    qkvBias: modelType === 'qwen2' ? true : attentionBias,
    oBias: modelType === 'llama' ? attentionBias : false,
    mlpBias: modelType === 'llama' ? bool('mlp_bias', false) : false,
    qkNorm: modelType === 'qwen3'
  })
}

/** Writes `config` back as a transformers `config.json` object (what transformers.js and PyTorch read). */
export function familyConfigToJson (c: FamilyConfig, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const arch = { llama: 'LlamaForCausalLM', qwen2: 'Qwen2ForCausalLM', qwen3: 'Qwen3ForCausalLM' }[c.modelType]
  const out: Record<string, unknown> = {
    model_type: c.modelType,
    architectures: [arch],
    vocab_size: c.vocabSize,
    hidden_size: c.hiddenSize,
    num_hidden_layers: c.nLayer,
    num_attention_heads: c.nHead,
    num_key_value_heads: c.nKvHead,
    head_dim: c.headDim,
    intermediate_size: c.intermediateSize,
    hidden_act: 'silu',
    rms_norm_eps: c.rmsEps,
    rope_theta: c.ropeTheta,
    rope_scaling: ropeScalingToJson(c.ropeScaling),
    max_position_embeddings: c.nCtx,
    tie_word_embeddings: c.tiedEmbeddings,
    torch_dtype: 'float32',
    use_cache: true,
    ...extra
  }
  if (c.modelType === 'llama') {
    out.attention_bias = c.qkvBias
    out.mlp_bias = c.mlpBias
  }
  if (c.modelType === 'qwen3') out.attention_bias = c.qkvBias
  return out
}

function isDynamic (raw: unknown): boolean {
  if (raw === null || typeof raw !== 'object') return false
  const r = raw as Record<string, unknown>
  return (r.rope_type ?? r.type) === 'dynamic'
}

function originalMax (r: Record<string, unknown>, maxPositions: number): number {
  const v = r.original_max_position_embeddings
  return typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : maxPositions
}

function parseRopeScaling (raw: unknown, maxPositions: number, bad: (key: string, msg: string) => never): RopeScaling {
  if (raw === undefined || raw === null) return { type: 'none' }
  if (typeof raw !== 'object' || Array.isArray(raw)) return bad('rope_scaling', 'expected an object or null')
  const r = raw as Record<string, unknown>
  const type = r.rope_type ?? r.type
  const num = (key: string, dflt?: number): number => {
    const v = r[key] ?? dflt
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) bad(`rope_scaling.${key}`, `expected a positive number, got ${JSON.stringify(v)}`)
    return v as number
  }
  switch (type) {
    case 'default': return { type: 'none' }
    case 'dynamic': return { type: 'none' }
    case 'linear': return { type: 'linear', factor: num('factor') }
    case 'llama3': {
      const s = { type: 'llama3' as const, factor: num('factor'), lowFreqFactor: num('low_freq_factor'), highFreqFactor: num('high_freq_factor'), originalMaxPositions: num('original_max_position_embeddings') }
      if (s.highFreqFactor <= s.lowFreqFactor) bad('rope_scaling.high_freq_factor', 'must exceed low_freq_factor')
      return s
    }
    case 'yarn': {
      const factor = num('factor')
      const mscale = (scale: number, m = 1): number => scale <= 1 ? 1 : 0.1 * m * Math.log(scale) + 1
      let attentionFactor: number
      if (r.attention_factor !== undefined && r.attention_factor !== null) attentionFactor = num('attention_factor')
      else if (typeof r.mscale === 'number' && typeof r.mscale_all_dim === 'number' && r.mscale !== 0 && r.mscale_all_dim !== 0) attentionFactor = mscale(factor, r.mscale) / mscale(factor, r.mscale_all_dim)
      else attentionFactor = mscale(factor)
      return {
        type: 'yarn',
        factor,
        originalMaxPositions: num('original_max_position_embeddings', maxPositions),
        betaFast: num('beta_fast', 32),
        betaSlow: num('beta_slow', 1),
        attentionFactor,
        truncate: r.truncate !== false
      }
    }
    default: return bad('rope_scaling.rope_type', `${JSON.stringify(type)} is not supported (default, linear, dynamic, llama3, yarn)`)
  }
}

function ropeScalingToJson (s: RopeScaling): Record<string, unknown> | null {
  switch (s.type) {
    case 'none': return null
    case 'linear': return { rope_type: 'linear', factor: s.factor }
    case 'llama3': return { rope_type: 'llama3', factor: s.factor, low_freq_factor: s.lowFreqFactor, high_freq_factor: s.highFreqFactor, original_max_position_embeddings: s.originalMaxPositions }
    case 'yarn': return { rope_type: 'yarn', factor: s.factor, original_max_position_embeddings: s.originalMaxPositions, beta_fast: s.betaFast, beta_slow: s.betaSlow, attention_factor: s.attentionFactor, truncate: s.truncate }
  }
}

/**
 * Rotary inverse frequencies (head_dim / 2 of them) and the attention factor that scales
 * cos/sin, computed in float64 exactly as transformers' rope initializers do.
 */
export function ropeFrequencies (c: Pick<FamilyConfig, 'headDim' | 'ropeTheta' | 'ropeScaling'>): { invFreq: Float64Array, attentionFactor: number } {
  const dim = c.headDim
  const half = dim / 2
  const base = new Float64Array(half)
  for (let i = 0; i < half; i++) base[i] = 1 / c.ropeTheta ** (2 * i / dim)
  const s = c.ropeScaling
  if (s.type === 'none') return { invFreq: base, attentionFactor: 1 }
  if (s.type === 'linear') return { invFreq: base.map(f => f / s.factor), attentionFactor: 1 }
  if (s.type === 'llama3') {
    const lowWavelen = s.originalMaxPositions / s.lowFreqFactor
    const highWavelen = s.originalMaxPositions / s.highFreqFactor
    return {
      invFreq: base.map(f => {
        const wavelen = 2 * Math.PI / f
        if (wavelen < highWavelen) return f
        if (wavelen > lowWavelen) return f / s.factor
        const smooth = (s.originalMaxPositions / wavelen - s.lowFreqFactor) / (s.highFreqFactor - s.lowFreqFactor)
        return (1 - smooth) * f / s.factor + smooth * f
      }),
      attentionFactor: 1
    }
  }
  const correctionDim = (rotations: number): number => dim * Math.log(s.originalMaxPositions / (rotations * 2 * Math.PI)) / (2 * Math.log(c.ropeTheta))
  let low = correctionDim(s.betaFast)
  let high = correctionDim(s.betaSlow)
  if (s.truncate) {
    low = Math.floor(low)
    high = Math.ceil(high)
  }
  low = Math.max(low, 0)
  high = Math.min(high, dim - 1)
  if (low === high) high += 0.001
  const invFreq = new Float64Array(half)
  for (let i = 0; i < half; i++) {
    const ramp = Math.min(1, Math.max(0, (i - low) / (high - low)))
    const extrapolation = 1 - ramp
    invFreq[i] = base[i] / s.factor * (1 - extrapolation) + base[i] * extrapolation
  }
  return { invFreq, attentionFactor: s.attentionFactor }
}

/** Parameter names and shapes of a family model, HF names in a fixed order. */
export function familyParamSpecs (c: FamilyConfig): Array<{ name: string, shape: number[] }> {
  const H = c.hiddenSize
  const q = c.nHead * c.headDim
  const kv = c.nKvHead * c.headDim
  const I = c.intermediateSize
  const specs: Array<{ name: string, shape: number[] }> = [{ name: 'model.embed_tokens.weight', shape: [c.vocabSize, H] }]
  for (let l = 0; l < c.nLayer; l++) {
    const p = `model.layers.${l}.`
    specs.push({ name: p + 'input_layernorm.weight', shape: [H] })
    specs.push({ name: p + 'self_attn.q_proj.weight', shape: [q, H] })
    if (c.qkvBias) specs.push({ name: p + 'self_attn.q_proj.bias', shape: [q] })
    specs.push({ name: p + 'self_attn.k_proj.weight', shape: [kv, H] })
    if (c.qkvBias) specs.push({ name: p + 'self_attn.k_proj.bias', shape: [kv] })
    specs.push({ name: p + 'self_attn.v_proj.weight', shape: [kv, H] })
    if (c.qkvBias) specs.push({ name: p + 'self_attn.v_proj.bias', shape: [kv] })
    specs.push({ name: p + 'self_attn.o_proj.weight', shape: [H, q] })
    if (c.oBias) specs.push({ name: p + 'self_attn.o_proj.bias', shape: [H] })
    if (c.qkNorm) specs.push({ name: p + 'self_attn.q_norm.weight', shape: [c.headDim] }, { name: p + 'self_attn.k_norm.weight', shape: [c.headDim] })
    specs.push({ name: p + 'post_attention_layernorm.weight', shape: [H] })
    for (const [name, shape] of [['gate_proj', [I, H]], ['up_proj', [I, H]], ['down_proj', [H, I]]] as const) {
      specs.push({ name: `${p}mlp.${name}.weight`, shape: [...shape] })
      if (c.mlpBias) specs.push({ name: `${p}mlp.${name}.bias`, shape: [shape[0]] })
    }
  }
  specs.push({ name: 'model.norm.weight', shape: [H] })
  if (!c.tiedEmbeddings) specs.push({ name: 'lm_head.weight', shape: [c.vocabSize, H] })
  return specs
}

/** Multiply-adds ×2 per generated token at context length `t` (forward only), for FLOP/s reports. */
export function familyFlopsPerToken (c: FamilyConfig, t: number): number {
  const H = c.hiddenSize
  const q = c.nHead * c.headDim
  const kv = c.nKvHead * c.headDim
  const perLayer = H * q + 2 * H * kv + q * H + 3 * H * c.intermediateSize
  const attention = 2 * t * q
  return 2 * (c.nLayer * (perLayer + attention) + c.vocabSize * H)
}

/** Total number of parameters of a family config. */
export function countFamilyParams (c: FamilyConfig): number {
  return familyParamSpecs(c).reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1), 0)
}

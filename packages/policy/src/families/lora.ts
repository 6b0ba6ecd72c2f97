/**
 * LoRA for the family models: rank-r adapters A [r, in] and B [out, r] on chosen projections,
 * W' = W + (α/r)·B·A, with PEFT's names (`…q_proj.lora_A.weight`) and init (A uniform in
 * ±1/√in, B zero, so training starts at the base model). `withLora` swaps the targeted weights
 * for W' inside the graph, so the one family forward serves base, adapted and merged models;
 * `mergeLora` folds the adapters into plain weights for export.
 */
import { tensor, type GraphBuilder } from '@murmur/graph'
import type { GptParams } from '../model-graph.js'
import { createRng, InvalidArgumentError } from '@murmur/interface'
import { familyParamSpecs, type FamilyConfig } from './config.js'
import type { FamilyWeights } from './folder.js'

/** Projections an adapter can attach to. */
export const LORA_TARGETS = ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'] as const

/** Projections that get adapters when none are named (PEFT's default for these families). */
export const DEFAULT_LORA_TARGETS: readonly LoraTarget[] = Object.freeze(['q_proj', 'v_proj'])

/** One of `LORA_TARGETS`. */
export type LoraTarget = typeof LORA_TARGETS[number]

/** A validated LoRA config. */
export interface LoraConfig {
  readonly rank: number
  readonly alpha: number
  readonly targets: readonly LoraTarget[]
}

/** Defaults: rank 8, α 16, on q_proj and v_proj (PEFT's defaults for these families). */
export function resolveLoraConfig (init: Partial<LoraConfig> = {}): LoraConfig {
  const rank = init.rank ?? 8
  if (!Number.isInteger(rank) || rank < 1 || rank > 4096) throw new InvalidArgumentError('lora.rank', `expected an integer in [1, 4096], got ${rank}`)
  const alpha = init.alpha ?? 2 * rank
  if (!(alpha > 0) || !Number.isFinite(alpha)) throw new InvalidArgumentError('lora.alpha', `expected a positive number, got ${alpha}`)
  const targets = init.targets ?? DEFAULT_LORA_TARGETS
  if (targets.length === 0 || targets.some(t => !(LORA_TARGETS as readonly string[]).includes(t))) {
    throw new InvalidArgumentError('lora.targets', `expected a non-empty subset of ${LORA_TARGETS.join(', ')}, got ${JSON.stringify(targets)}`)
  }
  return Object.freeze({ rank, alpha, targets: Object.freeze([...new Set(targets)]) })
}

/** One adapter: the base weight it modifies and its A / B tensors. */
export interface LoraSpec {
  base: string
  a: { name: string, shape: [number, number] }
  b: { name: string, shape: [number, number] }
}

/** The adapters of `config` under `lora`, in parameter order. */
export function loraSpecs (config: FamilyConfig, lora: LoraConfig): LoraSpec[] {
  const out: LoraSpec[] = []
  for (const s of familyParamSpecs(config)) {
    const m = /^(.*\.(\w+_proj))\.weight$/.exec(s.name)
    if (m === null || !(lora.targets as readonly string[]).includes(m[2])) continue
    const [rows, cols] = s.shape
    out.push({ base: s.name, a: { name: `${m[1]}.lora_A.weight`, shape: [lora.rank, cols] }, b: { name: `${m[1]}.lora_B.weight`, shape: [rows, lora.rank] } })
  }
  return out
}

/** Fresh adapters: A uniform in ±1/√in (PEFT's Kaiming init), B zero; seeded. */
export function initLoraWeights (config: FamilyConfig, lora: LoraConfig, seed: number): FamilyWeights {
  const rng = createRng(seed)
  const w: FamilyWeights = {}
  for (const s of loraSpecs(config, lora)) {
    const bound = 1 / Math.sqrt(s.a.shape[1])
    w[s.a.name] = Float32Array.from({ length: s.a.shape[0] * s.a.shape[1] }, () => (2 * rng.nextFloat() - 1) * bound)
    w[s.b.name] = new Float32Array(s.b.shape[0] * s.b.shape[1])
  }
  return w
}

/** `params` with every targeted weight W replaced by W + (α/r)·B·A, computed in the graph from `adapters` (graph values by adapter name). */
export function withLora (b: GraphBuilder, config: FamilyConfig, lora: LoraConfig, params: GptParams, adapters: GptParams): GptParams {
  const out: GptParams = { ...params }
  const scale = lora.alpha / lora.rank
  for (const s of loraSpecs(config, lora)) {
    out[s.base] = b.scope(s.base.replace(/\.weight$/, '.lora'), () => b.add(params[s.base], b.mul(b.matmul(adapters[s.b.name], adapters[s.a.name]), scale)))
  }
  return out
}

/** Plain weights with the adapters folded in (W + (α/r)·B·A), for export or a merged policy. */
export function mergeLora (config: FamilyConfig, lora: LoraConfig, base: FamilyWeights, adapters: FamilyWeights): FamilyWeights {
  const out: FamilyWeights = { ...base }
  const scale = lora.alpha / lora.rank
  for (const s of loraSpecs(config, lora)) {
    const A = adapters[s.a.name]
    const B = adapters[s.b.name]
    const [rows, cols] = [s.b.shape[0], s.a.shape[1]]
    const W = Float32Array.from(base[s.base])
    for (let i = 0; i < rows; i++) {
      for (let k = 0; k < lora.rank; k++) {
        const bik = B[i * lora.rank + k] * scale
        if (bik === 0) continue
        for (let j = 0; j < cols; j++) W[i * cols + j] += bik * A[k * cols + j]
      }
    }
    out[s.base] = W
  }
  return out
}

/**
 * A LoRA-adapted family model as the trainer and the policy see it: its trainable parameters
 * are the adapters only; the base weights ride along as frozen constants of every graph
 * (initializers that stay inside the onnxruntime session), and a policy samples from the
 * merged weights. Train it like any model (`createTrainer({ config: loraModel(…) , weights:
 * adapters })`); checkpoints then hold adapters and their AdamW state only.
 */
export interface LoraModel {
  readonly kind: 'lora'
  readonly base: FamilyConfig
  readonly lora: LoraConfig
  readonly baseWeights: Readonly<FamilyWeights>
  /** The base's context window and vocabulary (what batching needs). */
  readonly nCtx: number
  readonly vocabSize: number
}

/** Wraps a family model and its weights with adapters of `lora`. */
export function loraModel (base: FamilyConfig, baseWeights: FamilyWeights, lora: LoraConfig): LoraModel {
  return Object.freeze({ kind: 'lora', base, lora, baseWeights, nCtx: base.nCtx, vocabSize: base.vocabSize })
}

/** The adapters' names and shapes (the trainable parameters of a `LoraModel`). */
export function loraParamSpecs (m: LoraModel): Array<{ name: string, shape: number[] }> {
  return loraSpecs(m.base, m.lora).flatMap(s => [{ name: s.a.name, shape: [...s.a.shape] }, { name: s.b.name, shape: [...s.b.shape] }])
}

/** `adapters` as graph inputs or given values, composed with the frozen base weights (constants of `dtype`) into the params the family forward reads. */
export function loraParams (b: GraphBuilder, m: LoraModel, adapters: GptParams): GptParams {
  const dtype = Object.values(adapters)[0]?.dtype === 'float64' ? 'float64' : 'float32'
  const base: GptParams = {}
  for (const s of familyParamSpecs(m.base)) {
    const w = m.baseWeights[s.name]
    base[s.name] = b.param(s.name, tensor(dtype, s.shape, dtype === 'float32' ? w : Float64Array.from(w)), { trainable: false })
  }
  return withLora(b, m.base, m.lora, base, adapters)
}

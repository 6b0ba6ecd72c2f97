/**
 * Trainer state as plain bytes for the store: weights and AdamW moments as safetensors
 * (F32, bit-exact), plus the optimizer step and the shuffling RNG state (interface's generator).
 */
import { createRng, type RngState } from '@murmur/interface'
import { modelParamSpecs, type ModelConfig, readSafetensors, tensorFromFloat32, tensorToFloat32, writeSafetensors, type SafeTensor, type Weights } from '@murmur/policy'
import { InvalidTrainerStateError } from './errors.js'

/** A trainer checkpoint: what `Trainer.exportState()` returns and `importState()` takes. */
export interface TrainerState {
  /** Current weights (safetensors, F32, HF GPT-2 names). */
  weights: Uint8Array
  /** AdamW first/second moments (`m.<name>`, `v.<name>`; safetensors, F32). */
  optimizer: Uint8Array
  /** Optimizer steps taken. */
  step: number
  /**
   * Shuffling RNG state (four uint32 words). A plain number is the single-word state of the
   * previous version's generator: it still loads, seeding the new generator from it (the
   * shuffling order after such a resume differs from what the old version would have drawn).
   */
  rng: RngState | number
}

/** Weights and AdamW moments by parameter name, plus the step. */
export interface OptimizerSnapshot {
  weights: Weights
  m: Weights
  v: Weights
  step: number
}

/** Serializes a snapshot (copies nothing it does not need to). */
export function encodeTrainerState (config: ModelConfig, s: OptimizerSnapshot, rng: RngState): TrainerState {
  const w: Record<string, SafeTensor> = {}
  const o: Record<string, SafeTensor> = {}
  for (const spec of modelParamSpecs(config)) {
    const shape = [...spec.shape]
    w[spec.name] = tensorFromFloat32(s.weights[spec.name], shape)
    o[`m.${spec.name}`] = tensorFromFloat32(s.m[spec.name], shape)
    o[`v.${spec.name}`] = tensorFromFloat32(s.v[spec.name], shape)
  }
  return {
    weights: writeSafetensors(w, { step: String(s.step) }),
    optimizer: writeSafetensors(o, { step: String(s.step) }),
    step: s.step,
    rng: { ...rng }
  }
}

/** Parses and validates a state against `config`; throws `InvalidTrainerStateError`. */
export function decodeTrainerState (config: ModelConfig, state: TrainerState): { optimizer: OptimizerSnapshot, rng: RngState } {
  if (state === null || typeof state !== 'object') throw new InvalidTrainerStateError('expected an object')
  if (!Number.isSafeInteger(state.step) || state.step < 0) throw new InvalidTrainerStateError(`step must be a non-negative integer, got ${String(state.step)}`)
  const rng = decodeRng(state.rng)
  let wf, of
  try {
    wf = readSafetensors(state.weights, 'weights')
    of = readSafetensors(state.optimizer, 'optimizer')
  } catch (err) {
    throw new InvalidTrainerStateError((err as Error).message, { cause: err })
  }
  const weights: Weights = {}
  const m: Weights = {}
  const v: Weights = {}
  const take = (tensors: Record<string, SafeTensor>, name: string, shape: readonly number[]): Float32Array => {
    const t = tensors[name]
    if (t === undefined) throw new InvalidTrainerStateError(`tensor ${name} is missing`)
    if (t.dtype !== 'F32' || t.shape.join(',') !== shape.join(',')) {
      throw new InvalidTrainerStateError(`tensor ${name} is ${t.dtype} [${t.shape.join(', ')}], expected F32 [${shape.join(', ')}]`)
    }
    return tensorToFloat32(t)
  }
  const specs = modelParamSpecs(config)
  if (Object.keys(wf.tensors).length !== specs.length || Object.keys(of.tensors).length !== 2 * specs.length) {
    throw new InvalidTrainerStateError('tensor count does not match the model config')
  }
  for (const spec of specs) {
    weights[spec.name] = take(wf.tensors, spec.name, spec.shape)
    m[spec.name] = take(of.tensors, `m.${spec.name}`, spec.shape)
    v[spec.name] = take(of.tensors, `v.${spec.name}`, spec.shape)
  }
  return { optimizer: { weights, m, v, step: state.step }, rng }
}

const isWord = (x: unknown): x is number => typeof x === 'number' && Number.isInteger(x) && x >= 0 && x <= 0xffffffff

function decodeRng (rng: unknown): RngState {
  if (isWord(rng)) return createRng(rng).getState()
  const r = rng as Partial<RngState> | null
  if (r === null || typeof r !== 'object' || !isWord(r.a) || !isWord(r.b) || !isWord(r.c) || !isWord(r.d)) {
    throw new InvalidTrainerStateError(`rng must be { a, b, c, d } uint32 words, got ${JSON.stringify(rng)}`)
  }
  return { a: r.a, b: r.b, c: r.c, d: r.d }
}

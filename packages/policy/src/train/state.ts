/**
 * Trainer state as plain bytes for the store: weights and AdamW moments as safetensors
 * (F32, bit-exact), plus the optimizer step and the shuffling RNG state.
 */
import { paramSpecs, type GptConfig } from '../config.js'
import { readSafetensors, tensorFromFloat32, tensorToFloat32, writeSafetensors, type SafeTensor } from '../safetensors.js'
import type { Weights } from '../weights.js'
import { InvalidTrainerStateError } from './errors.js'

/** A trainer checkpoint: what `Trainer.exportState()` returns and `importState()` takes. */
export interface TrainerState {
  /** Current weights (safetensors, F32, HF GPT-2 names). */
  weights: Uint8Array
  /** AdamW first/second moments (`m.<name>`, `v.<name>`; safetensors, F32). */
  optimizer: Uint8Array
  /** Optimizer steps taken. */
  step: number
  /** Shuffling RNG state (uint32). */
  rng: number
}

/** Weights and AdamW moments by parameter name, plus the step. */
export interface OptimizerSnapshot {
  weights: Weights
  m: Weights
  v: Weights
  step: number
}

/** Serializes a snapshot (copies nothing it does not need to). */
export function encodeTrainerState (config: GptConfig, s: OptimizerSnapshot, rng: number): TrainerState {
  const w: Record<string, SafeTensor> = {}
  const o: Record<string, SafeTensor> = {}
  for (const spec of paramSpecs(config)) {
    const shape = [...spec.shape]
    w[spec.name] = tensorFromFloat32(s.weights[spec.name], shape)
    o[`m.${spec.name}`] = tensorFromFloat32(s.m[spec.name], shape)
    o[`v.${spec.name}`] = tensorFromFloat32(s.v[spec.name], shape)
  }
  return {
    weights: writeSafetensors(w, { step: String(s.step) }),
    optimizer: writeSafetensors(o, { step: String(s.step) }),
    step: s.step,
    rng
  }
}

/** Parses and validates a state against `config`; throws `InvalidTrainerStateError`. */
export function decodeTrainerState (config: GptConfig, state: TrainerState): { optimizer: OptimizerSnapshot, rng: number } {
  if (state === null || typeof state !== 'object') throw new InvalidTrainerStateError('expected an object')
  if (!Number.isSafeInteger(state.step) || state.step < 0) throw new InvalidTrainerStateError(`step must be a non-negative integer, got ${String(state.step)}`)
  if (!Number.isInteger(state.rng) || state.rng < 0 || state.rng > 0xffffffff) throw new InvalidTrainerStateError(`rng must be a uint32, got ${String(state.rng)}`)
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
  const specs = paramSpecs(config)
  if (Object.keys(wf.tensors).length !== specs.length || Object.keys(of.tensors).length !== 2 * specs.length) {
    throw new InvalidTrainerStateError('tensor count does not match the model config')
  }
  for (const spec of specs) {
    weights[spec.name] = take(wf.tensors, spec.name, spec.shape)
    m[spec.name] = take(of.tensors, `m.${spec.name}`, spec.shape)
    v[spec.name] = take(of.tensors, `v.${spec.name}`, spec.shape)
  }
  return { optimizer: { weights, m, v, step: state.step }, rng: state.rng }
}

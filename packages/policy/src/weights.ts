/**
 * Named float32 weights of a gpt model: seeded initialization and validation against a config.
 */
import { paramSpecs, type GptConfig } from './config.js'
import { INIT_STD } from './constants.js'
import { WeightsMismatchError } from './errors.js'
import { createRng } from '@murmur/interface'

/** Parameters by name (HF GPT-2 names, see `paramSpecs`), row-major float32. */
export type Weights = Record<string, Float32Array>

/**
 * GPT-2 style seeded initialization: N(0, 0.02) for embeddings and projections, residual
 * output projections scaled by 1/√(2·nLayer), zero biases, unit LayerNorm gains.
 * The same (config, seed) always gives bit-identical weights.
 */
export function initWeights (config: GptConfig, seed: number): Weights {
  const rng = createRng(seed >>> 0)
  const weights: Weights = {}
  const residualStd = INIT_STD / Math.sqrt(2 * config.nLayer)
  for (const spec of paramSpecs(config)) {
    const n = spec.shape.reduce((a, b) => a * b, 1)
    const data = new Float32Array(n)
    if (spec.init === 'ones') data.fill(1)
    else if (spec.init === 'normal' || spec.init === 'residual') {
      const std = spec.init === 'normal' ? INIT_STD : residualStd
      for (let i = 0; i < n; i++) data[i] = rng.normal() * std
    }
    weights[spec.name] = data
  }
  return weights
}

/**
 * Checks that `weights` has exactly the parameters of `config` with the right sizes (extra names
 * are rejected too, so a checkpoint of another shape cannot load silently). Returns a copy
 * keyed in canonical order when `copy` is true.
 */
export function validateWeights (config: GptConfig, weights: Record<string, Float32Array>, copy = false): Weights {
  return checkWeightsAgainst(paramSpecs(config), weights, 'this model config', copy)
}

/** `validateWeights` for any list of parameter names and shapes (the family configs use it too). */
export function checkWeightsAgainst (specs: ReadonlyArray<{ name: string, shape: readonly number[] }>, weights: Record<string, Float32Array>, what: string, copy: boolean): Weights {
  const names = new Set(specs.map(s => s.name))
  for (const name of Object.keys(weights)) {
    if (!names.has(name)) throw new WeightsMismatchError(name, `is not a parameter of ${what}`)
  }
  const out: Weights = {}
  for (const spec of specs) {
    const w = weights[spec.name]
    if (w === undefined) throw new WeightsMismatchError(spec.name, 'is missing')
    if (!(w instanceof Float32Array)) throw new WeightsMismatchError(spec.name, 'must be a Float32Array')
    const n = spec.shape.reduce((a, b) => a * b, 1)
    if (w.length !== n) throw new WeightsMismatchError(spec.name, `expected ${n} values (shape [${spec.shape.join(', ')}]), got ${w.length}`)
    out[spec.name] = copy ? w.slice() : w
  }
  return out
}

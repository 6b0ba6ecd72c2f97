/**
 * Feeding and reading back the in-graph AdamW state of graph's `appendUpdate`: parameters,
 * moments `opt.m.<name>` / `opt.v.<name>` and the int64 `step`; outputs carry NEXT_SUFFIX.
 * In the flat layout (graph's `flatParamInput`) the parameters and each moment are one buffer
 * each (`params`, `opt.m.params`, `opt.v.params`) and the named tensors are views into them.
 * Shared by the policy step engine and the reward-model trainer.
 */
import { NEXT_SUFFIX, stateName, tensor, type TensorMap } from '@murmur/graph'
import type { Weights } from '@murmur/policy'

/** Name of the flat parameter input of a flat-layout step graph. */
export const FLAT_PARAMS = 'params'

/** What a parameter needs for feeding: its name and shape. */
export interface FeedSpec {
  name: string
  shape: readonly number[]
}

/** Parameters and their AdamW moments; `flat` holds the buffers the named ones view, when flat. */
export interface AdamWTensors {
  weights: Weights
  m: Weights
  v: Weights
  flat?: { weights: Float32Array, m: Float32Array, v: Float32Array }
}

/** The named parameters of `specs` as views into `flat` (back to back, in order). */
export function flatViews (specs: readonly FeedSpec[], flat: Float32Array): Weights {
  const out: Weights = {}
  let offset = 0
  for (const s of specs) {
    const n = s.shape.reduce((a, d) => a * d, 1)
    out[s.name] = flat.subarray(offset, offset + n)
    offset += n
  }
  return out
}

/** `w` in the flat layout (a copy). */
export function flatten (specs: readonly FeedSpec[], w: Weights): Float32Array {
  const total = specs.reduce((a, s) => a + s.shape.reduce((x, d) => x * d, 1), 0)
  const flat = new Float32Array(total)
  let offset = 0
  for (const s of specs) {
    flat.set(w[s.name], offset)
    offset += w[s.name].length
  }
  return flat
}

/** State from named tensors, copied into the flat layout when `flat`. */
export function adamWState (specs: readonly FeedSpec[], state: Omit<AdamWTensors, 'flat'>, flat: boolean): AdamWTensors {
  if (!flat) return state
  const f = { weights: flatten(specs, state.weights), m: flatten(specs, state.m), v: flatten(specs, state.v) }
  return { weights: flatViews(specs, f.weights), m: flatViews(specs, f.m), v: flatViews(specs, f.v), flat: f }
}

/** Graph input names of the state: the parameters' and all of it (parameters, then m, then v). */
export function stateNames (specs: readonly FeedSpec[], flat: boolean): { weights: string[], all: string[] } {
  const weights = flat ? [FLAT_PARAMS] : specs.map(s => s.name)
  return { weights, all: [...weights, ...weights.map(n => stateName('m', n)), ...weights.map(n => stateName('v', n))] }
}

/** The parameters as graph feeds (one flat buffer when `flat`; the arrays are not copied unless flattened). */
export function weightTensors (specs: readonly FeedSpec[], w: Weights, flat: boolean): TensorMap {
  if (flat) {
    const f = flatten(specs, w)
    return { [FLAT_PARAMS]: tensor('float32', [f.length], f) }
  }
  return Object.fromEntries(specs.map(s => [s.name, tensor('float32', [...s.shape], w[s.name])]))
}

/** Parameters and moments as graph feeds, by input name. */
export function stateTensors (specs: readonly FeedSpec[], state: AdamWTensors): TensorMap {
  const feeds: TensorMap = {}
  if (state.flat !== undefined) {
    const n = state.flat.weights.length
    feeds[FLAT_PARAMS] = tensor('float32', [n], state.flat.weights)
    feeds[stateName('m', FLAT_PARAMS)] = tensor('float32', [n], state.flat.m)
    feeds[stateName('v', FLAT_PARAMS)] = tensor('float32', [n], state.flat.v)
  } else {
    for (const s of specs) {
      feeds[s.name] = tensor('float32', [...s.shape], state.weights[s.name])
      feeds[stateName('m', s.name)] = tensor('float32', [...s.shape], state.m[s.name])
      feeds[stateName('v', s.name)] = tensor('float32', [...s.shape], state.v[s.name])
    }
  }
  return feeds
}

/** Named weights, one array each, from graph tensors by input name (`prefix` picks m or v: `opt.m.`). */
export function weightsFromTensors (specs: readonly FeedSpec[], t: TensorMap, flat: boolean, prefix = ''): Weights {
  if (flat) {
    const views = flatViews(specs, t[prefix + FLAT_PARAMS].data as Float32Array)
    return Object.fromEntries(Object.entries(views).map(([k, x]) => [k, x.slice()]))
  }
  return Object.fromEntries(specs.map(s => [s.name, t[prefix + s.name].data as Float32Array]))
}

/** Adds parameters, moments, the learning rate and the 1-based step number to `feeds`. */
export function feedAdamW (feeds: TensorMap, specs: readonly FeedSpec[], state: AdamWTensors, lr: number, step: number): void {
  Object.assign(feeds, stateTensors(specs, state))
  feedStep(feeds, lr, step)
}

/** Adds the learning rate and the 1-based step number to `feeds`. */
export function feedStep (feeds: TensorMap, lr: number, step: number): void {
  feeds.lr = tensor('float32', [], [lr])
  feeds.step = tensor('int64', [], [BigInt(step)])
}

/** Reads the updated parameters and moments from a step's outputs (flat layout when `flat`). */
export function readAdamW (out: TensorMap, specs: readonly FeedSpec[], flat = false): AdamWTensors {
  if (flat) {
    const f = {
      weights: out[FLAT_PARAMS + NEXT_SUFFIX].data as Float32Array,
      m: out[stateName('m', FLAT_PARAMS) + NEXT_SUFFIX].data as Float32Array,
      v: out[stateName('v', FLAT_PARAMS) + NEXT_SUFFIX].data as Float32Array
    }
    return { weights: flatViews(specs, f.weights), m: flatViews(specs, f.m), v: flatViews(specs, f.v), flat: f }
  }
  const next: AdamWTensors = { weights: {}, m: {}, v: {} }
  for (const s of specs) {
    next.weights[s.name] = out[s.name + NEXT_SUFFIX].data as Float32Array
    next.m[s.name] = out[stateName('m', s.name) + NEXT_SUFFIX].data as Float32Array
    next.v[s.name] = out[stateName('v', s.name) + NEXT_SUFFIX].data as Float32Array
  }
  return next
}

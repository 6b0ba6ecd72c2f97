/**
 * Feeding and reading back the in-graph AdamW state of graph's `appendUpdate`: parameters,
 * moments `opt.m.<name>` / `opt.v.<name>` and the int64 `step`; outputs carry NEXT_SUFFIX.
 * Shared by the policy step engine and the reward-model trainer.
 */
import { NEXT_SUFFIX, stateName, tensor, type TensorMap } from '@murmur/graph'
import type { Weights } from '@murmur/policy'

/** What a parameter needs for feeding: its name and shape. */
export interface FeedSpec {
  name: string
  shape: readonly number[]
}

/** Parameters and their AdamW moments. */
export interface AdamWTensors {
  weights: Weights
  m: Weights
  v: Weights
}

/** Adds parameters, moments, the learning rate and the 1-based step number to `feeds`. */
export function feedAdamW (feeds: TensorMap, specs: readonly FeedSpec[], state: AdamWTensors, lr: number, step: number): void {
  for (const s of specs) {
    feeds[s.name] = tensor('float32', [...s.shape], state.weights[s.name])
    feeds[stateName('m', s.name)] = tensor('float32', [...s.shape], state.m[s.name])
    feeds[stateName('v', s.name)] = tensor('float32', [...s.shape], state.v[s.name])
  }
  feeds.lr = tensor('float32', [], [lr])
  feeds.step = tensor('int64', [], [BigInt(step)])
}

/** Reads the updated parameters and moments from a step's outputs. */
export function readAdamW (out: TensorMap, specs: readonly FeedSpec[]): AdamWTensors {
  const next: AdamWTensors = { weights: {}, m: {}, v: {} }
  for (const s of specs) {
    next.weights[s.name] = out[s.name + NEXT_SUFFIX].data as Float32Array
    next.m[s.name] = out[stateName('m', s.name) + NEXT_SUFFIX].data as Float32Array
    next.v[s.name] = out[stateName('v', s.name) + NEXT_SUFFIX].data as Float32Array
  }
  return next
}

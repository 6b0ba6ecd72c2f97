/**
 * Feeding and reading back the in-graph AdamW state (parameters and moments `m.<name>`,
 * `v.<name>`, outputs suffixed with graph's NEXT_SUFFIX). Shared by the policy step engine and
 * the reward-model trainer, whose step graphs use the same naming.
 */
import { NEXT_SUFFIX, tensor, type TensorMap } from '@murmur/graph'
import type { Weights } from '../weights.js'

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

/** Adds parameters and moments to `feeds` under the step graph's input names. */
export function feedAdamW (feeds: TensorMap, specs: readonly FeedSpec[], state: AdamWTensors): void {
  for (const s of specs) {
    feeds[s.name] = tensor('float32', [...s.shape], state.weights[s.name])
    feeds[`m.${s.name}`] = tensor('float32', [...s.shape], state.m[s.name])
    feeds[`v.${s.name}`] = tensor('float32', [...s.shape], state.v[s.name])
  }
}

/** Reads the updated parameters and moments from a step's outputs. */
export function readAdamW (out: TensorMap, specs: readonly FeedSpec[]): AdamWTensors {
  const next: AdamWTensors = { weights: {}, m: {}, v: {} }
  for (const s of specs) {
    next.weights[s.name] = out[s.name + NEXT_SUFFIX].data as Float32Array
    next.m[s.name] = out[`m.${s.name}${NEXT_SUFFIX}`].data as Float32Array
    next.v[s.name] = out[`v.${s.name}${NEXT_SUFFIX}`].data as Float32Array
  }
  return next
}

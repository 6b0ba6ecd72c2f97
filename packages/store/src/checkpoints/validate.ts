import { InvalidArgumentError } from '@murmur/interface'
import { DEFAULT_CHECKPOINT_KEEP } from '../constants.js'
import type { CheckpointInput, CheckpointStoreInit, JsonObject, JsonValue } from '../types.js'
import { assertBytes, assertIndex, assertJson, assertLimit } from '../util.js'

/** Validates a checkpoint before anything is written. */
export function validateCheckpoint (input: CheckpointInput): { meta: JsonObject, rng: JsonValue, hero: JsonValue, config: JsonValue } {
  if (input == null || typeof input !== 'object') throw new InvalidArgumentError('checkpoint', 'must be an object')
  assertIndex('checkpoint.round', input.round)
  assertIndex('checkpoint.step', input.step)
  assertBytes('checkpoint.weights', input.weights)
  assertBytes('checkpoint.optimizer', input.optimizer)
  assertJson('checkpoint.rng', input.rng)
  assertJson('checkpoint.hero', input.hero)
  assertJson('checkpoint.config', input.config)
  const meta: unknown = input.meta ?? {}
  assertJson('checkpoint.meta', meta)
  if (meta === null || typeof meta !== 'object' || Array.isArray(meta)) {
    throw new InvalidArgumentError('checkpoint.meta', 'must be a JSON object')
  }
  return { meta, rng: input.rng, hero: input.hero, config: input.config }
}

/** Resolves and validates checkpoint store options. */
export function resolveCheckpointInit (init: CheckpointStoreInit = {}): Required<CheckpointStoreInit> {
  const keep = init.keep ?? DEFAULT_CHECKPOINT_KEEP
  assertLimit('checkpoints.keep', keep, true)
  return { keep }
}

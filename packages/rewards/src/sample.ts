import { InvalidRewardInputError } from './errors.js'
import { checkFiniteArray, isDegenerate } from './stats.js'

/**
 * A seeded source of uniform floats in [0, 1): either an object with `nextFloat()` or a bare
 * function. `Math.random` is deliberately not a default: rounds must be reproducible from a seed.
 */
export type RandomSource = { nextFloat: () => number } | (() => number)

/** Options of `sampleExternal`. */
export interface SampleExternalOptions<T> {
  /** Seeded uniform [0, 1) source; exactly one draw per item picked. */
  rng: RandomSource
  /** The item's rewards under the LOCAL verifier / reward model, one per completion. */
  reward: (item: T) => readonly number[]
}

function drawer (rng: RandomSource): () => number {
  if (typeof rng === 'function') return rng
  if (typeof rng === 'object' && rng !== null && typeof rng.nextFloat === 'function') return () => rng.nextFloat()
  throw new InvalidRewardInputError('rng', 'must be a function returning [0, 1) or an object with nextFloat()')
}

/**
 * SAPO's external sampling (spec §1): drop the pool items whose rewards under the local scorer are
 * all equal (zero advantage), then pick up to `j` of the rest uniformly without replacement by a
 * partial Fisher–Yates shuffle. Returns fewer than `j` items when fewer qualify; never duplicates
 * an item, never mutates `pool`.
 */
export function sampleExternal<T> (pool: readonly T[], j: number, opts: SampleExternalOptions<T>): T[] {
  if (!Array.isArray(pool)) throw new InvalidRewardInputError('pool', 'must be an array')
  if (!Number.isSafeInteger(j) || j < 0) {
    throw new InvalidRewardInputError('j', `must be a non-negative integer, got ${String(j)}`)
  }
  const next = drawer(opts.rng)
  if (typeof opts.reward !== 'function') throw new InvalidRewardInputError('reward', 'must be a function')
  const candidates: T[] = []
  for (let n = 0; n < pool.length; n++) {
    const rewards = checkFiniteArray(opts.reward(pool[n]), `reward(pool[${n}])`)
    if (!isDegenerate(rewards)) candidates.push(pool[n])
  }
  const picks = Math.min(j, candidates.length)
  for (let n = 0; n < picks; n++) {
    const u = next()
    if (typeof u !== 'number' || !(u >= 0 && u < 1)) {
      throw new InvalidRewardInputError('rng', `must return a number in [0, 1), got ${String(u)}`)
    }
    const remaining = candidates.length - n
    const pick = n + Math.min(remaining - 1, Math.floor(u * remaining))
    const tmp = candidates[n]
    candidates[n] = candidates[pick]
    candidates[pick] = tmp
  }
  return candidates.slice(0, picks)
}

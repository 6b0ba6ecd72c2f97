/**
 * A small seeded PRNG (SplitMix32 stream) whose whole state is one uint32, so trainer and
 * pretraining RNG state checkpoints as a plain number and resumes exactly.
 */
import { InvalidArgumentError } from '@murmur/interface'

/** A seeded random source with exportable state. */
export interface Rng {
  /** Uniform float in [0, 1). */
  next(): number
  /** Uniform integer in [0, n). */
  int(n: number): number
  /** Standard normal (Box–Muller, one draw per call). */
  normal(): number
  /** The current state (a uint32); `createRng` with `{ state }` resumes from it. */
  state(): number
}

/** Creates an Rng from a seed (any integer) or from an exported state. */
export function createRng (init: number | { state: number }): Rng {
  let s: number
  if (typeof init === 'number') {
    if (!Number.isInteger(init)) throw new InvalidArgumentError('seed', `must be an integer, got ${init}`)
    s = (Math.imul(init >>> 0, 0x9e3779b1) ^ 0x85ebca6b) >>> 0
  } else {
    if (!Number.isInteger(init.state) || init.state < 0 || init.state > 0xffffffff) {
      throw new InvalidArgumentError('state', `must be a uint32, got ${init.state}`)
    }
    s = init.state >>> 0
  }
  const nextU32 = (): number => {
    s = (s + 0x9e3779b9) >>> 0
    let z = s
    z = Math.imul(z ^ (z >>> 16), 0x21f0aaad) >>> 0
    z = Math.imul(z ^ (z >>> 15), 0x735a2d97) >>> 0
    return (z ^ (z >>> 15)) >>> 0
  }
  const next = (): number => nextU32() / 4294967296
  return {
    next,
    int: (n) => Math.floor(next() * n),
    normal: () => {
      const u = 1 - next()
      const v = next()
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v)
    },
    state: () => s
  }
}

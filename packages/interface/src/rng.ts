/**
 * The project's one seeded random generator (sfc32 seeded through splitmix32): task
 * generation, weight initialization, sampling, minibatch shuffling and preference pairs all
 * draw from it. Its whole state is four uint32 words (`getState` / `setState`, plain JSON), so
 * a checkpoint resumes the exact stream. It lives here, dependency-free at the bottom of the
 * package graph, so every package imports the same one.
 */
import { InvalidArgumentError } from './errors.js'

/** Serializable state of an `Rng`: four unsigned 32-bit words (plain JSON). */
export interface RngState { a: number, b: number, c: number, d: number }

/**
 * A small, fast, seeded generator (sfc32 over uint32 math). Every method is a pure function of
 * the state, so results are bit-identical on every machine and Node version.
 */
export interface Rng {
  /** Next unsigned 32-bit integer. */
  nextUint32(): number
  /** Next float in [0, 1) with 53 random bits. */
  nextFloat(): number
  /** Uniform integer in [lo, hi] (inclusive; hi − lo < 2^32), without modulo bias. */
  int(lo: number, hi: number): number
  /** Uniform element of a non-empty array. */
  pick<T>(items: readonly T[]): T
  /** A shuffled copy of `items` (Fisher–Yates). */
  shuffle<T>(items: readonly T[]): T[]
  /** True with probability `p`. */
  chance(p: number): boolean
  /** Standard normal (Box–Muller over two floats; no cached spare, so the state stays four words). */
  normal(): number
  /** A copy of the current state, for checkpoints. */
  getState(): RngState
  /** Restores a state obtained from `getState()`. */
  setState(state: RngState): void
}

const TWO_POW_32 = 4294967296

/** splitmix32 step: spreads a 32-bit seed into well-mixed words. */
function splitmix32 (x: number): number {
  x = (x + 0x9e3779b9) >>> 0
  let z = x
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0
  return (z ^ (z >>> 16)) >>> 0
}

/** Mixes any number of unsigned 32-bit integers (or safe non-negative integers) into one uint32 seed. */
export function hashSeeds (...parts: number[]): number {
  let h = 0x6a09e667
  for (const part of parts) {
    const lo = part >>> 0
    const hi = Math.floor(part / TWO_POW_32) >>> 0
    h = splitmix32((h ^ lo) >>> 0)
    h = splitmix32((h ^ hi ^ 0x5bd1e995) >>> 0)
  }
  return h
}

function checkWord (field: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 0xffffffff) {
    throw new InvalidArgumentError(field, 'must be an integer in 0..4294967295')
  }
  return v
}

/** Creates a generator from an unsigned 32-bit seed. */
export function createRng (seed: number): Rng {
  checkWord('seed', seed)
  let s0 = splitmix32(seed)
  let a = s0
  s0 = splitmix32(s0 ^ 0x1b873593)
  let b = s0
  s0 = splitmix32(s0 ^ 0xcc9e2d51)
  let c = s0
  let d = 1
  const next = (): number => {
    const t = (((a + b) >>> 0) + d) >>> 0
    d = (d + 1) >>> 0
    a = (b ^ (b >>> 9)) >>> 0
    b = (c + (c << 3)) >>> 0
    c = ((c << 21) | (c >>> 11)) >>> 0
    c = (c + t) >>> 0
    return t
  }
  // Discard the first outputs: sfc32 mixes its state over a dozen rounds.
  for (let i = 0; i < 12; i++) next()

  const float = (): number => ((next() >>> 5) * 67108864 + (next() >>> 6)) / 9007199254740992
  const int = (lo: number, hi: number): number => {
    if (!Number.isSafeInteger(lo) || !Number.isSafeInteger(hi) || hi < lo || hi - lo >= TWO_POW_32) {
      throw new InvalidArgumentError('range', `bad integer range [${lo}, ${hi}]`)
    }
    const span = hi - lo + 1
    if (span === TWO_POW_32) return lo + next()
    const limit = TWO_POW_32 - (TWO_POW_32 % span)
    let x = next()
    while (x >= limit) x = next()
    return lo + (x % span)
  }

  return {
    nextUint32: next,
    nextFloat: float,
    int,
    pick: <T>(items: readonly T[]): T => {
      if (items.length === 0) throw new InvalidArgumentError('items', 'cannot pick from an empty array')
      return items[int(0, items.length - 1)]
    },
    shuffle: <T>(items: readonly T[]): T[] => {
      const out = items.slice()
      for (let i = out.length - 1; i > 0; i--) {
        const j = int(0, i)
        const tmp = out[i]
        out[i] = out[j]
        out[j] = tmp
      }
      return out
    },
    chance: (p: number) => float() < p,
    normal: () => {
      const u = 1 - float()
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * float())
    },
    getState: () => ({ a, b, c, d }),
    setState: (state: RngState) => {
      if (state === null || typeof state !== 'object') throw new InvalidArgumentError('state', 'must be an object')
      a = checkWord('state.a', state.a)
      b = checkWord('state.b', state.b)
      c = checkWord('state.c', state.c)
      d = checkWord('state.d', state.d)
    }
  }
}

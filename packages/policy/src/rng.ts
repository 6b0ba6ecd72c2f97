/**
 * A small seeded PRNG (xoshiro128**, seeded through splitmix32) so initialization and sampling
 * are reproducible across machines and Node versions. Not cryptographic.
 */

/** A seeded random source. */
export interface Rng {
  /** Uniform in [0, 1) with 32 bits of resolution. */
  next(): number
  /** Standard normal (Box–Muller). */
  normal(): number
}

/** Mixes 32-bit words into one well-scrambled 32-bit seed (for per-sequence seeds). */
export function mixSeed (...words: number[]): number {
  let h = 0x9e3779b9
  for (const w of words) {
    h = Math.imul(h ^ (w >>> 0), 0x85ebca6b)
    h ^= h >>> 13
    h = Math.imul(h, 0xc2b2ae35)
    h ^= h >>> 16
  }
  return h >>> 0
}

/** Creates a PRNG from a 32-bit integer seed (other numbers are truncated to 32 bits). */
export function createRng (seed: number): Rng {
  let x = seed >>> 0
  const splitmix = (): number => {
    x = (x + 0x9e3779b9) >>> 0
    let z = x
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b)
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35)
    return (z ^ (z >>> 16)) >>> 0
  }
  let s0 = splitmix()
  let s1 = splitmix()
  let s2 = splitmix()
  let s3 = splitmix()
  if ((s0 | s1 | s2 | s3) === 0) s0 = 1
  const nextU32 = (): number => {
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0
    const t = s1 << 9
    s2 ^= s0
    s3 ^= s1
    s1 ^= s2
    s0 ^= s3
    s2 ^= t
    s3 = rotl(s3, 11)
    return result
  }
  let spare: number | undefined
  return {
    next: () => nextU32() / 4294967296,
    normal: () => {
      if (spare !== undefined) {
        const s = spare
        spare = undefined
        return s
      }
      let u = 0
      while (u === 0) u = nextU32() / 4294967296
      const v = nextU32() / 4294967296
      const r = Math.sqrt(-2 * Math.log(u))
      spare = r * Math.sin(2 * Math.PI * v)
      return r * Math.cos(2 * Math.PI * v)
    }
  }
}

function rotl (x: number, k: number): number {
  return (x << k) | (x >>> (32 - k))
}

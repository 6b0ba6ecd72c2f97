/** mulberry32: a tiny seeded PRNG for property tests (uniform floats in [0, 1)). */
export function mulberry32 (seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6D2B79F5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Uniform integer in [lo, hi]. */
export function randInt (rand: () => number, lo: number, hi: number): number {
  return lo + Math.floor(rand() * (hi - lo + 1))
}

/** `n` floats uniform in [lo, hi), rounded to `digits` decimals so ties happen sometimes. */
export function randArray (rand: () => number, n: number, lo = 0, hi = 1, digits = 2): number[] {
  const scale = 10 ** digits
  return Array.from({ length: n }, () => Math.round((lo + (hi - lo) * rand()) * scale) / scale)
}

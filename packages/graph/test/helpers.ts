/** Test helpers: seeded uniform draws (the project's one generator) and numeric comparisons. */
import { createRng } from '@murmur/interface'

/** Uniform floats in [0, 1) from `createRng(seed)`. */
export function rng (seed: number): () => number {
  const r = createRng(seed >>> 0)
  return () => r.nextFloat()
}

/** Uniform values in [-scale, scale). */
export function randn (r: () => number, n: number, scale = 1): number[] {
  return Array.from({ length: n }, () => (r() * 2 - 1) * scale)
}

/** Largest absolute difference. */
export function maxAbsDiff (a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]))
  return m
}

/** erf by its Taylor series (|x| ≤ 5; ~1e-9 absolute) — an independent reference for tests. */
export function erf (x: number): number {
  if (Math.abs(x) > 5) return Math.sign(x)
  let term = x
  let sum = x
  for (let n = 1; n < 200; n++) {
    term *= -x * x / n
    const add = term / (2 * n + 1)
    sum += add
    if (Math.abs(add) < 1e-17) break
  }
  return 2 / Math.sqrt(Math.PI) * sum
}

/** Exact GELU: x·Φ(x). */
export function gelu (x: number): number {
  return 0.5 * x * (1 + erf(x / Math.SQRT2))
}

import { InvalidRewardInputError } from './errors.js'

/**
 * Float64 group statistics and input checks shared by every shaper. JS numbers are IEEE
 * float64, so plain loops already compute in the precision the spec asks for.
 */

/** True when every value is exactly equal (`max == min`), including empty and one-element groups. */
export function isDegenerate (values: readonly number[]): boolean {
  if (values.length === 0) return true
  const first = values[0]
  for (let i = 1; i < values.length; i++) {
    if (values[i] !== first) return false
  }
  return true
}

/** Arithmetic mean; 0 for an empty array. */
export function mean (values: readonly number[]): number {
  if (values.length === 0) return 0
  let sum = 0
  for (const v of values) sum += v
  return sum / values.length
}

/**
 * Standard deviation with `ddof` delta degrees of freedom (1 = sample, 0 = population), by
 * two passes. Exactly 0 for degenerate groups and whenever `n − ddof ≤ 0`.
 */
export function std (values: readonly number[], ddof: number): number {
  const n = values.length
  if (n - ddof <= 0 || isDegenerate(values)) return 0
  const m = mean(values)
  let ss = 0
  for (const v of values) ss += (v - m) * (v - m)
  return Math.sqrt(ss / (n - ddof))
}

/** Throws `InvalidRewardInputError` unless `value` is a finite number. */
export function checkFinite (value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new InvalidRewardInputError(field, `must be a finite number, got ${String(value)}`)
  }
  return value
}

/** Throws unless `values` is an array of finite numbers (of `length`, when given). */
export function checkFiniteArray (values: unknown, field: string, length?: number): readonly number[] {
  if (!Array.isArray(values)) {
    throw new InvalidRewardInputError(field, 'must be an array of numbers')
  }
  if (length !== undefined && values.length !== length) {
    throw new InvalidRewardInputError(field, `must have ${length} entries (one per completion), got ${values.length}`)
  }
  for (let i = 0; i < values.length; i++) checkFinite(values[i], `${field}[${i}]`)
  return values as readonly number[]
}

/** Throws unless every value is a finite number in [0, 1]. */
export function checkUnitArray (values: unknown, field: string, length?: number): readonly number[] {
  const arr = checkFiniteArray(values, field, length)
  for (let i = 0; i < arr.length; i++) {
    if (arr[i] < 0 || arr[i] > 1) {
      throw new InvalidRewardInputError(`${field}[${i}]`, `must lie in [0, 1], got ${arr[i]}`)
    }
  }
  return arr
}

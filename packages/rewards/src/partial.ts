import { DEFAULT_PARTIAL_A, DEFAULT_PARTIAL_LAMBDA } from './constants.js'
import { InvalidRewardInputError, InvalidRewardsConfigError } from './errors.js'
import { checkUnitArray } from './stats.js'

/** Options of the partial-credit shaper. */
export interface PartialCreditOptions {
  /** Difficulty sharpness in `w_j = exp(−a·ρ_j)`; 0 weights every check equally. Default 1. */
  a?: number
  /** Weight of the normalized dense credit added to the 0/1 all-pass outcome. Default 0.5. */
  lambda?: number
}

/** Defaults and validates partial-credit options; `prefix` is prepended to field names. */
export function resolvePartialOptions (opts: PartialCreditOptions = {}, prefix = ''): Readonly<Required<PartialCreditOptions>> {
  const a = opts.a ?? DEFAULT_PARTIAL_A
  const lambda = opts.lambda ?? DEFAULT_PARTIAL_LAMBDA
  if (typeof a !== 'number' || !Number.isFinite(a) || a < 0) {
    throw new InvalidRewardsConfigError(`${prefix}a`, `must be a finite number >= 0, got ${String(a)}`)
  }
  if (typeof lambda !== 'number' || !Number.isFinite(lambda) || lambda < 0) {
    throw new InvalidRewardsConfigError(`${prefix}lambda`, `must be a finite number >= 0, got ${String(lambda)}`)
  }
  return Object.freeze({ a, lambda })
}

/**
 * VeRPO-style partial credit for one group of a multi-check task (spec §2.4). `checks[i][j]` in
 * [0, 1] is how well completion i passes check j. With the group pass rate ρ_j and difficulty
 * weight `w_j = exp(−a·ρ_j)`, completion i gets
 * `outcome_i + λ·Σ_j w_j·pass_ij / Σ_j w_j`, where `outcome_i` is 1 when every check is exactly 1.
 * Rarely passed (hard) checks earn more dense credit than checks everyone passes.
 */
export function partialCredit (checks: readonly (readonly number[])[], opts: PartialCreditOptions = {}): number[] {
  const { a, lambda } = resolvePartialOptions(opts)
  if (!Array.isArray(checks) || checks.length === 0) {
    throw new InvalidRewardInputError('checks', 'must be a non-empty array (one row per completion)')
  }
  const m = Array.isArray(checks[0]) ? checks[0].length : 0
  if (m === 0) throw new InvalidRewardInputError('checks[0]', 'must list at least one check')
  checks.forEach((row, i) => { checkUnitArray(row, `checks[${i}]`, m) })
  const g = checks.length
  const weights = new Array<number>(m)
  let total = 0
  for (let j = 0; j < m; j++) {
    let passed = 0
    for (let i = 0; i < g; i++) passed += checks[i][j]
    weights[j] = Math.exp(-a * (passed / g))
    total += weights[j]
  }
  return checks.map(row => {
    let dense = 0
    for (let j = 0; j < m; j++) dense += weights[j] * row[j]
    const outcome = row.every((p: number) => p === 1) ? 1 : 0
    return outcome + lambda * (dense / total)
  })
}

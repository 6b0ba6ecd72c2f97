import { DEFAULT_CLIP_EPS_HIGH, DEFAULT_CLIP_EPS_LOW, DEFAULT_GRPO_EPS } from './constants.js'
import { InvalidRewardInputError, InvalidRewardsConfigError } from './errors.js'
import { checkFinite, checkFiniteArray, isDegenerate, mean, std } from './stats.js'

/** Per-group advantage estimator: GRPO (std-normalized), Dr. GRPO mean-only, or RLOO. */
export type AdvantageMode = 'grpo' | 'mean' | 'rloo'

/** The advantage modes `groupAdvantages` accepts. */
export const ADVANTAGE_MODES: readonly AdvantageMode[] = Object.freeze(['grpo', 'mean', 'rloo'])

/**
 * Advantages of one group's rewards (spec §3), in float64:
 * GRPO `(r − mean)/(std + eps)` with the sample std, mean-only `r − mean`, RLOO
 * `G/(G−1)·(r − mean)`. A degenerate group (`max == min`, which includes G = 1) gives exact zeros.
 */
export function groupAdvantages (rewards: readonly number[], mode: AdvantageMode, eps: number = DEFAULT_GRPO_EPS): number[] {
  checkFiniteArray(rewards, 'rewards')
  if (!ADVANTAGE_MODES.includes(mode)) {
    throw new InvalidRewardsConfigError('advantage', `unknown advantage mode ${JSON.stringify(mode)}; use one of ${ADVANTAGE_MODES.join(', ')}`)
  }
  checkFinite(eps, 'eps')
  if (eps <= 0) throw new InvalidRewardsConfigError('eps', `must be > 0, got ${eps}`)
  const g = rewards.length
  if (isDegenerate(rewards)) return new Array<number>(g).fill(0)
  const m = mean(rewards)
  switch (mode) {
    case 'grpo': {
      const denom = std(rewards, 1) + eps
      return rewards.map(r => (r - m) / denom)
    }
    case 'mean':
      return rewards.map(r => r - m)
    case 'rloo': {
      const scale = g / (g - 1)
      return rewards.map(r => scale * (r - m))
    }
  }
}

/**
 * DAPO dynamic-sampling filter: `true` for each group worth keeping, `false` for a group whose
 * shaped rewards are all exactly equal (it carries no learning signal).
 */
export function zeroVarianceMask (groups: readonly (readonly number[])[]): boolean[] {
  return groups.map((rewards, g) => !isDegenerate(checkFiniteArray(rewards, `groups[${g}]`)))
}

/**
 * The per-token clipped surrogate objective (spec §3, without KL):
 * `min(ρ·A, clip(ρ, 1 − epsLow, 1 + epsHigh)·A)`. The loss is its negative.
 */
export function clippedObjective (ratio: number, advantage: number, epsLow: number = DEFAULT_CLIP_EPS_LOW, epsHigh: number = DEFAULT_CLIP_EPS_HIGH): number {
  checkFinite(ratio, 'ratio')
  checkFinite(advantage, 'advantage')
  if (ratio < 0) throw new InvalidRewardInputError('ratio', `must be >= 0, got ${ratio}`)
  checkFinite(epsLow, 'epsLow')
  checkFinite(epsHigh, 'epsHigh')
  if (epsLow < 0 || epsLow >= 1) throw new InvalidRewardsConfigError('epsLow', `must lie in [0, 1), got ${epsLow}`)
  if (epsHigh < 0) throw new InvalidRewardsConfigError('epsHigh', `must be >= 0, got ${epsHigh}`)
  const clipped = Math.min(Math.max(ratio, 1 - epsLow), 1 + epsHigh)
  return Math.min(ratio * advantage, clipped * advantage)
}

/**
 * DAPO soft overlong penalty (spec §2.4): 0 up to `lMax − lCache` tokens, linear down to −1 at
 * `lMax`, −1 beyond. With `lCache = 0` it is a hard step at `lMax`.
 */
export function overlongPenalty (length: number, lMax: number, lCache: number): number {
  checkFinite(length, 'length')
  if (length < 0) throw new InvalidRewardInputError('length', `must be >= 0, got ${length}`)
  validateOverlong(lMax, lCache, '')
  const start = lMax - lCache
  if (length <= start) return 0
  if (length > lMax) return -1
  return (start - length) / lCache
}

/** Throws `InvalidRewardsConfigError` unless `0 < lMax` and `0 <= lCache <= lMax` (finite). */
export function validateOverlong (lMax: unknown, lCache: unknown, prefix: string): void {
  if (typeof lMax !== 'number' || !Number.isFinite(lMax) || lMax <= 0) {
    throw new InvalidRewardsConfigError(`${prefix}lMax`, `must be a finite number > 0, got ${String(lMax)}`)
  }
  if (typeof lCache !== 'number' || !Number.isFinite(lCache) || lCache < 0 || lCache > lMax) {
    throw new InvalidRewardsConfigError(`${prefix}lCache`, `must be a finite number in [0, lMax = ${lMax}], got ${String(lCache)}`)
  }
}

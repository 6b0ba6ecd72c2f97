import {
  DEFAULT_HERO_ALPHA, DEFAULT_HERO_BETA, DEFAULT_HERO_DDOF, DEFAULT_HERO_EPS, DEFAULT_HERO_K, DEFAULT_HERO_WEIGHTING,
  DEFAULT_HERO_W_MAX, DEFAULT_HERO_W_MIN, HERO_SIGMA_BAR_MOMENTUM, HERO_STATE_VERSION, VERIFIER_PASS_THRESHOLD
} from './constants.js'
import { InvalidRewardInputError, InvalidRewardsConfigError } from './errors.js'
import { checkFinite, checkFiniteArray, checkUnitArray, isDegenerate, mean, std } from './stats.js'

/**
 * HERO node-local state: the running mean σ̄ of groups' RM-score std. Plain JSON, so it is
 * checkpointed with `JSON.stringify` and restored with `JSON.parse`.
 */
export interface HeroState {
  /** Schema version (`HERO_STATE_VERSION`). */
  version: number
  /** The carried σ̄ that the next batch is weighted with. */
  sigmaBar: number
  /** How many non-empty batches have updated σ̄. */
  batches: number
}

/** Options of HERO's stratified normalization. */
export interface StratifiedOptions {
  /** Half-width of the incorrect band [−α, α]. Default `DEFAULT_HERO_ALPHA` (0.05). */
  alpha?: number
  /** Half-width of the correct band [1 − β, 1 + β]. Default `DEFAULT_HERO_BETA` (0.05). */
  beta?: number
  /** Min-max denominator epsilon. Default 1e-6. */
  eps?: number
}

/** Options of HERO's variance-aware weight. */
export interface VarianceWeightOptions {
  /** Smallest weight. Default 0.4. */
  wMin?: number
  /** Largest weight. Default 3.0. */
  wMax?: number
  /** Sigmoid steepness. Default 6. */
  k?: number
}

/** All HERO options: normalization, weighting and the std convention for σ_u. */
export interface HeroOptions extends StratifiedOptions, VarianceWeightOptions {
  /** Delta degrees of freedom of σ_u. Default 0 (population std). */
  ddof?: 0 | 1
  /** Scale each group by its variance-aware weight. Default true. */
  weighting?: boolean
}

/** Fully defaulted, validated HERO options. */
export type ResolvedHeroOptions = Readonly<Required<HeroOptions>>

/** Result of one HERO batch step. */
export interface HeroResult {
  /** `r_final = w·r̂` per group and completion. */
  rewards: number[][]
  /** The weight `w` applied to each group (1 when weighting is off). */
  weights: number[]
  /** σ̄ after this batch; pass it to the next call and checkpoint it. */
  state: HeroState
}

function configNumber (value: unknown, field: string, fallback: number, check: (v: number) => boolean, range: string): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isFinite(value) || !check(value)) {
    throw new InvalidRewardsConfigError(field, `must be a finite number ${range}, got ${String(value)}`)
  }
  return value
}

/**
 * Defaults and validates HERO options; `prefix` is prepended to field names (`hero.`).
 * Rejects α + β ≥ 1, which would let an incorrect completion outrank a correct one.
 */
export function resolveHeroOptions (opts: HeroOptions = {}, prefix = ''): ResolvedHeroOptions {
  const alpha = configNumber(opts.alpha, `${prefix}alpha`, DEFAULT_HERO_ALPHA, v => v >= 0 && v < 1, 'in [0, 1)')
  const beta = configNumber(opts.beta, `${prefix}beta`, DEFAULT_HERO_BETA, v => v >= 0 && v < 1, 'in [0, 1)')
  if (alpha + beta >= 1) {
    throw new InvalidRewardsConfigError(`${prefix}alpha`, `${prefix}alpha + ${prefix}beta must be < 1 so every correct completion outranks every incorrect one, got ${alpha} + ${beta}`)
  }
  const eps = configNumber(opts.eps, `${prefix}eps`, DEFAULT_HERO_EPS, v => v > 0, '> 0')
  const wMin = configNumber(opts.wMin, `${prefix}wMin`, DEFAULT_HERO_W_MIN, v => v >= 0, '>= 0')
  const wMax = configNumber(opts.wMax, `${prefix}wMax`, DEFAULT_HERO_W_MAX, v => v >= wMin, `>= ${prefix}wMin (${wMin})`)
  const k = configNumber(opts.k, `${prefix}k`, DEFAULT_HERO_K, v => v >= 0, '>= 0')
  const ddof = opts.ddof ?? DEFAULT_HERO_DDOF
  if (ddof !== 0 && ddof !== 1) {
    throw new InvalidRewardsConfigError(`${prefix}ddof`, `must be 0 or 1, got ${String(ddof)}`)
  }
  const weighting = opts.weighting ?? DEFAULT_HERO_WEIGHTING
  if (typeof weighting !== 'boolean') {
    throw new InvalidRewardsConfigError(`${prefix}weighting`, `must be a boolean, got ${String(weighting)}`)
  }
  return Object.freeze({ alpha, beta, eps, wMin, wMax, k, ddof, weighting })
}

/**
 * HERO's stratified normalization of one group (spec §2.2): min-max the RM scores within the
 * correct and the incorrect stratum separately, then map incorrect ones into [−α, α] and correct
 * ones into [1 − β, 1 + β]. Verifier scores are thresholded at 0.5. A stratum with one member or
 * tied scores maps to z = 0.
 */
export function stratifiedNormalize (verifier: readonly number[], rm: readonly number[], opts: StratifiedOptions = {}): number[] {
  const { alpha, beta, eps } = resolveHeroOptions(opts)
  checkUnitArray(verifier, 'verifier')
  checkFiniteArray(rm, 'rm', verifier.length)
  const correct = verifier.map(v => v >= VERIFIER_PASS_THRESHOLD)
  const out = new Array<number>(verifier.length)
  for (const stratum of [false, true]) {
    const idx: number[] = []
    for (let i = 0; i < correct.length; i++) if (correct[i] === stratum) idx.push(i)
    const scores = idx.map(i => rm[i])
    const tied = isDegenerate(scores)
    let lo = Infinity
    let hi = -Infinity
    for (const x of scores) { lo = Math.min(lo, x); hi = Math.max(hi, x) }
    for (const i of idx) {
      const z = tied ? 0 : (rm[i] - lo) / (hi - lo + eps)
      out[i] = stratum ? (1 - beta) + 2 * beta * z : -alpha + 2 * alpha * z
    }
  }
  return out
}

/** Numerically stable logistic function. */
function sigmoid (x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x))
  const e = Math.exp(x)
  return e / (1 + e)
}

/** HERO's variance-aware weight `w_min + (w_max − w_min)·sigmoid(k·(σ − σ̄))`. */
export function varianceWeight (sigma: number, sigmaBar: number, opts: VarianceWeightOptions = {}): number {
  const { wMin, wMax, k } = resolveHeroOptions(opts)
  checkFinite(sigma, 'sigma')
  checkFinite(sigmaBar, 'sigmaBar')
  if (sigma < 0) throw new InvalidRewardInputError('sigma', `must be >= 0, got ${sigma}`)
  if (sigmaBar < 0) throw new InvalidRewardInputError('sigmaBar', `must be >= 0, got ${sigmaBar}`)
  return wMin + (wMax - wMin) * sigmoid(k * (sigma - sigmaBar))
}

/** Throws `InvalidRewardInputError` unless `state` is a well-formed `HeroState` (e.g. read back from a checkpoint). */
export function validateHeroState (state: unknown, field = 'state'): HeroState {
  if (typeof state !== 'object' || state === null) {
    throw new InvalidRewardInputError(field, 'must be a HeroState object')
  }
  const s = state as Record<string, unknown>
  if (s.version !== HERO_STATE_VERSION) {
    throw new InvalidRewardInputError(`${field}.version`, `unsupported HeroState version ${String(s.version)}; expected ${HERO_STATE_VERSION}`)
  }
  const sigmaBar = checkFinite(s.sigmaBar, `${field}.sigmaBar`)
  if (sigmaBar < 0) throw new InvalidRewardInputError(`${field}.sigmaBar`, `must be >= 0, got ${sigmaBar}`)
  if (typeof s.batches !== 'number' || !Number.isSafeInteger(s.batches) || s.batches < 0) {
    throw new InvalidRewardInputError(`${field}.batches`, `must be a non-negative integer, got ${String(s.batches)}`)
  }
  return { version: HERO_STATE_VERSION, sigmaBar, batches: s.batches }
}

/**
 * One HERO batch step: stratified normalization per group, then (with weighting on) scale each
 * group by `w(σ_u, σ̄)` using the σ̄ carried in — or, on the first batch, that batch's mean σ_u —
 * and finally update `σ̄ ← 0.9·σ̄ + 0.1·mean_batch(σ_u)`. Inputs are never mutated.
 */
export function heroShape (groups: readonly { verifier: readonly number[], rm: readonly number[] }[], state: HeroState | undefined, opts: HeroOptions = {}): HeroResult {
  const o = resolveHeroOptions(opts)
  if (!Array.isArray(groups)) throw new InvalidRewardInputError('groups', 'must be an array of groups')
  const prior = state === undefined ? undefined : validateHeroState(state)
  if (groups.length === 0) {
    if (prior === undefined) throw new InvalidRewardInputError('groups', 'an empty batch cannot initialize HERO state')
    return { rewards: [], weights: [], state: prior }
  }
  const shaped: number[][] = []
  const sigmas: number[] = []
  for (let g = 0; g < groups.length; g++) {
    const { verifier, rm } = groups[g]
    checkUnitArray(verifier, `groups[${g}].verifier`)
    if (verifier.length === 0) throw new InvalidRewardInputError(`groups[${g}].verifier`, 'a group needs at least one completion')
    checkFiniteArray(rm, `groups[${g}].rm`, verifier.length)
    shaped.push(stratifiedNormalize(verifier, rm, o))
    sigmas.push(std(rm, o.ddof))
  }
  const batchSigma = mean(sigmas)
  const sigmaBar = prior?.sigmaBar ?? batchSigma
  const weights = sigmas.map(s => o.weighting ? varianceWeight(s, sigmaBar, o) : 1)
  const rewards = shaped.map((r, g) => r.map(x => weights[g] * x))
  const next: HeroState = {
    version: HERO_STATE_VERSION,
    sigmaBar: prior === undefined ? batchSigma : HERO_SIGMA_BAR_MOMENTUM * sigmaBar + (1 - HERO_SIGMA_BAR_MOMENTUM) * batchSigma,
    batches: (prior?.batches ?? 0) + 1
  }
  return { rewards, weights, state: next }
}

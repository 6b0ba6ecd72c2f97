import { ADVANTAGE_MODES, type AdvantageMode, validateOverlong } from './advantages.js'
import { DEFAULT_FILTER_ZERO_VARIANCE, DEFAULT_GDPO_EPS, DEFAULT_GRPO_EPS, DEFAULT_SHAPER } from './constants.js'
import { InvalidRewardsConfigError } from './errors.js'
import { type HeroOptions, type ResolvedHeroOptions, resolveHeroOptions } from './hero.js'
import { type PartialCreditOptions, resolvePartialOptions } from './partial.js'

/** Which reward shaper `shapeRewards` runs. */
export type ShaperName = 'verifier' | 'rm' | 'hero' | 'gdpo' | 'partial'

/** The shapers `shapeRewards` accepts. */
export const SHAPERS: readonly ShaperName[] = Object.freeze(['verifier', 'rm', 'hero', 'gdpo', 'partial'])

/** GDPO options. */
export interface GdpoOptions {
  /** One non-negative weight per reward column (verifier, extras…, overlong penalty if on). Default all 1. */
  weights?: readonly number[]
  /** Zero extra rewards where the verifier fails: `true` for all extras, or a list of column indices (≥ 1). */
  conditionOnCorrect?: boolean | readonly number[]
  /** Epsilon of both GDPO normalizations. Default 1e-4. */
  eps?: number
}

/** DAPO soft overlong penalty settings, in tokens. */
export interface OverlongOptions {
  /** Hard length limit: penalty −1 here and beyond. */
  lMax: number
  /** Width of the linear ramp that ends at `lMax`. */
  lCache: number
}

/** Partial user config of `shapeRewards`; every field is optional. */
export interface RewardsConfigInit {
  /** Shaper; default `DEFAULT_SHAPER` (`'verifier'`). */
  shaper?: ShaperName
  /** Per-group advantage; default `'mean'` for HERO with weighting on, else `'grpo'`. Unused by GDPO. */
  advantage?: AdvantageMode
  /** GRPO epsilon; default 1e-6. */
  eps?: number
  /** HERO options. */
  hero?: HeroOptions
  /** GDPO options. */
  gdpo?: GdpoOptions
  /** Partial-credit options. */
  partial?: PartialCreditOptions
  /** DAPO dynamic sampling: mark groups with all-equal shaped rewards as not kept. Default true. */
  filterZeroVariance?: boolean
  /** Add the DAPO soft overlong penalty to every reward (needs `lengths`). Default off. */
  overlong?: OverlongOptions
}

/** A validated, fully defaulted, frozen rewards config. */
export interface RewardsConfig {
  readonly shaper: ShaperName
  readonly advantage: AdvantageMode
  readonly eps: number
  readonly hero: ResolvedHeroOptions
  readonly gdpo: {
    readonly weights?: readonly number[]
    readonly conditionOnCorrect: boolean | readonly number[]
    readonly eps: number
  }
  readonly partial: Readonly<Required<PartialCreditOptions>>
  readonly filterZeroVariance: boolean
  readonly overlong?: Readonly<OverlongOptions>
}

const TOP_KEYS = ['shaper', 'advantage', 'eps', 'hero', 'gdpo', 'partial', 'filterZeroVariance', 'overlong']
const SECTION_KEYS: Record<string, string[]> = {
  hero: ['alpha', 'beta', 'eps', 'wMin', 'wMax', 'k', 'ddof', 'weighting'],
  gdpo: ['weights', 'conditionOnCorrect', 'eps'],
  partial: ['a', 'lambda'],
  overlong: ['lMax', 'lCache']
}

function checkKeys (value: unknown, allowed: string[], prefix: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidRewardsConfigError(prefix === '' ? 'config' : prefix.slice(0, -1), 'must be an object')
  }
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) {
      throw new InvalidRewardsConfigError(`${prefix}${key}`, `unknown key; allowed keys are ${allowed.join(', ')}`)
    }
  }
  return value as Record<string, unknown>
}

function section (init: Record<string, unknown>, name: string): Record<string, unknown> {
  return init[name] === undefined ? {} : checkKeys(init[name], SECTION_KEYS[name], `${name}.`)
}

function resolveGdpo (raw: Record<string, unknown>): RewardsConfig['gdpo'] {
  const weights = raw.weights
  if (weights !== undefined) {
    if (!Array.isArray(weights) || weights.length === 0) {
      throw new InvalidRewardsConfigError('gdpo.weights', 'must be a non-empty array of numbers')
    }
    weights.forEach((w: unknown, j) => {
      if (typeof w !== 'number' || !Number.isFinite(w) || w < 0) {
        throw new InvalidRewardsConfigError(`gdpo.weights[${j}]`, `must be a finite number >= 0, got ${String(w)}`)
      }
    })
  }
  const cond = raw.conditionOnCorrect ?? false
  if (Array.isArray(cond)) {
    cond.forEach((j: unknown, n) => {
      if (typeof j !== 'number' || !Number.isInteger(j) || j < 1) {
        throw new InvalidRewardsConfigError(`gdpo.conditionOnCorrect[${n}]`, `must be a reward column index >= 1 (0 is the verifier), got ${String(j)}`)
      }
    })
  } else if (typeof cond !== 'boolean') {
    throw new InvalidRewardsConfigError('gdpo.conditionOnCorrect', `must be a boolean or an array of column indices, got ${String(cond)}`)
  }
  const eps = raw.eps ?? DEFAULT_GDPO_EPS
  if (typeof eps !== 'number' || !Number.isFinite(eps) || eps <= 0) {
    throw new InvalidRewardsConfigError('gdpo.eps', `must be a finite number > 0, got ${String(eps)}`)
  }
  return Object.freeze({
    ...(weights === undefined ? {} : { weights: Object.freeze([...(weights as number[])]) }),
    conditionOnCorrect: Array.isArray(cond) ? Object.freeze([...(cond as number[])]) : cond,
    eps
  })
}

/**
 * Turns a partial rewards config into a validated, fully defaulted, frozen one. Unknown keys,
 * unknown modes, out-of-range numbers, negative weights and HERO's α + β ≥ 1 throw
 * `InvalidRewardsConfigError` naming the key. Resolving a resolved config returns an equal one.
 */
export function resolveRewardsConfig (init: RewardsConfigInit | RewardsConfig = {}): RewardsConfig {
  const raw = checkKeys(init, TOP_KEYS, '')
  const shaper = raw.shaper ?? DEFAULT_SHAPER
  if (!SHAPERS.includes(shaper as ShaperName)) {
    throw new InvalidRewardsConfigError('shaper', `unknown shaper ${JSON.stringify(shaper)}; use one of ${SHAPERS.join(', ')}`)
  }
  const hero = resolveHeroOptions(section(raw, 'hero') as HeroOptions, 'hero.')
  const defaultAdvantage: AdvantageMode = shaper === 'hero' && hero.weighting ? 'mean' : 'grpo'
  const advantage = raw.advantage ?? defaultAdvantage
  if (!ADVANTAGE_MODES.includes(advantage as AdvantageMode)) {
    throw new InvalidRewardsConfigError('advantage', `unknown advantage mode ${JSON.stringify(advantage)}; use one of ${ADVANTAGE_MODES.join(', ')}`)
  }
  const eps = raw.eps ?? DEFAULT_GRPO_EPS
  if (typeof eps !== 'number' || !Number.isFinite(eps) || eps <= 0) {
    throw new InvalidRewardsConfigError('eps', `must be a finite number > 0, got ${String(eps)}`)
  }
  const gdpo = resolveGdpo(section(raw, 'gdpo'))
  const partial = resolvePartialOptions(section(raw, 'partial') as PartialCreditOptions, 'partial.')
  const filterZeroVariance = raw.filterZeroVariance ?? DEFAULT_FILTER_ZERO_VARIANCE
  if (typeof filterZeroVariance !== 'boolean') {
    throw new InvalidRewardsConfigError('filterZeroVariance', `must be a boolean, got ${String(filterZeroVariance)}`)
  }
  let overlong: Readonly<OverlongOptions> | undefined
  if (raw.overlong !== undefined) {
    const o = section(raw, 'overlong')
    validateOverlong(o.lMax, o.lCache, 'overlong.')
    overlong = Object.freeze({ lMax: o.lMax as number, lCache: o.lCache as number })
  }
  return Object.freeze({
    shaper: shaper as ShaperName,
    advantage: advantage as AdvantageMode,
    eps,
    hero,
    gdpo,
    partial,
    filterZeroVariance,
    ...(overlong === undefined ? {} : { overlong })
  })
}

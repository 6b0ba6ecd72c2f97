import { groupAdvantages, overlongPenalty } from './advantages.js'
import { type RewardsConfig, type RewardsConfigInit, resolveRewardsConfig } from './config.js'
import { VERIFIER_PASS_THRESHOLD } from './constants.js'
import { InvalidRewardInputError, InvalidRewardsConfigError } from './errors.js'
import { batchNormalize, conditionOnCorrect, gdpoGroupSums, resolveGdpoWeights } from './gdpo.js'
import { type HeroState, heroShape, validateHeroState } from './hero.js'
import { partialCredit } from './partial.js'
import { checkFiniteArray, checkUnitArray, isDegenerate, mean } from './stats.js'

/** One prompt's group of G completions, as scored locally. */
export interface RewardGroup {
  /** Verifier score per completion, in [0, 1]. */
  verifier: readonly number[]
  /** Raw reward-model score per completion (needed by `rm` and `hero`). */
  rm?: readonly number[]
  /** Per completion, pass value in [0, 1] of each check (needed by `partial`). */
  checks?: readonly (readonly number[])[]
  /** Per completion, extra reward columns for `gdpo` (same count in every group). */
  extra?: readonly (readonly number[])[]
  /** Completion lengths in tokens (needed when `overlong` is configured). */
  lengths?: readonly number[]
}

/** A training batch: its groups and, for HERO, the carried state. */
export interface RewardBatch {
  groups: readonly RewardGroup[]
  /** HERO state from the previous batch or a checkpoint. */
  state?: HeroState
}

/** Summary numbers of one `shapeRewards` call, for metrics. */
export interface ShapeStats {
  groups: number
  keptGroups: number
  completions: number
  /** Fraction of completions whose verifier score is >= 0.5. */
  passRate: number
  /** Mean shaped reward over all completions. */
  meanReward: number
  /** Mean |advantage| over the completions of kept groups. */
  meanAbsAdvantage: number
  /** HERO only: mean group weight. */
  meanWeight?: number
  /** HERO only: σ̄ after this batch. */
  sigmaBar?: number
}

/** What `shapeRewards` returns; arrays are indexed `[group][completion]`. */
export interface ShapeResult {
  /** Shaped scalar reward per completion (GDPO: the weighted sum of its reward columns). */
  rewards: number[][]
  /** Advantage per completion; exactly 0 in groups that are not kept. */
  advantages: number[][]
  /** False for groups dropped by the zero-variance filter. */
  kept: boolean[]
  /** HERO only: the variance-aware weight of each group. */
  weights?: number[]
  /** HERO state to carry into the next batch and checkpoint (passed through unchanged by other shapers). */
  state?: HeroState
  stats: ShapeStats
}

function checkGroups (cfg: RewardsConfig, batch: RewardBatch): readonly RewardGroup[] {
  if (typeof batch !== 'object' || batch === null || !Array.isArray(batch.groups)) {
    throw new InvalidRewardInputError('batch.groups', 'must be an array of groups')
  }
  const needRm = cfg.shaper === 'rm' || cfg.shaper === 'hero'
  let extraWidth = -1
  batch.groups.forEach((group, g) => {
    const at = `groups[${g}]`
    if (typeof group !== 'object' || group === null) throw new InvalidRewardInputError(at, 'must be an object')
    const v = checkUnitArray(group.verifier, `${at}.verifier`)
    if (v.length === 0) throw new InvalidRewardInputError(`${at}.verifier`, 'a group needs at least one completion')
    if (needRm || group.rm !== undefined) checkFiniteArray(group.rm, `${at}.rm`, v.length)
    if (cfg.overlong !== undefined || group.lengths !== undefined) {
      const lengths = checkFiniteArray(group.lengths, `${at}.lengths`, v.length)
      lengths.forEach((l, i) => { if (l < 0) throw new InvalidRewardInputError(`${at}.lengths[${i}]`, `must be >= 0, got ${l}`) })
    }
    if (cfg.shaper === 'partial' || group.checks !== undefined) {
      if (!Array.isArray(group.checks) || group.checks.length !== v.length) {
        throw new InvalidRewardInputError(`${at}.checks`, `must have ${v.length} rows (one per completion)`)
      }
    }
    if (cfg.shaper === 'gdpo') {
      const rows = group.extra ?? v.map(() => [])
      if (!Array.isArray(rows) || rows.length !== v.length) {
        throw new InvalidRewardInputError(`${at}.extra`, `must have ${v.length} rows (one per completion)`)
      }
      rows.forEach((row, i) => {
        checkFiniteArray(row, `${at}.extra[${i}]`, extraWidth === -1 ? undefined : extraWidth)
        extraWidth = row.length
      })
    }
  })
  return batch.groups
}

/** GDPO: per-group sums of normalized reward columns, and the weighted raw sum as the reward. */
function gdpoStage (cfg: RewardsConfig, groups: readonly RewardGroup[]): { rewards: number[][], sums: number[][] } {
  const penalty = cfg.overlong
  let tensor = groups.map(group => group.verifier.map((v, i) => [
    v,
    ...(group.extra?.[i] ?? []),
    ...(penalty === undefined ? [] : [overlongPenalty((group.lengths as readonly number[])[i], penalty.lMax, penalty.lCache)])
  ]))
  const width = tensor[0][0].length
  const extraEnd = width - (penalty === undefined ? 0 : 1)
  const weights = resolveGdpoWeights(cfg.gdpo.weights, width, 'gdpo.weights')
  const cond = cfg.gdpo.conditionOnCorrect
  const targets = cond === true ? Array.from({ length: extraEnd - 1 }, (_, j) => j + 1) : cond === false ? [] : [...cond]
  targets.forEach((j, n) => {
    if (j >= extraEnd) throw new InvalidRewardsConfigError(`gdpo.conditionOnCorrect[${n}]`, `no extra reward column ${j}; extras are columns 1..${extraEnd - 1}`)
  })
  if (targets.length > 0) tensor = conditionOnCorrect(tensor, 0, targets)
  const sums = gdpoGroupSums(tensor, weights, cfg.gdpo.eps)
  const rewards = tensor.map(group => group.map(row => row.reduce((acc, r, j) => acc + weights[j] * r, 0)))
  return { rewards, sums }
}

/**
 * The trainer's single entry point: validates the batch, runs the configured shaper
 * (verifier | rm | hero | gdpo | partial), adds the overlong penalty when configured, applies the
 * DAPO zero-variance filter and computes per-completion advantages. NaN/±Infinity anywhere throw
 * `InvalidRewardInputError`; a bad config throws `InvalidRewardsConfigError`.
 */
export function shapeRewards (config: RewardsConfigInit | RewardsConfig, batch: RewardBatch): ShapeResult {
  const cfg = resolveRewardsConfig(config)
  const groups = checkGroups(cfg, batch)
  let rewards: number[][]
  let weights: number[] | undefined
  let state = batch.state === undefined ? undefined : validateHeroState(batch.state, 'batch.state')
  let gdpoSums: number[][] | undefined
  switch (cfg.shaper) {
    case 'verifier':
      rewards = groups.map(g => [...g.verifier])
      break
    case 'rm':
      rewards = groups.map(g => [...(g.rm as readonly number[])])
      break
    case 'partial':
      rewards = groups.map((g, n) => {
        try {
          return partialCredit(g.checks as readonly (readonly number[])[], cfg.partial)
        } catch (err) {
          if (err instanceof InvalidRewardInputError) throw new InvalidRewardInputError(`groups[${n}].${err.field}`, err.message.slice(err.field.length + 2), { cause: err })
          throw err
        }
      })
      break
    case 'hero': {
      if (groups.length === 0) { rewards = []; weights = []; break }
      const out = heroShape(groups.map(g => ({ verifier: g.verifier, rm: g.rm as readonly number[] })), state, cfg.hero)
      rewards = out.rewards
      weights = out.weights
      state = out.state
      break
    }
    case 'gdpo': {
      if (groups.length === 0) { rewards = []; gdpoSums = []; break }
      const out = gdpoStage(cfg, groups)
      rewards = out.rewards
      gdpoSums = out.sums
      break
    }
  }
  const penalty = cfg.overlong
  if (penalty !== undefined && cfg.shaper !== 'gdpo') {
    rewards = rewards.map((r, g) => r.map((x, i) => x + overlongPenalty((groups[g].lengths as readonly number[])[i], penalty.lMax, penalty.lCache)))
  }
  const signal = gdpoSums ?? rewards
  const kept = signal.map(r => !cfg.filterZeroVariance || !isDegenerate(r))
  let advantages: number[][]
  if (gdpoSums !== undefined) {
    const keptSums = gdpoSums.filter((_, g) => kept[g])
    const normalized = batchNormalize(keptSums, cfg.gdpo.eps)
    let next = 0
    advantages = gdpoSums.map((s, g) => kept[g] ? normalized[next++] : new Array<number>(s.length).fill(0))
  } else {
    advantages = rewards.map((r, g) => kept[g] ? groupAdvantages(r, cfg.advantage, cfg.eps) : new Array<number>(r.length).fill(0))
  }
  const all = rewards.flat()
  const keptAdv = advantages.filter((_, g) => kept[g]).flat()
  const stats: ShapeStats = {
    groups: groups.length,
    keptGroups: kept.filter(Boolean).length,
    completions: all.length,
    passRate: mean(groups.flatMap(g => g.verifier.map(v => v >= VERIFIER_PASS_THRESHOLD ? 1 : 0))),
    meanReward: mean(all),
    meanAbsAdvantage: mean(keptAdv.map(Math.abs)),
    ...(weights === undefined ? {} : { meanWeight: mean(weights) }),
    ...(state === undefined || cfg.shaper !== 'hero' ? {} : { sigmaBar: state.sigmaBar })
  }
  return {
    rewards,
    advantages,
    kept,
    ...(weights === undefined ? {} : { weights }),
    ...(state === undefined ? {} : { state }),
    stats
  }
}

/**
 * @packageDocumentation
 * Reward shaping and advantage estimators for murmur (spec: docs/spec/algorithms.md §1–4):
 * HERO hybrid verifier + reward-model shaping, GDPO multi-reward advantages, the GRPO family
 * (GRPO, mean-only, RLOO), VeRPO-style partial credit, DAPO's zero-variance filter and soft
 * overlong penalty, the clipped surrogate, and SAPO's external-group sampling. Pure functions
 * over plain float64 arrays; bad numbers throw typed errors instead of propagating.
 */
export { InvalidRewardsConfigError, InvalidRewardInputError } from './errors.js'
export * from './constants.js'
export {
  type AdvantageMode, ADVANTAGE_MODES, groupAdvantages, zeroVarianceMask, clippedObjective, overlongPenalty
} from './advantages.js'
export {
  type HeroState, type HeroOptions, type ResolvedHeroOptions, type HeroResult, type StratifiedOptions,
  type VarianceWeightOptions, stratifiedNormalize, varianceWeight, heroShape, resolveHeroOptions, validateHeroState
} from './hero.js'
export { gdpoAdvantages, gdpoGroupSums, batchNormalize, conditionOnCorrect } from './gdpo.js'
export { type PartialCreditOptions, partialCredit } from './partial.js'
export { type RandomSource, type SampleExternalOptions, sampleExternal } from './sample.js'
export {
  type ShaperName, type GdpoOptions, type OverlongOptions, type RewardsConfigInit, type RewardsConfig,
  SHAPERS, resolveRewardsConfig
} from './config.js'
export {
  type RewardGroup, type RewardBatch, type ShapeStats, type ShapeResult, shapeRewards
} from './shape.js'
export { isDegenerate } from './stats.js'

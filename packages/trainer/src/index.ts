/**
 * @packageDocumentation
 * Training for murmur's policies, built on @murmur/graph's autodiff and optimizers over the one
 * model definition in @murmur/policy: the GRPO/SAPO policy trainer, SFT pretraining and the
 * reward model (Bradley–Terry training and scoring).
 */
export { type Trainer, type TrainerInit, type TrainingGroup, type TrainStats, type SftExample, type SftStats, createTrainer } from './trainer.js'
export { type TrainerConfig, type TrainerConfigInit, resolveTrainerConfig, TRAINER_DEFAULTS } from './trainer-config.js'
export { type LearningRateSchedule, learningRateAt } from './lr-schedule.js'
export type { TrainerState } from './state.js'
export type { StepStats } from './step-engine.js'
export { type Aggregation, type PolicyLossInput, type PolicyLossResult, AGGREGATIONS, referencePolicyLoss } from './loss-reference.js'
export { type StepGraphSpec, buildStepGraph, ROWS_DIM } from './step-graph.js'
export { type PretrainOptions, type PretrainProgress, type PretrainEval, type PretrainResult, pretrain } from './pretrain.js'
export { InvalidTrainerStateError, InvalidTrainingBatchError, TrainerClosedError } from './errors.js'
export { type PreferenceTask, type PreferencePair, type DerivePairsOptions, derivePreferencePairs } from './reward-model/preferences.js'
export { type RewardInput, type RewardModelInit, type RewardModel, createRewardModel } from './reward-model/runtime.js'
export { type RewardTrainOptions, type RewardTrainResult, trainRewardModel, rewardModelToSafetensors, rewardModelFromSafetensors, loadRewardModel } from './reward-model/train.js'

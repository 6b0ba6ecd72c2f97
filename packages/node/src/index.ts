/**
 * @packageDocumentation
 * The SAPO node: one round of generate → score → share → sample → shape → train → checkpoint,
 * its configuration schema and its lifecycle.
 */
export * from './config/index.js'
export { InvalidConfigError, ConfigFileError, RoundFailedError } from './errors.js'
export type { RoundMetrics, PeerGroupUse } from './metrics.js'
export type { PolicyPort, TrainerPort, RewardModelPort, SwarmPort, Completion, GenerateOptions, TrainGroup, TrainStats, TrainerState, ReceivedGroup, SwarmPortStats } from './ports.js'
export { runRound, needsRewardModel, type RoundComponents, type RoundState } from './round.js'
export { createSwarmNode, taskMixFromConfig, heldOutTasks, type SwarmNode, type SwarmNodeInit, type SwarmNodeInfo, type SwarmNodeEvents, type SwarmNodeComponents, type SwarmNodeStats } from './node.js'
export { createComponents, loadModel, resolveModelPath, BUILTIN_MODELS, type CreateComponentsOptions } from './components.js'

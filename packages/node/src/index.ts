/**
 * @packageDocumentation
 * The SAPO node: one round of generate → score → share → sample → shape → train → checkpoint,
 * its configuration schema and its lifecycle.
 */
export * from './config/index.js'
export { InvalidConfigError, ConfigFileError, RoundFailedError, NoCheckpointError } from './errors.js'
export type { RoundMetrics, PeerGroupUse } from './metrics.js'
export type { PolicyPort, TrainerPort, RewardModelPort, SwarmPort, PolicyCompletion, PolicyGenerateOptions, TrainGroup, TrainerStepStats, TrainerSnapshot, ReceivedGroup, GroupToPublish, SwarmNodeComponents, NetStatus, SwarmPortStats } from './ports.js'
export { peerGroups, DEFAULT_TRUST, type PeerGroups, type PeerGroup, type PeerGroupsComponents, type PeerSampleOptions } from './receive.js'
export { runRound, type RoundComponents, type RoundState } from './round.js'
export { producerTrust, agreement, PRIOR, type ProducerTrust, type TrustSettings, type GroupObservation, type ProducerRecord } from './producer-trust.js'
export { admissible, peerCredit, type LocalLimits } from './peer-credit.js'
export { createAttack, attackCompletions, ATTACK_STRATEGIES, ATTACK_MARKER, type Attack, type AttackStrategy, type AttackInit } from './attack.js'
export { createSwarmNode, type SwarmNode, type SwarmNodeInit, type SwarmNodeInfo, type SwarmNodeEvents, type SwarmNodeStats } from './node.js'
export { taskMixFromConfig, heldOutTasks, evaluateHeldOut, evaluateModel, type HeldOutResult, type HeldOutOptions, type EvaluateModelOptions } from './held-out.js'
export { loadModelSource, exportModel, openPolicy, DEFAULT_MODEL, type ModelSource } from './model.js'
export {
  evaluationSet, evaluatePolicy, scoreEvaluation, standardError,
  type EvalReport, type EvalScore, type EvaluateOptions, type BaseLogprobs
} from './evaluation.js'
export { truncatedImportanceWeights, validBehaviourLogprobs, meanLogRatio, keepPeerCompletion, DEFAULT_IMPORTANCE, type ImportanceConfig } from './importance.js'
export { createProducerClock, type ProducerClock } from './staleness.js'
export { publishPacer, PUBLISH_RATE_SHARE, type PublishPacer } from './publish-pacing.js'

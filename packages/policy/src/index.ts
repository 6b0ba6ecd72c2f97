/**
 * @packageDocumentation
 * The gpt policy family: weights, tokenizers, ONNX export, batched generation, training and a reward model.
 */
export { type GptConfig, type GptConfigInit, type PositionEncoding, type ParamSpec, gptConfigs, resolveGptConfig, paramSpecs, countParams, headDim, flopsPerToken } from './config.js'
export { type Weights, initWeights, validateWeights } from './weights.js'
export { type Rng, createRng, mixSeed } from './rng.js'
export { type SafetensorsDtype, type SafeTensor, type SafetensorsFile, readSafetensors, writeSafetensors, tensorFromFloat32, tensorToFloat32, parseSafetensorsIndex } from './safetensors.js'
export { float32ToFloat16, float16ToFloat32, float32ToBfloat16, bfloat16ToFloat32 } from './half.js'
export { type Tokenizer, type CharTokenizerInit, type HfTokenizerInit, charTokenizer, hfTokenizer, CHAR_SPECIALS, DEFAULT_ALPHABET } from './tokenizer/index.js'
export { type SamplingOptions, type ResolvedSampling, resolveSampling, sampleToken } from './sampling.js'
export { type ReferenceInput, referenceForward, logSoftmax } from './reference.js'
export {
  InvalidModelConfigError, SafetensorsFormatError, InvalidModelFolderError, WeightsMismatchError, TokenizerError,
  ContextOverflowError, InferenceError, PolicyClosedError
} from './errors.js'
export * from './constants.js'
export { type TokenizerSpec, tokenizerFromSpec, tokenizerFromFiles, type ChatMessage, type ChatRenderOptions, type ChatTemplate, chatTemplate } from './tokenizer/index.js'
export { type GptParams, type KvPair, type GptForwardInputs, type GptForwardOutputs, type DecodeModelOptions, declareGptParams, buildGptForward, buildDecodeModel } from './model-graph.js'
export { type PolicyInit, type GenerateOptions, type Completion, type LogprobsOptions, type Policy, type PolicyModel, createPolicy, startPolicy } from './policy.js'
export type { FinishReason, EngineStats } from './engine.js'
export { type SaveWeightsOptions, type LoadedWeights, weightsToSafetensors, weightsFromSafetensors } from './checkpoint.js'
export { type ExportOptions, type ModelFolder, exportModelFolder, readModelFolder, readCheckpointFile, loadPolicy, hfConfigJson, readFolderBytes, readFolderJson, writeFolderFiles } from './model-folder.js'
// --- training (issue 7) ---
export { type Trainer, type TrainerInit, type TrainingGroup, type TrainStats, type SftExample, type SftStats, createTrainer } from './train/trainer.js'
export { type TrainerConfig, type TrainerConfigInit, resolveTrainerConfig } from './train/config.js'
export { type TrainerState, encodeTrainerState, decodeTrainerState } from './train/state.js'
export type { StepStats } from './train/step-engine.js'
export { type Aggregation, type PolicyLossInput, type PolicyLossResult, AGGREGATIONS, referencePolicyLoss, clippedTokenObjective } from './train/reference.js'
export { type StepGraphSpec, buildStepGraph } from './train/step-graphs.js'
export { type PretrainOptions, type PretrainProgress, type PretrainEval, type PretrainResult, pretrain } from './train/pretrain.js'
export { type Sampler, type SampleOptions, createSampler } from './train/evaluate.js'
export { InvalidTrainerStateError, InvalidTrainingBatchError, TrainerClosedError } from './train/errors.js'
export { type PreferenceTask, type PreferencePair, type DerivePairsOptions, derivePreferencePairs, answerDistance } from './reward-model/preferences.js'
export { type RewardInput, type RewardModelInit, type RewardModel, createRewardModel } from './reward-model/runtime.js'
export { type RewardTrainOptions, type RewardTrainResult, trainRewardModel, rewardModelToSafetensors, rewardModelFromSafetensors, loadRewardModel } from './reward-model/train.js'
export { SCORE_WEIGHT, rewardParamSpecs, buildRewardScoringModel, buildRewardTrainStep } from './reward-model/graphs.js'
// --- Hugging Face families: Llama, Qwen2, Qwen3 (issue 15) ---
export { type FamilyConfig, type FamilyModelType, type RopeScaling, FAMILY_MODEL_TYPES, familyConfigFromJson, familyConfigToJson, familyParamSpecs, ropeFrequencies, familyFlopsPerToken, countFamilyParams } from './families/config.js'
export { type FamilyWeights, type FamilyFolder, SAFETENSORS_INDEX, isFamilyFolder, readFamilyFolder, readFamilyWeights, chatTemplateOf } from './families/folder.js'
export { type FamilyFixtureOptions, FIXTURE_CHAT_TEMPLATE, writeFamilyFixture, charFixtureTokenizer } from './families/fixture.js'
export { familyReferenceForward, familyReferenceGreedy } from './families/reference.js'
export { type FamilyForwardOutputs, declareFamilyParams, familyParamInputs, buildFamilyForward, buildFamilyDecodeModel } from './families/graph.js'
export { type FamilyPolicyInit, type LoadFamilyPolicyOptions, validateFamilyWeights, familyPolicyModel, createFamilyPolicy, loadFamilyPolicy } from './families/policy.js'
export { exportFamilyFolder } from './families/export.js'
export { type LoraConfig, type LoraTarget, type LoraSpec, LORA_TARGETS, resolveLoraConfig, loraSpecs, initLoraWeights, withLora, mergeLora } from './families/lora.js'
export { type FamilySftStepSpec, buildFamilySftStep } from './families/train.js'

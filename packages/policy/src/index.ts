/**
 * @packageDocumentation
 * The gpt policy family: the one model definition (inference with a KV cache, training graphs
 * through @murmur/trainer), weights, tokenizers, safetensors, ONNX export and batched generation.
 */
export { type GptConfig, type GptConfigInit, type PositionEncoding, type ParamSpec, gptConfigs, resolveGptConfig, paramSpecs, countParams, flopsPerToken } from './config.js'
export { type Weights, initWeights, validateWeights } from './weights.js'
export { type SafetensorsDtype, type SafeTensor, type SafetensorsFile, readSafetensors, writeSafetensors, tensorFromFloat32, tensorToFloat32 } from './safetensors.js'
export { type Tokenizer, type TokenizerSpec, type CharTokenizerInit, type HfTokenizerInit, charTokenizer, hfTokenizer, tokenizerFromSpec, tokenizerFromFiles, CHAR_SPECIALS, DEFAULT_ALPHABET } from './tokenizer/index.js'
export { type ReferenceInput, referenceForward } from './reference.js'
export {
  InvalidModelConfigError, SafetensorsFormatError, InvalidModelFolderError, WeightsMismatchError, TokenizerError,
  ContextOverflowError, InferenceError, PolicyClosedError
} from './errors.js'
export { OPSET, DEFAULT_MAX_TOKENS, DEFAULT_TEMPERATURE, DEFAULT_TOP_P, DEFAULT_TOP_K } from './constants.js'
export { type GptParams, type KvPair, type GptForwardInputs, type GptTrunkOutputs, type GptForwardOutputs, declareParams, paramInputs, trainPositions, gptTrunk, buildGptForward, buildDecodeModel } from './model-graph.js'
export { type PolicyInit, type GenerateOptions, type Completion, type LogprobsOptions, type Policy, type PolicyModel, createPolicy, startPolicy } from './policy.js'
export type { FinishReason, EngineStats } from './engine.js'
export { type SaveWeightsOptions, type LoadedWeights, weightsToSafetensors, weightsFromSafetensors } from './checkpoint.js'
export { type ExportOptions, type ModelFolder, exportModelFolder, readModelFolder, loadPolicy } from './model-folder.js'
export { type ChatMessage, type ChatRenderOptions, type ChatTemplate, chatTemplate, encodePromptIds } from './tokenizer/index.js'
// --- Hugging Face families: Llama, Qwen2, Qwen3 ---
export { type FamilyConfig, type FamilyModelType, type RopeScaling, FAMILY_MODEL_TYPES, familyConfigFromJson, familyConfigToJson, familyParamSpecs, ropeFrequencies, familyFlopsPerToken, countFamilyParams } from './families/config.js'
export { type FamilyWeights, type FamilyFolder, isFamilyFolder, readFamilyFolder } from './families/folder.js'
export { type FamilyFixtureOptions, FIXTURE_CHAT_TEMPLATE, writeFamilyFixture } from './families/fixture.js'
export { familyReferenceForward, familyReferenceGreedy } from './families/reference.js'
export { buildFamilyForward, buildFamilyDecodeModel } from './families/graph.js'
export { type FamilyPolicyInit, type LoadFamilyPolicyOptions, validateFamilyWeights, createFamilyPolicy, loadFamilyPolicy } from './families/policy.js'
export { exportFamilyFolder } from './families/export.js'
export { type LoraConfig, type LoraTarget, type LoraModel, LORA_TARGETS, DEFAULT_LORA_TARGETS, resolveLoraConfig, loraSpecs, initLoraWeights, withLora, mergeLora, loraModel, loraParamSpecs } from './families/lora.js'
export { type ModelConfig, isFamilyConfig, isLoraModel, modelParamSpecs, validateModelWeights, modelParamInputs, buildModelForward, createModelPolicy, modelIdOf } from './model-def.js'

/**
 * Any model murmur runs — the built-in `gpt` family or a Hugging Face Llama / Qwen2 / Qwen3 —
 * behind the few functions the trainer, the policy and the node need: its parameters, their
 * validation, the one forward (inference and training) and a policy. A family config carries
 * `modelType`; a gpt config does not.
 */
import type { GraphBuilder } from '@murmur/graph'
import { paramSpecs, type GptConfig } from './config.js'
import { familyParamSpecs, type FamilyConfig } from './families/config.js'
import { buildFamilyForward } from './families/graph.js'
import { loraParams, loraParamSpecs, mergeLora, type LoraModel } from './families/lora.js'
import { createFamilyPolicy, familyPolicyModel, validateFamilyWeights } from './families/policy.js'
import { buildGptForward, paramInputs, type GptForwardInputs, type GptForwardOutputs, type GptParams } from './model-graph.js'
import { createPolicy, startPolicy, type Policy, type PolicyInit, type PolicyModel } from './policy.js'
import type { Tokenizer } from './tokenizer/types.js'
import { checkWeightsAgainst, validateWeights, type Weights } from './weights.js'

/**
 * The config of any model murmur runs: gpt, a Llama / Qwen2 / Qwen3 family model, or a family
 * model with LoRA adapters (whose parameters are the adapters).
 */
export type ModelConfig = GptConfig | FamilyConfig | LoraModel

/** True for a Llama / Qwen2 / Qwen3 config. */
export function isFamilyConfig (config: ModelConfig): config is FamilyConfig {
  return typeof (config as { modelType?: unknown }).modelType === 'string'
}

/** True for a LoRA-adapted family model. */
export function isLoraModel (config: ModelConfig): config is LoraModel {
  return (config as { kind?: unknown }).kind === 'lora'
}

/** Parameter names and shapes, in canonical order (a LoRA model's: its adapters). */
export function modelParamSpecs (config: ModelConfig): Array<{ name: string, shape: readonly number[] }> {
  if (isLoraModel(config)) return loraParamSpecs(config)
  return isFamilyConfig(config) ? familyParamSpecs(config) : paramSpecs(config)
}

/** Checks that `weights` has exactly the model's parameters; copies in canonical order when `copy`. */
export function validateModelWeights (config: ModelConfig, weights: Weights, copy = false): Weights {
  if (isLoraModel(config)) return checkWeightsAgainst(loraParamSpecs(config), weights, 'these LoRA adapters', copy)
  return isFamilyConfig(config) ? validateFamilyWeights(config, weights, copy) : validateWeights(config, weights, copy)
}

/** Declares every parameter as a graph input of `dtype` (train steps feed them each call). */
export function modelParamInputs (b: GraphBuilder, config: ModelConfig, dtype: 'float32' | 'float64' = 'float32'): GptParams {
  return paramInputs(b, modelParamSpecs(config), dtype)
}

/** The model's forward pass on `b` (logits, final hidden states, new KV cache). */
export function buildModelForward (b: GraphBuilder, config: ModelConfig, params: GptParams, inputs: GptForwardInputs): GptForwardOutputs {
  if (isLoraModel(config)) return buildFamilyForward(b, config.base, loraParams(b, config, params), inputs)
  return isFamilyConfig(config) ? buildFamilyForward(b, config, params, inputs) : buildGptForward(b, config, params, inputs)
}

/** Starts a policy of any model (a LoRA model samples from its merged weights; `setWeights` takes adapters). */
export async function createModelPolicy (config: ModelConfig, weights: Weights, tokenizer: Tokenizer, init: Omit<PolicyInit, 'config' | 'weights' | 'tokenizer' | 'seed'> = {}): Promise<Policy<ModelConfig>> {
  if (isLoraModel(config)) {
    const merged = familyPolicyModel(config.base)
    const model: PolicyModel<LoraModel> = {
      config,
      dims: merged.dims,
      buildDecode: (adapters, options) => merged.buildDecode(mergeLora(config.base, config.lora, config.baseWeights, adapters), options),
      validate: (w, copy) => validateModelWeights(config, w, copy)
    }
    return await startPolicy(model, weights, { ...init, tokenizer })
  }
  if (isFamilyConfig(config)) return await createFamilyPolicy({ ...init, config, weights, tokenizer })
  return await createPolicy({ ...init, config, weights, tokenizer })
}

/** A short id of the architecture and size (`murmur-gpt-d64-l2`, `qwen2-h896-l24`, `qwen2-h896-l24-lora-r8`). */
export function modelIdOf (config: ModelConfig): string {
  if (isLoraModel(config)) return `${modelIdOf(config.base)}-lora-r${config.lora.rank}`
  if (isFamilyConfig(config)) return `${config.modelType}-h${config.hiddenSize}-l${config.nLayer}`
  return `murmur-gpt-d${config.nEmbd}-l${config.nLayer}`
}

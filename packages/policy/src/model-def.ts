/**
 * Any model murmur runs — the built-in `gpt` family or a Hugging Face Llama / Qwen2 / Qwen3 —
 * behind the few functions the trainer, the policy and the node need: its parameters, their
 * validation, the one forward (inference and training) and a policy. A family config carries
 * `modelType`; a gpt config does not.
 */
import type { GraphBuilder } from '@murmur/graph'
import { paramSpecs, type GptConfig } from './config.js'
import { familyParamSpecs, type FamilyConfig } from './families/config.js'
import { buildFamilyForward, familyParamInputs } from './families/graph.js'
import { createFamilyPolicy, validateFamilyWeights } from './families/policy.js'
import { buildGptForward, gptParamInputs, type GptForwardInputs, type GptForwardOutputs, type GptParams } from './model-graph.js'
import { createPolicy, type Policy, type PolicyInit } from './policy.js'
import type { Tokenizer } from './tokenizer/types.js'
import { validateWeights, type Weights } from './weights.js'

/** The config of any model murmur runs. */
export type ModelConfig = GptConfig | FamilyConfig

/** True for a Llama / Qwen2 / Qwen3 config. */
export function isFamilyConfig (config: ModelConfig): config is FamilyConfig {
  return typeof (config as { modelType?: unknown }).modelType === 'string'
}

/** Parameter names and shapes, in canonical order. */
export function modelParamSpecs (config: ModelConfig): Array<{ name: string, shape: readonly number[] }> {
  return isFamilyConfig(config) ? familyParamSpecs(config) : paramSpecs(config)
}

/** Checks that `weights` has exactly the model's parameters; copies in canonical order when `copy`. */
export function validateModelWeights (config: ModelConfig, weights: Weights, copy = false): Weights {
  return isFamilyConfig(config) ? validateFamilyWeights(config, weights, copy) : validateWeights(config, weights, copy)
}

/** Declares every parameter as a graph input of `dtype` (train steps feed them each call). */
export function modelParamInputs (b: GraphBuilder, config: ModelConfig, dtype: 'float32' | 'float64' = 'float32'): GptParams {
  return isFamilyConfig(config) ? familyParamInputs(b, config, dtype) : gptParamInputs(b, config, dtype)
}

/** The model's forward pass on `b` (logits, final hidden states, new KV cache). */
export function buildModelForward (b: GraphBuilder, config: ModelConfig, params: GptParams, inputs: GptForwardInputs): GptForwardOutputs {
  return isFamilyConfig(config) ? buildFamilyForward(b, config, params, inputs) : buildGptForward(b, config, params, inputs)
}

/** Starts a policy of any model. */
export async function createModelPolicy (config: ModelConfig, weights: Weights, tokenizer: Tokenizer, init: Omit<PolicyInit, 'config' | 'weights' | 'tokenizer' | 'seed'> = {}): Promise<Policy<ModelConfig>> {
  if (isFamilyConfig(config)) return await createFamilyPolicy({ ...init, config, weights, tokenizer })
  return await createPolicy({ ...init, config, weights, tokenizer })
}

/**
 * Policies of the Hugging Face families: the same worker, batched KV-cache generation and
 * teacher-forced scoring as the gpt policy (`startPolicy`), over the family decode graph.
 */
import type { AbortOptions } from '@murmur/interface'
import { MODEL_FOLDER_FILES } from '../constants.js'
import { InvalidModelFolderError } from '../errors.js'
import { startPolicy, type Policy, type PolicyInit, type PolicyModel } from '../policy.js'
import { chatTemplate, type ChatTemplate } from '../tokenizer/chat.js'
import type { Tokenizer } from '../tokenizer/types.js'
import { familyParamSpecs, type FamilyConfig } from './config.js'
import { readFamilyFolder, type FamilyWeights } from './folder.js'
import { checkWeightsAgainst } from '../weights.js'
import { buildFamilyDecodeModel } from './graph.js'

/** Options of `createFamilyPolicy`. */
export interface FamilyPolicyInit extends Omit<PolicyInit, 'config' | 'weights' | 'seed' | 'tokenizer'> {
  config: FamilyConfig
  weights: FamilyWeights
  tokenizer: Tokenizer
}

/** Checks that `weights` has exactly the parameters of `config` with the right sizes; copies in canonical order when `copy`. */
export function validateFamilyWeights (config: FamilyConfig, weights: FamilyWeights, copy = false): FamilyWeights {
  return checkWeightsAgainst(familyParamSpecs(config), weights, `this ${config.modelType} config`, copy)
}

/** The policy's view of a family model. */
export function familyPolicyModel (config: FamilyConfig): PolicyModel<FamilyConfig> {
  return {
    config,
    dims: { nLayer: config.nLayer, nHead: config.nKvHead, headDim: config.headDim, vocabSize: config.vocabSize, nCtx: config.nCtx },
    buildDecode: (w, options) => buildFamilyDecodeModel(config, w, options),
    validate: (w, copy) => validateFamilyWeights(config, w, copy)
  }
}

/** Starts a policy of a family model. */
export async function createFamilyPolicy (init: FamilyPolicyInit): Promise<Policy<FamilyConfig>> {
  const { config, weights, ...rest } = init
  return await startPolicy(familyPolicyModel(config), weights, rest)
}

/** Options of `loadFamilyPolicy`. */
export interface LoadFamilyPolicyOptions extends Omit<PolicyInit, 'config' | 'weights' | 'seed' | 'tokenizer' | 'chatTemplate'>, AbortOptions {
  /** Wrap prompts in the folder's chat template (an error when tokenizer_config.json has none). Default false. */
  chat?: boolean
}

/** Reads a Llama / Qwen2 / Qwen3 folder and starts its policy. */
export async function loadFamilyPolicy (dir: string, init: LoadFamilyPolicyOptions = {}): Promise<Policy<FamilyConfig>> {
  const folder = await readFamilyFolder(dir, init)
  let template: ChatTemplate | undefined
  if (init.chat === true) {
    if (folder.chatTemplate === undefined) throw new InvalidModelFolderError(MODEL_FOLDER_FILES.tokenizerConfig, 'no-chat-template', 'has no chat_template; load without chat')
    template = chatTemplate(folder.chatTemplate, folder.tokenizer.toTokenizerConfig() as Record<string, unknown>)
  }
  return await createFamilyPolicy({ threads: init.threads, step: init.step, device: init.device, config: folder.config, weights: folder.weights, tokenizer: folder.tokenizer, chatTemplate: template })
}

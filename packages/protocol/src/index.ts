/**
 * @packageDocumentation
 * Wire messages of the murmur swarm: the RolloutGroup protobuf, the RolloutBatch a gossip message
 * carries, their limits and their validation.
 * Everything decoded here came from an untrusted peer: limits are enforced before allocation,
 * and `validateGroup` regenerates the task to check the prompt.
 */
export {
  PROTOCOL_VERSION, MAX_GROUP_BYTES, MAX_COMPLETIONS, MAX_COMPLETION_BYTES, MAX_PROMPT_BYTES,
  MAX_MODEL_ID_BYTES, MAX_FAMILY_BYTES, MAX_TASK_PARAMS, MAX_PARAM_KEY_BYTES, MAX_PARAM_TEXT_BYTES,
  MAX_UINT32, DEFAULT_MAX_FUTURE_SKEW_MS, DEFAULT_MAX_AGE_MS, MAX_TRACE_TOKENS, MAX_TOKEN_ID, LOGPROB_SCALE,
  MIN_LOGPROB, MAX_TOKENIZER_ID_BYTES, MAX_BATCH_GROUPS, MAX_BATCH_BYTES
} from './constants.js'
export { RolloutDecodeError, InvalidRolloutError, type RolloutLimit } from './errors.js'
export type { RolloutGroup, CompletionTrace, ValidationAction, ValidationReason } from './types.js'
export type { TaskRef, TaskParams, ResolvedTask } from './task-types.js'
export { encodeRolloutGroup, decodeRolloutGroup } from './codec.js'
export { encodeRolloutBatch, decodeRolloutBatch, packRolloutBatches } from './batch.js'
export { encodeTaskRef } from './task-ref.js'
export {
  validateGroup, validateRolloutBytes, type ValidateGroupOptions, type ValidationResult,
  type BytesValidationResult, validateRolloutBatch, validateBatchEntries, decodeReason, type BatchValidationResult, type BatchGroupValidation
} from './validate.js'

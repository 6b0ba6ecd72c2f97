import { MurmurError } from '@murmur/interface'

/** Which limit or rule a rejected wire message broke. */
export type RolloutLimit =
  | 'bytes' | 'malformed' | 'protocol-version' | 'utf8' | 'task' | 'family' | 'params'
  | 'param' | 'prompt' | 'completions' | 'completion-bytes' | 'model-id' | 'scores' | 'created-at'
  | 'truncated' | 'tokenizer-id' | 'traces' | 'trace-tokens' | 'token-id' | 'logprob'
  | 'batch-bytes' | 'batch-groups'

/** Bytes from the network are not a valid rollout group; `limit` names the rule they broke. */
export class RolloutDecodeError extends MurmurError {
  static readonly code = 'ERR_ROLLOUT_DECODE'
  /** The limit or rule that failed. */
  readonly limit: RolloutLimit

  constructor (limit: RolloutLimit, message: string, options?: { cause?: unknown }) {
    super(`${limit}: ${message}`, RolloutDecodeError.code, options)
    this.name = 'RolloutDecodeError'
    this.limit = limit
  }
}

/** A locally built rollout group cannot be encoded (it breaks a limit peers enforce); `field` names the culprit. */
export class InvalidRolloutError extends MurmurError {
  static readonly code = 'ERR_INVALID_ROLLOUT'
  /** Dotted path of the offending field, e.g. `completions.3` or `task.seed`. */
  readonly field: string

  constructor (field: string, message: string) {
    super(`${field}: ${message}`, InvalidRolloutError.code)
    this.name = 'InvalidRolloutError'
    this.field = field
  }
}

/**
 * Typed errors of @murmur/policy. Each failure mode has one class with a stable `name` and
 * `code`; callers and tests branch on those, never on message text.
 */
import { MurmurError } from '@murmur/interface'

export { InvalidArgumentError, AbortError } from '@murmur/interface'

/** A model config is malformed: `field` names the key, the message the allowed range. */
export class InvalidModelConfigError extends MurmurError {
  static readonly code = 'ERR_INVALID_MODEL_CONFIG'
  /** The offending config key. */
  readonly field: string
  constructor (field: string, message: string, options?: { cause?: unknown }) {
    super(`model config ${field}: ${message}`, InvalidModelConfigError.code, options)
    this.name = 'InvalidModelConfigError'
    this.field = field
  }
}

/** A safetensors buffer or file is malformed (truncated, bad header, bad offsets, bad dtype). */
export class SafetensorsFormatError extends MurmurError {
  static readonly code = 'ERR_SAFETENSORS_FORMAT'
  /** The file (or label) that was being read. */
  readonly file: string
  /** A short machine-friendly description of the problem, e.g. `truncated`, `overlapping-offsets`. */
  readonly problem: string
  constructor (file: string, problem: string, message: string, options?: { cause?: unknown }) {
    super(`${file}: ${message}`, SafetensorsFormatError.code, options)
    this.name = 'SafetensorsFormatError'
    this.file = file
    this.problem = problem
  }
}

/** A model folder is unusable: a file is missing, unparsable, or its tensors have wrong shapes/dtypes. */
export class InvalidModelFolderError extends MurmurError {
  static readonly code = 'ERR_INVALID_MODEL_FOLDER'
  /** The file inside the folder that is at fault. */
  readonly file: string
  /** A short machine-friendly description of the problem, e.g. `missing`, `wrong-shape`. */
  readonly problem: string
  constructor (file: string, problem: string, message: string, options?: { cause?: unknown }) {
    super(`${file}: ${message}`, InvalidModelFolderError.code, options)
    this.name = 'InvalidModelFolderError'
    this.file = file
    this.problem = problem
  }
}

/** Weights do not match the model config (missing tensor, wrong shape, wrong length). */
export class WeightsMismatchError extends MurmurError {
  static readonly code = 'ERR_WEIGHTS_MISMATCH'
  /** The parameter name at fault. */
  readonly tensor: string
  constructor (tensor: string, message: string, options?: { cause?: unknown }) {
    super(`weight ${tensor}: ${message}`, WeightsMismatchError.code, options)
    this.name = 'WeightsMismatchError'
    this.tensor = tensor
  }
}

/** A tokenizer could not be built or used (bad tokenizer.json, unknown special token). */
export class TokenizerError extends MurmurError {
  static readonly code = 'ERR_TOKENIZER'
  constructor (message: string, options?: { cause?: unknown }) {
    super(message, TokenizerError.code, options)
    this.name = 'TokenizerError'
  }
}

/** An input sequence does not fit the model's context window. */
export class ContextOverflowError extends MurmurError {
  static readonly code = 'ERR_CONTEXT_OVERFLOW'
  constructor (message: string) {
    super(message, ContextOverflowError.code)
    this.name = 'ContextOverflowError'
  }
}

/** onnxruntime failed to create a session or run a graph; the cause carries its error. */
export class InferenceError extends MurmurError {
  static readonly code = 'ERR_INFERENCE'
  constructor (message: string, options?: { cause?: unknown }) {
    super(message, InferenceError.code, options)
    this.name = 'InferenceError'
  }
}

/** The policy was used after `close()`. */
export class PolicyClosedError extends MurmurError {
  static readonly code = 'ERR_POLICY_CLOSED'
  constructor () {
    super('policy is closed; create or load a new one', PolicyClosedError.code)
    this.name = 'PolicyClosedError'
  }
}

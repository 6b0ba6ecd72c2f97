import { MurmurError } from '@murmur/interface'

/** A TaskRef names a family, or a version of one, that this build does not know. */
export class UnknownTaskError extends MurmurError {
  static readonly code = 'ERR_UNKNOWN_TASK'
  /** `family` or `version`: which part of the reference is unknown. */
  readonly field: string

  constructor (field: string, message: string) {
    super(`${field}: ${message}`, UnknownTaskError.code)
    this.name = 'UnknownTaskError'
    this.field = field
  }
}

/** A TaskRef (or a task mix) carries a bad seed, parameter or shape; `field` is its dotted path. */
export class InvalidTaskParamsError extends MurmurError {
  static readonly code = 'ERR_INVALID_TASK_PARAMS'
  /** Dotted path of the offending value, e.g. `seed` or `params.digits`. */
  readonly field: string

  constructor (field: string, message: string) {
    super(`${field}: ${message}`, InvalidTaskParamsError.code)
    this.name = 'InvalidTaskParamsError'
    this.field = field
  }
}

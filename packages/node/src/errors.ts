import { MurmurError } from '@murmur/interface'

/** A config key has a bad value; `field` is its dotted path (`train.learningRate`). */
export class InvalidConfigError extends MurmurError {
  static readonly code = 'ERR_INVALID_CONFIG'
  /** Dotted path of the offending key. */
  readonly field: string
  constructor (field: string, message: string, options?: { cause?: unknown }) {
    super(`config ${field}: ${message}`, InvalidConfigError.code, options)
    this.name = 'InvalidConfigError'
    this.field = field
  }
}

/** A config file could not be read or parsed. */
export class ConfigFileError extends MurmurError {
  static readonly code = 'ERR_CONFIG_FILE'
  /** Path of the file. */
  readonly path: string
  constructor (path: string, message: string, options?: { cause?: unknown }) {
    super(`config file ${path}: ${message}`, ConfigFileError.code, options)
    this.name = 'ConfigFileError'
    this.path = path
  }
}

/** A round failed in a way the node cannot continue from (the cause says why). */
export class RoundFailedError extends MurmurError {
  static readonly code = 'ERR_ROUND_FAILED'
  constructor (round: number, message: string, options?: { cause?: unknown }) {
    super(`round ${round}: ${message}`, RoundFailedError.code, options)
    this.name = 'RoundFailedError'
  }
}

/** A data directory holds no node checkpoint to load (the message says what was found). */
export class NoCheckpointError extends MurmurError {
  static readonly code = 'ERR_NO_CHECKPOINT'
  /** The data directory. */
  readonly dataDir: string
  constructor (dataDir: string, message: string, options?: { cause?: unknown }) {
    super(`${dataDir}: ${message}`, NoCheckpointError.code, options)
    this.name = 'NoCheckpointError'
    this.dataDir = dataDir
  }
}

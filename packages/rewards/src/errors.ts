import { MurmurError } from '@murmur/interface'

/** A rewards config key is missing a valid value; `field` is the dotted key (`hero.alpha`). */
export class InvalidRewardsConfigError extends MurmurError {
  static readonly code = 'ERR_INVALID_REWARDS_CONFIG'
  /** Dotted path of the offending config key. */
  readonly field: string

  constructor (field: string, message: string, options?: { cause?: unknown }) {
    super(`${field}: ${message}`, InvalidRewardsConfigError.code, options)
    this.name = 'InvalidRewardsConfigError'
    this.field = field
  }
}

/**
 * A reward, score, length or argument handed to a rewards function is unusable (NaN, ±Infinity,
 * out of range, mismatched lengths); `field` locates it (`groups[2].rm[5]`).
 */
export class InvalidRewardInputError extends MurmurError {
  static readonly code = 'ERR_INVALID_REWARD_INPUT'
  /** Path of the offending argument or element. */
  readonly field: string

  constructor (field: string, message: string, options?: { cause?: unknown }) {
    super(`${field}: ${message}`, InvalidRewardInputError.code, options)
    this.name = 'InvalidRewardInputError'
    this.field = field
  }
}

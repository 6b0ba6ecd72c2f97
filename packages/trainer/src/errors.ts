/** Typed errors of the training side of @murmur/policy. */
import { MurmurError } from '@murmur/interface'

/** A trainer state blob (weights, optimizer moments, step, RNG) is malformed or belongs to another model. */
export class InvalidTrainerStateError extends MurmurError {
  static readonly code = 'ERR_INVALID_TRAINER_STATE'
  constructor (message: string, options?: { cause?: unknown }) {
    super(`invalid trainer state: ${message}`, InvalidTrainerStateError.code, options)
    this.name = 'InvalidTrainerStateError'
  }
}

/** A training batch cannot be used (empty, mismatched advantages, non-finite values). */
export class InvalidTrainingBatchError extends MurmurError {
  static readonly code = 'ERR_INVALID_TRAINING_BATCH'
  constructor (message: string) {
    super(`invalid training batch: ${message}`, InvalidTrainingBatchError.code)
    this.name = 'InvalidTrainingBatchError'
  }
}

/** A trainer (or reward model) was used after `close()`. */
export class TrainerClosedError extends MurmurError {
  static readonly code = 'ERR_TRAINER_CLOSED'
  constructor (what = 'trainer') {
    super(`the ${what} is closed`, TrainerClosedError.code)
    this.name = 'TrainerClosedError'
  }
}

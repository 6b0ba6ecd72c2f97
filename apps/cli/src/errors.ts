import { MurmurError } from '@murmur/interface'

/** The command line was wrong: unknown command or flag, missing value. */
export class UsageError extends MurmurError {
  static readonly code = 'ERR_USAGE'
  constructor (message: string) {
    super(message, UsageError.code)
    this.name = 'UsageError'
  }
}

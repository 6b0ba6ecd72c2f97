import { MurmurError } from '@murmur/interface'

/** The identity key file exists but cannot be read as a libp2p private key. Never replaced silently. */
export class IdentityError extends MurmurError {
  static readonly code = 'ERR_IDENTITY_CORRUPTED'
  /** Path of the offending key file. */
  readonly path: string

  constructor (path: string, message: string, options?: { cause?: unknown }) {
    super(`${path}: ${message}; restore it from a backup, or delete it to start with a new peer id`, IdentityError.code, options)
    this.name = 'IdentityError'
    this.path = path
  }
}

/** A group could not be published (encoding limits are reported as InvalidRolloutError instead). */
export class PublishError extends MurmurError {
  static readonly code = 'ERR_PUBLISH'
  constructor (message: string, options?: { cause?: unknown }) {
    super(message, PublishError.code, options)
    this.name = 'PublishError'
  }
}

/** A peer could not be dialled. */
export class DialError extends MurmurError {
  static readonly code = 'ERR_DIAL'
  constructor (address: string, options?: { cause?: unknown }) {
    const cause = options?.cause instanceof Error ? `: ${options.cause.message}` : ''
    super(`could not dial ${address}${cause}`, DialError.code, options)
    this.name = 'DialError'
  }
}

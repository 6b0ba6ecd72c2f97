/**
 * Base class of every error murmur throws on purpose. Subclasses set a stable `name` and
 * `code`; callers and tests branch on those, never on message text.
 */
export class MurmurError extends Error {
  /** Stable, machine-readable identifier, e.g. `ERR_INVALID_ROLLOUT`. */
  readonly code: string

  constructor (message: string, code: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'MurmurError'
    this.code = code
  }
}

/** An operation was cancelled through its `AbortSignal`. */
export class AbortError extends MurmurError {
  static readonly code = 'ERR_ABORTED'
  constructor (message = 'The operation was aborted', options?: { cause?: unknown }) {
    super(message, AbortError.code, options)
    this.name = 'AbortError'
  }
}

/** An operation ran past its deadline. */
export class TimeoutError extends MurmurError {
  static readonly code = 'ERR_TIMEOUT'
  constructor (message = 'The operation timed out', options?: { cause?: unknown }) {
    super(message, TimeoutError.code, options)
    this.name = 'TimeoutError'
  }
}

/** A caller passed a value outside what a function accepts; `field` names the argument or key. */
export class InvalidArgumentError extends MurmurError {
  static readonly code = 'ERR_INVALID_ARGUMENT'
  /** Dotted path of the offending argument or config key. */
  readonly field: string

  constructor (field: string, message: string, options?: { cause?: unknown }) {
    super(`${field}: ${message}`, InvalidArgumentError.code, options)
    this.name = 'InvalidArgumentError'
    this.field = field
  }
}

/** A component was used before `start()` or after `stop()`. */
export class NotStartedError extends MurmurError {
  static readonly code = 'ERR_NOT_STARTED'
  constructor (component: string) {
    super(`${component} is not started; call start() first`, NotStartedError.code)
    this.name = 'NotStartedError'
  }
}

/** True when `err` is a MurmurError (or subclass) carrying `code`. */
export function hasErrorCode (err: unknown, code: string): boolean {
  return err instanceof Error && (err as { code?: unknown }).code === code
}

import { MurmurError } from '@murmur/interface'

/** The database was written by a different schema version (or has none); nothing was changed. */
export class StoreSchemaError extends MurmurError {
  static readonly code = 'ERR_STORE_SCHEMA'
  /** Store directory. */
  readonly path: string
  /** Version found on disk (undefined when the key is missing). */
  readonly found: string | undefined
  /** Version this build understands. */
  readonly expected: number
  constructor (path: string, found: string | undefined, expected: number) {
    const what = found === undefined ? 'has data but no schema version key' : `has schema version ${found}`
    const fix = found !== undefined && Number(found) > expected
      ? 'it was written by a newer murmur: upgrade murmur'
      : 'it was not written by this murmur version'
    super(`store at ${path} ${what}, this build understands version ${expected}; ${fix}, ` +
      `or move the directory aside, or run \`murmur store reset ${path}\` to delete it (irreversible)`, StoreSchemaError.code)
    this.name = 'StoreSchemaError'
    this.path = path
    this.found = found
    this.expected = expected
  }
}

/** The database (or the checkpoint directory beside it) is damaged and cannot be opened as is. */
export class StoreCorruptedError extends MurmurError {
  static readonly code = 'ERR_STORE_CORRUPTED'
  /** Store directory. */
  readonly path: string
  constructor (path: string, detail: string, options?: { cause?: unknown }) {
    super(`store at ${path} is corrupted (${detail}); run \`murmur store repair ${path}\` to recover what ` +
      `can be recovered, or \`murmur store reset ${path}\` to delete it (irreversible)`, StoreCorruptedError.code, options)
    this.name = 'StoreCorruptedError'
    this.path = path
  }
}

/** Another process holds the database open. */
export class StoreLockedError extends MurmurError {
  static readonly code = 'ERR_STORE_LOCKED'
  /** Store directory. */
  readonly path: string
  constructor (path: string, options?: { cause?: unknown }) {
    super(`store at ${path} is in use by another process (a running murmur node?); stop it or use another data directory`,
      StoreLockedError.code, options)
    this.name = 'StoreLockedError'
    this.path = path
  }
}

/** A read or write failed for a reason other than corruption (permissions, disk full, ...). */
export class StoreIoError extends MurmurError {
  static readonly code = 'ERR_STORE_IO'
  /** Path involved. */
  readonly path: string
  constructor (path: string, detail: string, options?: { cause?: unknown }) {
    super(`store I/O failed at ${path}: ${detail}`, StoreIoError.code, options)
    this.name = 'StoreIoError'
    this.path = path
  }
}

/** A checkpoint's blob file is missing or fails its SHA-256 check. */
export class CheckpointCorruptedError extends MurmurError {
  static readonly code = 'ERR_CHECKPOINT_CORRUPTED'
  /** Round of the damaged checkpoint. */
  readonly round: number
  /** Blob file path. */
  readonly path: string
  constructor (round: number, path: string, detail: string) {
    super(`checkpoint of round ${round} at ${path} is damaged (${detail}); run \`murmur store repair\` to drop ` +
      'damaged checkpoints and resume from an older one', CheckpointCorruptedError.code)
    this.name = 'CheckpointCorruptedError'
    this.round = round
    this.path = path
  }
}

/** A pool entry's payload alone exceeds the pool's byte bound. */
export class PoolEntryTooLargeError extends MurmurError {
  static readonly code = 'ERR_POOL_ENTRY_TOO_LARGE'
  /** Payload size in bytes. */
  readonly bytes: number
  /** The pool's byte bound. */
  readonly maxBytes: number
  constructor (bytes: number, maxBytes: number) {
    super(`pool entry payload of ${bytes} bytes exceeds the pool bound of ${maxBytes} bytes; raise pool.maxBytes`,
      PoolEntryTooLargeError.code)
    this.name = 'PoolEntryTooLargeError'
    this.bytes = bytes
    this.maxBytes = maxBytes
  }
}

import { MurmurError, NotStartedError } from '@murmur/interface'
import type { AbstractSublevel } from 'abstract-level'
import type { ClassicLevel } from 'classic-level'
import { StoreCorruptedError, StoreIoError, StoreLockedError } from './errors.js'

/** The root database type used by the store. */
export type RootDb = ClassicLevel<string, string>
/** A sublevel with string keys and values of type `V`. */
export type Sub<V> = AbstractSublevel<RootDb, string | Buffer | Uint8Array, string, V>

function codes (err: unknown): string[] {
  const out: string[] = []
  let e: unknown = err
  for (let i = 0; i < 4 && e instanceof Error; i++) {
    const code = (e as { code?: unknown }).code
    if (typeof code === 'string') out.push(code)
    e = (e as { cause?: unknown }).cause
  }
  return out
}

function detail (err: unknown): string {
  const cause = err instanceof Error ? (err as { cause?: unknown }).cause : undefined
  const e = cause instanceof Error ? cause : err
  return e instanceof Error ? e.message : String(err)
}

/** Translates an error from opening LevelDB at `path` into a store error. */
export function translateOpenError (path: string, err: unknown): Error {
  const c = codes(err)
  if (c.includes('LEVEL_LOCKED')) return new StoreLockedError(path, { cause: err })
  if (c.includes('LEVEL_CORRUPTION') || c.includes('LEVEL_IO_ERROR')) return new StoreCorruptedError(path, detail(err), { cause: err })
  return new StoreIoError(path, detail(err), { cause: err })
}

/** Translates an error from a LevelDB operation into a store error (closed database → NotStartedError). */
export function translateOpError (path: string, err: unknown): Error {
  const c = codes(err)
  if (c.includes('LEVEL_DATABASE_NOT_OPEN')) return new NotStartedError('store')
  if (c.includes('LEVEL_CORRUPTION')) return new StoreCorruptedError(path, detail(err), { cause: err })
  return new StoreIoError(path, detail(err), { cause: err })
}

/** Runs a level operation, translating its errors. */
export async function levelOp<T> (path: string, op: () => Promise<T>): Promise<T> {
  try {
    return await op()
  } catch (err) {
    if (err instanceof MurmurError) throw err
    throw translateOpError(path, err)
  }
}

/**
 * Write options asking LevelDB to fsync its log before acknowledging. Sublevels forward `sync`
 * to classic-level at runtime, but abstract-level's sublevel types do not declare it.
 */
export function syncWrite<O extends object> (): O {
  return { sync: true } as unknown as O
}

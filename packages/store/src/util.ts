import { createHash } from 'node:crypto'
import { InvalidArgumentError } from '@murmur/interface'
import { INT_KEY_DIGITS, MAX_JSON_DEPTH } from './constants.js'
import type { JsonValue, RandomSource } from './types.js'

/** Hex SHA-256 of the concatenation of `parts`. */
export function sha256Hex (...parts: Uint8Array[]): string {
  const h = createHash('sha256')
  for (const p of parts) h.update(p)
  return h.digest('hex')
}

/**
 * SHA-256 hex of a group's completion texts, independent of their order: the texts are sorted
 * (by UTF-16 code units) and hashed as a JSON array, so the encoding is unambiguous.
 */
export function hashCompletions (completions: readonly string[]): string {
  if (!Array.isArray(completions) || completions.some(c => typeof c !== 'string')) {
    throw new InvalidArgumentError('completions', 'must be an array of strings')
  }
  const sorted = [...completions].sort((a, b) => a < b ? -1 : a > b ? 1 : 0)
  return createHash('sha256').update(JSON.stringify(sorted)).digest('hex')
}

/** Duplicate key of a pool entry: first 128 bits of SHA-256 over [producer, taskKey, completionsHash] as JSON. */
export function poolEntryId (producer: string, taskKey: string, completionsHash: string): string {
  return createHash('sha256').update(JSON.stringify([producer, taskKey, completionsHash])).digest('hex').slice(0, 32)
}

/** Normalises a `RandomSource` to a function returning floats in [0, 1). */
export function randomFn (rng: RandomSource): () => number {
  if (typeof rng === 'function') return rng
  if (rng != null && typeof rng.nextFloat === 'function') return () => rng.nextFloat()
  throw new InvalidArgumentError('rng', 'must be a function or an object with nextFloat()')
}

/** Zero-padded hex key of a non-negative safe integer, so keys sort like the numbers. */
export function intKey (n: number): string {
  return n.toString(16).padStart(INT_KEY_DIGITS, '0')
}

/** Inverse of `intKey`. */
export function parseIntKey (key: string): number {
  return Number.parseInt(key, 16)
}

/** Throws InvalidArgumentError unless `n` is a non-negative safe integer. */
export function assertIndex (field: string, n: unknown): asserts n is number {
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) {
    throw new InvalidArgumentError(field, `must be a non-negative safe integer, got ${String(n)}`)
  }
}

/** Throws InvalidArgumentError unless `n` is a positive integer or Infinity (when allowed). */
export function assertLimit (field: string, n: unknown, allowInfinity: boolean): asserts n is number {
  const ok = typeof n === 'number' && ((Number.isSafeInteger(n) && n > 0) || (allowInfinity && n === Infinity))
  if (!ok) throw new InvalidArgumentError(field, `must be a positive integer${allowInfinity ? ' or Infinity' : ''}, got ${String(n)}`)
}

/** Throws InvalidArgumentError unless `value` is plain JSON (finite numbers, plain objects, no cycles). */
export function assertJson (field: string, value: unknown): asserts value is JsonValue {
  const seen = new Set<object>()
  const walk = (v: unknown, path: string, depth: number): void => {
    if (depth > MAX_JSON_DEPTH) throw new InvalidArgumentError(path, `nests deeper than ${MAX_JSON_DEPTH} levels`)
    if (v === null || typeof v === 'string' || typeof v === 'boolean') return
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) throw new InvalidArgumentError(path, `must be a finite number, got ${v}`)
      return
    }
    if (typeof v !== 'object') throw new InvalidArgumentError(path, `is not JSON (${typeof v})`)
    if (seen.has(v)) throw new InvalidArgumentError(path, 'contains a cycle')
    seen.add(v)
    if (Array.isArray(v)) {
      v.forEach((x, i) => { walk(x, `${path}[${i}]`, depth + 1) })
    } else {
      const proto = Object.getPrototypeOf(v) as unknown
      if (proto !== Object.prototype && proto !== null) throw new InvalidArgumentError(path, 'must be a plain object')
      for (const [k, x] of Object.entries(v)) walk(x, `${path}.${k}`, depth + 1)
    }
    seen.delete(v)
  }
  walk(value, field, 0)
}

/** Throws InvalidArgumentError unless `value` is a Uint8Array. */
export function assertBytes (field: string, value: unknown): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) throw new InvalidArgumentError(field, 'must be a Uint8Array')
}

/** A private copy of `bytes` as a plain Uint8Array (not a Buffer view into a shared pool). */
export function copyBytes (bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.byteLength)
  out.set(bytes)
  return out
}

/** Runs async tasks one at a time in submission order; a failing task does not block later ones. */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve()

  /** Runs `task` after every previously submitted task has settled. */
  async run<T> (task: () => Promise<T>): Promise<T> {
    const next = this.tail.then(task, task)
    this.tail = next.catch(() => undefined)
    return await next
  }

  /** Resolves when every task submitted so far has settled. */
  async drain (): Promise<void> {
    await this.tail
  }
}

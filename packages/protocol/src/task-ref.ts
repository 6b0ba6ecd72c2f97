// Canonical wire form of a TaskRef: parameters sorted by the UTF-8 bytes of their keys, keys
// unique, -0 folded into 0, so that one reference always encodes to the same bytes (stores use
// those bytes as a dedupe key, and two producers of the same task agree on them).
import {
  MAX_FAMILY_BYTES, MAX_PARAM_KEY_BYTES, MAX_PARAM_TEXT_BYTES, MAX_TASK_PARAMS, MAX_UINT32
} from './constants.js'
import { InvalidRolloutError, RolloutDecodeError } from './errors.js'
import { WireTaskRef, type WireTaskParam } from './rollout.gen.js'
import type { TaskParams, TaskRef } from './task-types.js'
import { decodeUtf8, encodeText } from './utf8.js'

/** Lexicographic comparison of byte strings. */
export function compareBytes (a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) {
    if (a[i] !== b[i]) return a[i] - b[i]
  }
  return a.length - b.length
}

function isUint32 (x: unknown): x is number {
  return typeof x === 'number' && Number.isInteger(x) && x >= 0 && x <= MAX_UINT32
}

/** Checks a TaskRef against the wire limits and converts it to its canonical wire form. */
export function toWireTaskRef (ref: TaskRef, path = 'task'): WireTaskRef {
  if (ref == null || typeof ref !== 'object') throw new InvalidRolloutError(path, 'must be a TaskRef object')
  if (typeof ref.family !== 'string' || ref.family === '') throw new InvalidRolloutError(`${path}.family`, 'must be a non-empty string')
  const family = encodeText(ref.family, `${path}.family`, MAX_FAMILY_BYTES)
  if (!isUint32(ref.version)) throw new InvalidRolloutError(`${path}.version`, `must be an integer in 0..${MAX_UINT32}`)
  if (!isUint32(ref.seed)) throw new InvalidRolloutError(`${path}.seed`, `must be an integer in 0..${MAX_UINT32}`)
  if (ref.params == null || typeof ref.params !== 'object') throw new InvalidRolloutError(`${path}.params`, 'must be an object')
  const entries = Object.entries(ref.params)
  if (entries.length > MAX_TASK_PARAMS) throw new InvalidRolloutError(`${path}.params`, `must have at most ${MAX_TASK_PARAMS} entries`)
  const params: WireTaskParam[] = entries.map(([k, v]) => {
    const field = `${path}.params.${k}`
    const key = encodeText(k, field, MAX_PARAM_KEY_BYTES)
    if (key.length === 0) throw new InvalidRolloutError(field, 'key must not be empty')
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) throw new InvalidRolloutError(field, 'must be a finite number')
      return { key, number: v === 0 ? 0 : v }
    }
    if (typeof v === 'boolean') return { key, flag: v }
    if (typeof v === 'string') {
      return { key, text: encodeText(v, field, MAX_PARAM_TEXT_BYTES) }
    }
    throw new InvalidRolloutError(field, 'must be a number, string or boolean')
  })
  params.sort((a, b) => compareBytes(a.key, b.key))
  return { family, version: ref.version, seed: ref.seed, params }
}

/** Converts a decoded wire TaskRef to a TaskRef, enforcing the canonical form. */
export function fromWireTaskRef (wire: WireTaskRef | undefined): TaskRef {
  if (wire === undefined) throw new RolloutDecodeError('task', 'missing task reference')
  if (wire.family.length === 0 || wire.family.length > MAX_FAMILY_BYTES) {
    throw new RolloutDecodeError('family', `family must be 1..${MAX_FAMILY_BYTES} bytes`)
  }
  const family = decodeUtf8(wire.family, 'family')
  const params: TaskParams = Object.create(null) as TaskParams
  let previous: Uint8Array | undefined
  for (const p of wire.params) {
    if (p.key.length === 0 || p.key.length > MAX_PARAM_KEY_BYTES) {
      throw new RolloutDecodeError('param', `parameter key must be 1..${MAX_PARAM_KEY_BYTES} bytes`)
    }
    if (previous !== undefined && compareBytes(previous, p.key) >= 0) {
      throw new RolloutDecodeError('params', 'parameter keys must be unique and sorted')
    }
    previous = p.key
    const key = decodeUtf8(p.key, 'param')
    const set = (p.number !== undefined ? 1 : 0) + (p.text !== undefined ? 1 : 0) + (p.flag !== undefined ? 1 : 0)
    if (set !== 1) throw new RolloutDecodeError('param', `parameter "${key}" must carry exactly one value`)
    if (p.number !== undefined) {
      if (!Number.isFinite(p.number) || Object.is(p.number, -0)) {
        throw new RolloutDecodeError('param', `parameter "${key}" must be a finite, canonical number`)
      }
      params[key] = p.number
    } else if (p.text !== undefined) {
      if (p.text.length > MAX_PARAM_TEXT_BYTES) throw new RolloutDecodeError('param', `parameter "${key}" exceeds ${MAX_PARAM_TEXT_BYTES} bytes`)
      params[key] = decodeUtf8(p.text, 'param')
    } else {
      params[key] = p.flag as boolean
    }
  }
  // A plain object for callers (Object.create(null) guards against "__proto__" keys while filling).
  return { family, version: wire.version, seed: wire.seed, params: { ...params } }
}

/** The canonical bytes of a TaskRef: equal references give equal bytes (usable as a dedupe key). */
export function encodeTaskRef (ref: TaskRef): Uint8Array {
  return WireTaskRef.encode(toWireTaskRef(ref))
}

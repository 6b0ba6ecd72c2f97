import { InvalidTaskParamsError } from './errors.js'
import { MAX_FAMILY_NAME_CHARS, MAX_PARAMS, MAX_PARAM_STRING_CHARS, MAX_SEED } from './constants.js'
import { FORMAT_SPEC } from './types.js'
import type { ParamSpec, ResolvedParams, TaskFamily, TaskParams, TaskRef } from './types.js'

function isPlainObject (x: unknown): x is Record<string, unknown> {
  if (x === null || typeof x !== 'object' || Array.isArray(x)) return false
  const proto: unknown = Object.getPrototypeOf(x)
  return proto === Object.prototype || proto === null
}

/**
 * Checks the shape of untrusted data (e.g. decoded from the network) and returns a fresh,
 * plain TaskRef. Does not check that the family exists; `resolveTask` does.
 */
export function validateTaskRef (x: unknown, path = ''): TaskRef {
  const at = (k: string): string => path === '' ? k : `${path}.${k}`
  if (!isPlainObject(x)) throw new InvalidTaskParamsError(path === '' ? 'ref' : path, 'must be a plain object')
  const { family, version, seed, params } = x
  if (typeof family !== 'string' || family.length === 0 || family.length > MAX_FAMILY_NAME_CHARS) {
    throw new InvalidTaskParamsError(at('family'), `must be a non-empty string of at most ${MAX_FAMILY_NAME_CHARS} characters`)
  }
  if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 1) {
    throw new InvalidTaskParamsError(at('version'), 'must be a positive integer')
  }
  if (typeof seed !== 'number' || !Number.isInteger(seed) || seed < 0 || seed > MAX_SEED) {
    throw new InvalidTaskParamsError(at('seed'), `must be an integer in 0..${MAX_SEED}`)
  }
  const out: TaskParams = {}
  if (params !== undefined) {
    if (!isPlainObject(params)) throw new InvalidTaskParamsError(at('params'), 'must be a plain object')
    const keys = Object.keys(params)
    if (keys.length > MAX_PARAMS) throw new InvalidTaskParamsError(at('params'), `at most ${MAX_PARAMS} parameters`)
    for (const key of keys) {
      const v = params[key]
      const field = at(`params.${key}`)
      if (key.length > MAX_PARAM_STRING_CHARS || !/^[A-Za-z][A-Za-z0-9_]*$/.test(key)) {
        throw new InvalidTaskParamsError(field, 'keys are identifiers ([A-Za-z][A-Za-z0-9_]*) of at most 64 characters')
      }
      if (typeof v === 'string') {
        if (v.length > MAX_PARAM_STRING_CHARS) throw new InvalidTaskParamsError(field, 'string value too long')
      } else if (typeof v === 'number') {
        if (!Number.isFinite(v)) throw new InvalidTaskParamsError(field, 'must be a finite number')
      } else if (typeof v !== 'boolean') {
        throw new InvalidTaskParamsError(field, 'must be a number, string or boolean')
      }
      out[key] = v
    }
  }
  return { family, version, seed, params: out }
}

function checkValue (field: string, spec: ParamSpec, v: number | string | boolean): void {
  if (spec.kind === 'int') {
    if (typeof v !== 'number' || !Number.isInteger(v)) throw new InvalidTaskParamsError(field, 'must be an integer')
    if (v < spec.min || v > spec.max) throw new InvalidTaskParamsError(field, `must be in ${spec.min}..${spec.max}, got ${v}`)
  } else if (spec.kind === 'enum') {
    if (typeof v !== 'string' || !spec.values.includes(v)) {
      throw new InvalidTaskParamsError(field, `must be one of ${spec.values.join(', ')}`)
    }
  } else if (typeof v !== 'boolean') {
    throw new InvalidTaskParamsError(field, 'must be a boolean')
  }
}

/** All parameter specs of a family, `format` included. */
export function familySpecs (family: TaskFamily): Record<string, ParamSpec> {
  return { ...family.params, format: FORMAT_SPEC }
}

/** Fills defaults and validates `params` against a family's declarations (unknown keys rejected). */
export function resolveParams (family: TaskFamily, params: TaskParams, path = 'params'): ResolvedParams {
  const specs = familySpecs(family)
  for (const key of Object.keys(params)) {
    if (!Object.hasOwn(specs, key)) {
      throw new InvalidTaskParamsError(`${path}.${key}`, `unknown parameter for ${family.name}; known: ${Object.keys(specs).join(', ')}`)
    }
  }
  const out: Record<string, number | string | boolean> = {}
  for (const [key, spec] of Object.entries(specs)) {
    const v = Object.hasOwn(params, key) ? params[key] : spec.default
    checkValue(`${path}.${key}`, spec, v)
    out[key] = v
  }
  const resolved = out as ResolvedParams
  const bad = family.validate?.(resolved)
  if (bad !== undefined) throw new InvalidTaskParamsError(`${path}.${bad.key}`, bad.message)
  return resolved
}

/** The default parameters of a family, `format` included. */
export function defaultParams (family: TaskFamily): TaskParams {
  const out: TaskParams = {}
  for (const [key, spec] of Object.entries(familySpecs(family))) out[key] = spec.default
  return out
}

/** Canonical string of a TaskRef (params sorted by key, values JSON-encoded) for dedup and hashing. */
export function taskKey (ref: TaskRef): string {
  const keys = Object.keys(ref.params).sort()
  const body = keys.map(k => `${JSON.stringify(k)}:${JSON.stringify(ref.params[k])}`).join(',')
  return `${ref.family}@${ref.version}#${ref.seed}{${body}}`
}

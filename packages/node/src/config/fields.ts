/**
 * A tiny declarative schema: every config key is described once (type, default, range, doc),
 * and validation, CLI flags, environment variables and help text are all derived from it, so a
 * new key cannot be forgotten by one of them.
 */
import { InvalidConfigError } from '../errors.js'

/** One config key's description. */
export type FieldSpec =
  | { kind: 'int', default: number, min?: number, max?: number, doc: string }
  | { kind: 'number', default: number, min?: number, max?: number, exclusiveMin?: boolean, doc: string }
  | { kind: 'string', default: string, choices?: readonly string[], doc: string }
  | { kind: 'bool', default: boolean, doc: string }
  | { kind: 'list', default: readonly string[], doc: string }
  | { kind: 'weights', default: Readonly<Record<string, number>>, doc: string }

/** A schema: dotted key → spec. */
export type Schema = Readonly<Record<string, FieldSpec>>

/** Parses a string from a flag or environment variable into the field's type. */
export function parseFieldString (key: string, spec: FieldSpec, raw: string): unknown {
  switch (spec.kind) {
    case 'int':
    case 'number': {
      const trimmed = raw.trim()
      const value = trimmed === '' ? Number.NaN : Number(trimmed)
      if (!Number.isFinite(value)) throw new InvalidConfigError(key, `expected a number, got "${raw}"`)
      return value
    }
    case 'bool': {
      const v = raw.trim().toLowerCase()
      if (['true', '1', 'yes', 'on'].includes(v)) return true
      if (['false', '0', 'no', 'off'].includes(v)) return false
      throw new InvalidConfigError(key, `expected true or false, got "${raw}"`)
    }
    case 'list':
      return raw.split(',').map(s => s.trim()).filter(s => s !== '')
    case 'weights': {
      const out: Record<string, number> = {}
      for (const part of raw.split(',').map(s => s.trim()).filter(s => s !== '')) {
        const [name, weight = '1'] = part.split('=')
        const w = Number(weight)
        if (name === undefined || name.trim() === '') throw new InvalidConfigError(key, `empty name in "${raw}"; use name=weight,name=weight`)
        if (!Number.isFinite(w)) throw new InvalidConfigError(key, `weight of "${name}" is not a number in "${raw}"`)
        out[name.trim()] = w
      }
      return out
    }
    case 'string':
      return raw
  }
}

/** Checks one value against its spec; returns the value or throws `InvalidConfigError` naming the key. */
export function checkField (key: string, spec: FieldSpec, value: unknown): unknown {
  switch (spec.kind) {
    case 'int':
    case 'number': {
      if (typeof value !== 'number' || !Number.isFinite(value)) throw new InvalidConfigError(key, `expected a finite number, got ${show(value)}`)
      if (spec.kind === 'int' && !Number.isInteger(value)) throw new InvalidConfigError(key, `expected an integer, got ${value}`)
      if (spec.min !== undefined) {
        const exclusive = spec.kind === 'number' && spec.exclusiveMin === true
        if (exclusive ? value <= spec.min : value < spec.min) throw new InvalidConfigError(key, `must be ${exclusive ? '>' : '≥'} ${spec.min}, got ${value}`)
      }
      if (spec.max !== undefined && value > spec.max) throw new InvalidConfigError(key, `must be ≤ ${spec.max}, got ${value}`)
      return value
    }
    case 'bool':
      if (typeof value !== 'boolean') throw new InvalidConfigError(key, `expected true or false, got ${show(value)}`)
      return value
    case 'string':
      if (typeof value !== 'string') throw new InvalidConfigError(key, `expected a string, got ${show(value)}`)
      if (spec.choices !== undefined && !spec.choices.includes(value)) {
        throw new InvalidConfigError(key, `must be one of ${spec.choices.join(' | ')}, got "${value}"`)
      }
      return value
    case 'list':
      if (!Array.isArray(value) || !value.every(v => typeof v === 'string')) throw new InvalidConfigError(key, `expected a list of strings, got ${show(value)}`)
      return Object.freeze([...value])
    case 'weights': {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new InvalidConfigError(key, `expected an object of name → weight, got ${show(value)}`)
      const out: Record<string, number> = {}
      for (const [name, w] of Object.entries(value as Record<string, unknown>)) {
        if (typeof w !== 'number' || !Number.isFinite(w) || w < 0) throw new InvalidConfigError(`${key}.${name}`, `weight must be a finite number ≥ 0, got ${show(w)}`)
        out[name] = w
      }
      return Object.freeze(out)
    }
  }
}

/** `train.learningRate` → `--train-learning-rate`. */
export function flagName (key: string): string {
  return key.replace(/\./g, '-').replace(/[A-Z]/g, c => '-' + c.toLowerCase())
}

/** `train.learningRate` → `MURMUR_TRAIN_LEARNING_RATE`. */
export function envName (key: string): string {
  return 'MURMUR_' + flagName(key).replace(/-/g, '_').toUpperCase()
}

function show (value: unknown): string {
  if (typeof value === 'string') return `"${value}"`
  try {
    return JSON.stringify(value) ?? String(value)
  } catch {
    return String(value)
  }
}

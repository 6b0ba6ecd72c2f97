import { TEXT_ANSWER_INSTRUCTION } from './constants.js'
import type { CheckResult } from './types.js'

/** Numbers with more digits than this are rejected as unparseable (keeps BigInt work bounded). */
const MAX_NUMBER_DIGITS = 40

const DIGITS = '0123456789abcdefghijklmnopqrstuvwxyz'

/** Digits of a non-negative safe integer in `base` (2..36), lowercase; own code, no toString(radix). */
export function toBase (n: number, base: number): string {
  if (n === 0) return '0'
  let out = ''
  while (n > 0) {
    out = DIGITS[n % base] + out
    n = Math.floor(n / base)
  }
  return out
}

/** Left-pads the decimal digits of a non-negative integer with zeros to `width`. */
export function padInt (n: number, width: number): string {
  return String(n).padStart(width, '0')
}

/** A text-format prompt: the question, then the answer-tag instruction (on its own line after a multi-line question). */
export function textPrompt (question: string): string {
  return `${question}${question.includes('\n') ? '\n' : ' '}${TEXT_ANSWER_INSTRUCTION}`
}

/** Removes one pair of surrounding quotes or backticks. */
export function stripQuotes (s: string): string {
  if (s.length >= 2) {
    const a = s[0]
    const b = s[s.length - 1]
    if ((a === '"' || a === "'" || a === '`') && a === b) return s.slice(1, -1).trim()
  }
  return s
}

/** Removes all whitespace and commas (for digit/cell sequences an LLM may space out). */
export function squeeze (s: string): string {
  return s.replace(/[\s,]+/g, '')
}

function isDigits (s: string): boolean {
  if (s.length === 0) return false
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c < 48 || c > 57) return false
  }
  return true
}

function stripLeadingZeros (s: string): string {
  let i = 0
  while (i < s.length - 1 && s[i] === '0') i++
  return s.slice(i)
}

/** Leading sign of a number: `-`, `+`, or U+2212 (minus sign). Returns [negative, rest]. */
function splitSign (s: string): [boolean, string] {
  const c = s[0]
  if (c === '-' || c === '\u2212') return [true, s.slice(1)]
  if (c === '+') return [false, s.slice(1)]
  return [false, s]
}

/**
 * Canonical decimal integer string, or null. Accepts surrounding whitespace, an optional sign
 * (`+`, `-`, `−`), leading zeros; `-0` is `0`. Nothing else (no separators, no decimals).
 */
export function normalizeInteger (s: string): string | null {
  const [neg, rest] = splitSign(s.trim())
  if (!isDigits(rest) || rest.length > MAX_NUMBER_DIGITS) return null
  const digits = stripLeadingZeros(rest)
  return neg && digits !== '0' ? '-' + digits : digits
}

/**
 * Canonical decimal string, or null: optional sign, digits with at most one `.` (`.5` and `5.`
 * allowed); leading zeros and trailing fractional zeros are dropped, `-0` is `0`.
 */
export function normalizeDecimal (s: string): string | null {
  const [neg, rest] = splitSign(s.trim())
  const dot = rest.indexOf('.')
  let int = dot === -1 ? rest : rest.slice(0, dot)
  let frac = dot === -1 ? '' : rest.slice(dot + 1)
  if (int === '' && frac === '') return null
  if ((int !== '' && !isDigits(int)) || (frac !== '' && !isDigits(frac))) return null
  if (int.length + frac.length > MAX_NUMBER_DIGITS) return null
  int = int === '' ? '0' : stripLeadingZeros(int)
  let end = frac.length
  while (end > 0 && frac[end - 1] === '0') end--
  frac = frac.slice(0, end)
  const body = frac === '' ? int : `${int}.${frac}`
  return neg && body !== '0' ? '-' + body : body
}

/** Parses a non-negative integer of at most `MAX_NUMBER_DIGITS` digits to a BigInt, or null. */
export function parseNatural (s: string): bigint | null {
  const t = s.trim()
  if (!isDigits(t) || t.length > MAX_NUMBER_DIGITS) return null
  return BigInt(t)
}

/** Greatest common divisor of two non-negative integers. */
export function gcd (a: number, b: number): number {
  while (b !== 0) {
    const t = a % b
    a = b
    b = t
  }
  return a
}

/** Scores by exact equality of two canonical forms (null parsed form = unparseable). */
export function compareCanonical (expected: string | null, got: string | null): CheckResult {
  if (got === null) return { score: 0, reason: 'unparseable' }
  return expected === got ? { score: 1, reason: 'correct' } : { score: 0, reason: 'wrong' }
}

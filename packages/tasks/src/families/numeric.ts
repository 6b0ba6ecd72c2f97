import type { Op } from './expr.js'
import type { TaskFamily } from '../types.js'
import { bigintOps, buildTokens, decOps, decToString, evaluate, renderTokens } from './expr.js'
import { compareCanonical, gcd, normalizeDecimal, normalizeInteger, padInt, parseNatural, textPrompt, toBase } from '../util.js'

const PREFIX: Record<number, string> = { 2: '0b', 8: '0o', 16: '0x' }

/** Canonical digits of `s` read in `base` (lowercase, no leading zeros, optional 0b/0o/0x prefix), or null. */
function normalizeInBase (s: string, base: number): string | null {
  let t = s.trim().toLowerCase()
  const prefix = PREFIX[base]
  if (prefix !== undefined && t.startsWith(prefix)) t = t.slice(2)
  if (t.length === 0 || t.length > 64) return null
  for (let i = 0; i < t.length; i++) {
    const c = t.charCodeAt(i)
    const v = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 122 ? c - 87 : 99
    if (v >= base) return null
  }
  let i = 0
  while (i < t.length - 1 && t[i] === '0') i++
  return t.slice(i)
}

/** `base_conversion`: rewrite a number in another base ("2>10 1011=" → "11"). */
export const baseConversion: TaskFamily = {
  name: 'base_conversion',
  version: 1,
  description: 'Convert a non-negative integer between bases 2..16 (digits above 9 are lowercase a-f).',
  params: {
    from: { kind: 'int', min: 0, max: 16, default: 2, doc: 'source base 2..16; 0 = random per task (1 is invalid)' },
    to: { kind: 'int', min: 0, max: 16, default: 10, doc: 'target base 2..16; 0 = random per task, never equal to the source' },
    maxValue: { kind: 'int', min: 1, max: 1048575, default: 63, doc: 'the number is uniform in 0..maxValue' }
  },
  validate (p) {
    if (p.from === 1) return { key: 'from', message: 'base 1 is not supported; use 2..16 or 0 for random' }
    if (p.to === 1) return { key: 'to', message: 'base 1 is not supported; use 2..16 or 0 for random' }
    if (p.from !== 0 && p.from === p.to) return { key: 'to', message: 'must differ from `from`' }
    return undefined
  },
  generate (rng, p) {
    let from = p.from as number
    let to = p.to as number
    if (from === 0) from = to === 0 ? rng.int(2, 16) : pickOther(rng.int(2, 15), to)
    if (to === 0) to = pickOther(rng.int(2, 15), from)
    const n = rng.int(0, p.maxValue as number)
    const src = toBase(n, from)
    const prompt = p.format === 'compact'
      ? `${from}>${to} ${src}=`
      : textPrompt(`Convert the base-${from} number ${src} to base ${to}. Use lowercase letters a-f for digits above 9.`)
    return { prompt, answer: toBase(n, to), meta: { n, from, to } }
  },
  check (answer, parsed, _p, task) {
    const to = typeof task.meta.to === 'number' ? task.meta.to : 36
    return compareCanonical(answer, normalizeInBase(parsed, to))
  }
}

/** Maps a draw in 2..15 onto 2..16 without `avoid`. */
function pickOther (draw: number, avoid: number): number {
  return draw >= avoid && avoid >= 2 ? draw + 1 : draw
}

const OPS: Record<string, Op[]> = { add: ['+'], addsub: ['+', '-'], all: ['+', '-', '*'] }

/** `basic_arithmetic`: integer expressions with + − × and optional parentheses ("3+5*2=" → "13"). */
export const basicArithmetic: TaskFamily = {
  name: 'basic_arithmetic',
  version: 1,
  description: 'Evaluate an integer expression (usual precedence); the result may be negative.',
  params: {
    terms: { kind: 'int', min: 2, max: 6, default: 3, doc: 'number of operands' },
    maxOperand: { kind: 'int', min: 1, max: 999, default: 9, doc: 'operands are uniform in 0..maxOperand' },
    ops: { kind: 'enum', values: ['add', 'addsub', 'all'], default: 'addsub', doc: 'operators: + | + − | + − ×' },
    parens: { kind: 'bool', default: false, doc: 'wrap one run of 2..terms−1 operands in parentheses (needs terms ≥ 3)' }
  },
  generate (rng, p) {
    const terms = p.terms as number
    const operands: string[] = []
    const ops: Op[] = []
    for (let i = 0; i < terms; i++) {
      operands.push(String(rng.int(0, p.maxOperand as number)))
      if (i > 0) ops.push(rng.pick(OPS[p.ops as string]))
    }
    let open = -1
    let close = -1
    if (p.parens === true && terms >= 3) {
      const span = rng.int(2, terms - 1)
      open = rng.int(0, terms - span)
      close = open + span - 1
    }
    const tokens = buildTokens(operands, ops, open, close)
    const answer = evaluate(tokens, bigintOps).toString()
    const prompt = p.format === 'compact'
      ? `${renderTokens(tokens, false)}=`
      : textPrompt(`Calculate ${renderTokens(tokens, true)}.`)
    return { prompt, answer, meta: { expression: renderTokens(tokens, false) } }
  },
  check: (answer, parsed) => compareCanonical(answer, normalizeInteger(parsed))
}

/** `decimal_arithmetic`: exact decimal expressions ("1.5+2.25=" → "3.75"). */
export const decimalArithmetic: TaskFamily = {
  name: 'decimal_arithmetic',
  version: 1,
  description: 'Evaluate an expression over decimals with a fixed number of places, exactly (no rounding).',
  params: {
    terms: { kind: 'int', min: 2, max: 4, default: 2, doc: 'number of operands' },
    decimals: { kind: 'int', min: 1, max: 3, default: 1, doc: 'decimal places of every operand' },
    maxInt: { kind: 'int', min: 0, max: 999, default: 9, doc: 'integer parts are uniform in 0..maxInt' },
    ops: { kind: 'enum', values: ['addsub', 'all'], default: 'addsub', doc: 'operators: + − | + − ×' }
  },
  generate (rng, p) {
    const decimals = p.decimals as number
    const operands: string[] = []
    const ops: Op[] = []
    for (let i = 0; i < (p.terms as number); i++) {
      operands.push(`${rng.int(0, p.maxInt as number)}.${padInt(rng.int(0, 10 ** decimals - 1), decimals)}`)
      if (i > 0) ops.push(rng.pick(OPS[p.ops as string]))
    }
    const tokens = buildTokens(operands, ops)
    const answer = decToString(evaluate(tokens, decOps))
    const prompt = p.format === 'compact'
      ? `${renderTokens(tokens, false)}=`
      : textPrompt(`Calculate ${renderTokens(tokens, true)} exactly. Write the result as a decimal number.`)
    return { prompt, answer, meta: { expression: renderTokens(tokens, false) } }
  },
  check: (answer, parsed) => compareCanonical(answer, normalizeDecimal(parsed))
}

/** `fraction_simplification`: reduce a fraction to lowest terms ("6/8=" → "3/4"). */
export const fractionSimplification: TaskFamily = {
  name: 'fraction_simplification',
  version: 1,
  description: 'Reduce num/den to lowest terms; 0.5 for an equal fraction that is reduced further than the prompt but not fully.',
  params: {
    maxValue: { kind: 'int', min: 2, max: 99, default: 9, doc: 'bound on the reduced numerator and denominator' },
    maxFactor: { kind: 'int', min: 2, max: 20, default: 5, doc: 'the prompt multiplies both by a factor in 2..maxFactor' },
    improper: { kind: 'bool', default: false, doc: 'allow numerator > denominator (the reduced denominator is always ≥ 2)' }
  },
  generate (rng, p) {
    const maxValue = p.maxValue as number
    const den = rng.int(2, maxValue)
    let num = 1
    // Rejection sampling for a coprime numerator; bounded, falling back to 1 (always coprime).
    for (let tries = 0; tries < 64; tries++) {
      const c = p.improper === true ? rng.int(1, maxValue) : rng.int(1, den - 1)
      if (gcd(c, den) === 1) { num = c; break }
    }
    const factor = rng.int(2, p.maxFactor as number)
    const shown = `${num * factor}/${den * factor}`
    const prompt = p.format === 'compact'
      ? `${shown}=`
      : textPrompt(`Simplify the fraction ${shown} to lowest terms. Write it as numerator/denominator.`)
    return { prompt, answer: `${num}/${den}`, meta: { num, den, factor } }
  },
  check (answer, parsed, _p, task) {
    const slash = parsed.indexOf('/')
    if (slash === -1) return { score: 0, reason: 'unparseable' }
    const a = parseNatural(parsed.slice(0, slash))
    const b = parseNatural(parsed.slice(slash + 1))
    if (a === null || b === null) return { score: 0, reason: 'unparseable' }
    if (b === 0n) return { score: 0, reason: 'zero denominator' }
    const eslash = answer.indexOf('/')
    const en = BigInt(answer.slice(0, eslash))
    const ed = BigInt(answer.slice(eslash + 1))
    if (a * ed !== b * en) return { score: 0, reason: 'wrong' }
    if (a === en && b === ed) return { score: 1, reason: 'correct' }
    const { den, factor } = task.meta
    const promptDen = typeof den === 'number' && typeof factor === 'number' ? BigInt(den * factor) : null
    if (promptDen !== null && b >= promptDen) return { score: 0, reason: 'not simplified' }
    return { score: 0.5, reason: 'equal but not fully reduced' }
  }
}

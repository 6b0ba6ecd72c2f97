/** Arithmetic over some number type, for the shared expression evaluator. */
export interface NumOps<T> {
  parse: (token: string) => T
  add: (a: T, b: T) => T
  sub: (a: T, b: T) => T
  mul: (a: T, b: T) => T
}

/** Operator tokens the expression families emit. */
export type Op = '+' | '-' | '*'

/**
 * Builds the token list `n0 op0 n1 op1 … n(k−1)`, wrapping operands `open..close` (inclusive) in
 * parentheses when `open >= 0`.
 */
export function buildTokens (operands: string[], ops: Op[], open = -1, close = -1): string[] {
  const tokens: string[] = []
  for (let i = 0; i < operands.length; i++) {
    if (i === open) tokens.push('(')
    tokens.push(operands[i])
    if (i === close) tokens.push(')')
    if (i < ops.length) tokens.push(ops[i])
  }
  return tokens
}

/** Evaluates tokens with the usual precedence (`*` before `+`/`-`, left to right, parentheses). */
export function evaluate<T> (tokens: readonly string[], ops: NumOps<T>): T {
  let pos = 0
  const factor = (): T => {
    const t = tokens[pos++]
    if (t === '(') {
      const v = expr()
      pos++ // ')'
      return v
    }
    return ops.parse(t)
  }
  const term = (): T => {
    let v = factor()
    while (tokens[pos] === '*') {
      pos++
      v = ops.mul(v, factor())
    }
    return v
  }
  const expr = (): T => {
    let v = term()
    while (tokens[pos] === '+' || tokens[pos] === '-') {
      const op = tokens[pos++]
      const r = term()
      v = op === '+' ? ops.add(v, r) : ops.sub(v, r)
    }
    return v
  }
  return expr()
}

/** Renders tokens: compact without spaces, text with spaces around binary operators. */
export function renderTokens (tokens: readonly string[], spaced: boolean): string {
  if (!spaced) return tokens.join('')
  let out = ''
  for (const t of tokens) {
    if (t === '+' || t === '-' || t === '*') out += ` ${t} `
    else out += t
  }
  return out
}

/** BigInt arithmetic for integer expressions. */
export const bigintOps: NumOps<bigint> = {
  parse: (t) => BigInt(t),
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b
}

/** An exact decimal: value = n / 10^scale. */
export interface Dec { n: bigint, scale: number }

function rescale (d: Dec, scale: number): bigint {
  return d.n * 10n ** BigInt(scale - d.scale)
}

/** Exact decimal arithmetic (no floats anywhere). */
export const decOps: NumOps<Dec> = {
  parse: (t) => {
    const dot = t.indexOf('.')
    return dot === -1 ? { n: BigInt(t), scale: 0 } : { n: BigInt(t.slice(0, dot) + t.slice(dot + 1)), scale: t.length - dot - 1 }
  },
  add: (a, b) => { const s = Math.max(a.scale, b.scale); return { n: rescale(a, s) + rescale(b, s), scale: s } },
  sub: (a, b) => { const s = Math.max(a.scale, b.scale); return { n: rescale(a, s) - rescale(b, s), scale: s } },
  mul: (a, b) => ({ n: a.n * b.n, scale: a.scale + b.scale })
}

/** Canonical decimal string of a Dec: no trailing fractional zeros, no `-0`. */
export function decToString (d: Dec): string {
  const neg = d.n < 0n
  let digits = (neg ? -d.n : d.n).toString()
  if (d.scale > 0) {
    digits = digits.padStart(d.scale + 1, '0')
    let int = digits.slice(0, digits.length - d.scale)
    let frac = digits.slice(digits.length - d.scale)
    let end = frac.length
    while (end > 0 && frac[end - 1] === '0') end--
    frac = frac.slice(0, end)
    int = int === '' ? '0' : int
    digits = frac === '' ? int : `${int}.${frac}`
  }
  return neg && digits !== '0' ? '-' + digits : digits
}

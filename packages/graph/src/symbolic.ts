/**
 * Tiny symbolic arithmetic on dims, enough to infer Reshape's `-1` and Concat's summed axis
 * when some dims are symbols. Products are monomials (`batch_size*sequence_length`); sums of
 * symbols become a canonical `a+b` string.
 */
import type { Dim } from './shape.js'

interface Monomial { coef: number, syms: string[] }

function parse (d: Dim): Monomial {
  if (typeof d === 'number') return { coef: d, syms: [] }
  if (d.includes('+')) return { coef: 1, syms: [`(${d})`] }
  return { coef: 1, syms: d.split('*') }
}

/** Product of dims as a monomial. */
export function product (dims: readonly Dim[]): Monomial {
  let coef = 1
  const syms: string[] = []
  for (const d of dims) {
    const m = parse(d)
    coef *= m.coef
    syms.push(...m.syms)
  }
  return { coef, syms }
}

/** `a / b` when exact, as a dim; undefined when it does not divide. */
export function divide (a: Monomial, b: Monomial): Dim | undefined {
  if (b.coef === 0 || a.coef % b.coef !== 0) return undefined
  const rest = [...a.syms]
  for (const s of b.syms) {
    const i = rest.indexOf(s)
    if (i < 0) return undefined
    rest.splice(i, 1)
  }
  const coef = a.coef / b.coef
  if (rest.length === 0) return coef
  const syms = rest.map(s => s.startsWith('(') ? s.slice(1, -1) : s).sort()
  if (coef === 1 && syms.length === 1) return syms[0]
  return [...(coef === 1 ? [] : [String(coef)]), ...syms].join('*')
}

/** Sum of dims: a number when all are static, else a canonical `a+b+3` string. */
export function sum (dims: readonly Dim[]): Dim {
  let n = 0
  const syms: string[] = []
  for (const d of dims) {
    if (typeof d === 'number') n += d
    else syms.push(d)
  }
  if (syms.length === 0) return n
  syms.sort()
  if (n !== 0) syms.push(String(n))
  return syms.join('+')
}

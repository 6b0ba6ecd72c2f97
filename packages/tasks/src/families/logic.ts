import type { Rng } from '@murmur/interface'
import type { TaskFamily } from '../types.js'
import { compareCanonical, textPrompt } from '../util.js'

/** A propositional formula tree. */
type Formula =
  | { kind: 'leaf', name: string }
  | { kind: 'not', arg: Formula }
  | { kind: 'bin', op: BinOp, left: Formula, right: Formula }

type BinOp = '&' | '|' | '^' | '>'

const TEXT_OPS: Record<BinOp, string> = { '&': 'AND', '|': 'OR', '^': 'XOR', '>': 'IMPLIES' }
const VAR_NAMES = ['p', 'q', 'r']

function generateFormula (rng: Rng, depth: number, ops: BinOp[], leaves: string[], root: boolean): Formula {
  if (depth === 0 || (!root && rng.chance(0.3))) {
    const leaf: Formula = { kind: 'leaf', name: rng.pick(leaves) }
    return rng.chance(0.25) ? { kind: 'not', arg: leaf } : leaf
  }
  const node: Formula = {
    kind: 'bin',
    op: rng.pick(ops),
    left: generateFormula(rng, depth - 1, ops, leaves, false),
    right: generateFormula(rng, depth - 1, ops, leaves, false)
  }
  return !root && rng.chance(0.2) ? { kind: 'not', arg: node } : node
}

function evalFormula (f: Formula, env: Record<string, boolean>): boolean {
  if (f.kind === 'leaf') return env[f.name]
  if (f.kind === 'not') return !evalFormula(f.arg, env)
  const a = evalFormula(f.left, env)
  const b = evalFormula(f.right, env)
  switch (f.op) {
    case '&': return a && b
    case '|': return a || b
    case '^': return a !== b
    case '>': return !a || b
  }
}

/** Renders with every nested binary subformula parenthesized, so no precedence rules are needed. */
function render (f: Formula, text: boolean, top: boolean): string {
  if (f.kind === 'leaf') return text ? ({ 1: 'true', 0: 'false' } as Record<string, string>)[f.name] ?? f.name : f.name
  if (f.kind === 'not') return (text ? 'NOT ' : '~') + render(f.arg, text, false)
  const body = text
    ? `${render(f.left, text, false)} ${TEXT_OPS[f.op]} ${render(f.right, text, false)}`
    : `${render(f.left, text, false)}${f.op}${render(f.right, text, false)}`
  return top ? body : `(${body})`
}

/** Parses a truth value: true/false, t/f, 1/0, yes/no (case-insensitive), or null. */
export function parseTruth (s: string): boolean | null {
  const t = s.trim().toLowerCase()
  if (t === 'true' || t === 't' || t === '1' || t === 'yes') return true
  if (t === 'false' || t === 'f' || t === '0' || t === 'no') return false
  return null
}

/** `propositional_logic`: evaluate a formula over constants or assigned variables ("(1&0)|~0=" → "1"). */
export const propositionalLogic: TaskFamily = {
  name: 'propositional_logic',
  version: 1,
  description: 'Evaluate a propositional formula (~ NOT, & AND, | OR, ^ XOR, > IMPLIES) to true or false.',
  params: {
    depth: { kind: 'int', min: 1, max: 4, default: 2, doc: 'maximum nesting depth of binary operators' },
    vars: { kind: 'int', min: 0, max: 3, default: 0, doc: '0: constant leaves 1/0; 1..3: variables p, q, r with given values' },
    ops: { kind: 'enum', values: ['basic', 'full'], default: 'basic', doc: 'basic: & |; full: & | ^ > (negation always)' }
  },
  generate (rng, p) {
    const nvars = p.vars as number
    const names = nvars === 0 ? ['1', '0'] : VAR_NAMES.slice(0, nvars)
    const env: Record<string, boolean> = { 1: true, 0: false }
    for (const name of VAR_NAMES.slice(0, nvars)) env[name] = rng.chance(0.5)
    const ops: BinOp[] = p.ops === 'full' ? ['&', '|', '^', '>'] : ['&', '|']
    const formula = generateFormula(rng, p.depth as number, ops, names, true)
    const value = evalFormula(formula, env)
    const given = VAR_NAMES.slice(0, nvars)
    let prompt: string
    if (p.format === 'compact') {
      prompt = `${given.map(v => `${v}${env[v] ? 1 : 0}`).join('')}${nvars > 0 ? ':' : ''}${render(formula, false, true)}=`
    } else {
      const assign = given.length === 0 ? '' : `Given ${given.map(v => `${v} = ${env[v] ? 'true' : 'false'}`).join(', ')}, `
      prompt = textPrompt(`${assign}${assign === '' ? 'Evaluate' : 'evaluate'} the formula: ${render(formula, true, true)}. Is it true or false? NOT binds tightest; parentheses group the rest.`)
    }
    const answer = p.format === 'compact' ? (value ? '1' : '0') : (value ? 'true' : 'false')
    return { prompt, answer, meta: { formula: render(formula, false, true) } }
  },
  check (answer, parsed) {
    const got = parseTruth(parsed)
    const want = parseTruth(answer)
    return compareCanonical(String(want), got === null ? null : String(got))
  }
}

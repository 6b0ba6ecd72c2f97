// Every family's reference answers checked against an independent computation (built-ins, Date,
// JS expression evaluation, brute force), across hard parameter settings, compact format.
import { describe, expect, it } from 'vitest'
import { resolveTask, verify } from '../src/registry.js'
import type { TaskParams } from '../src/types.js'

const N = 300

function tasks (family: string, params: TaskParams): Array<{ prompt: string, answer: string }> {
  return Array.from({ length: N }, (_, seed) => {
    const t = resolveTask({ family, version: 1, seed, params: { ...params, format: 'compact' } })
    expect(verify(t, t.answer).score).toBe(1)
    return t
  })
}

const body = (prompt: string, prefix = ''): string => prompt.slice(prefix.length, -1)
const jsEval = (expr: string): unknown => new Function(`return (${expr})`)()

describe('answers agree with independent computations', () => {
  it('add', () => {
    for (const digits of [1, 3, 6]) {
      for (const pad of [true, false]) {
        for (const t of tasks('add', { digits, pad })) {
          const [a, b] = body(t.prompt).split('+')
          if (pad) expect(a.length).toBe(digits)
          expect(t.answer).toBe(String(Number(a) + Number(b)))
        }
      }
    }
  })

  it('sort_digits and reverse', () => {
    for (const t of tasks('sort_digits', { length: 12 })) expect(t.answer).toBe([...body(t.prompt, 'sort ')].sort().join(''))
    for (const t of tasks('sort_digits', { length: 5, descending: true })) expect(t.answer).toBe([...body(t.prompt, 'dsort ')].sort().reverse().join(''))
    for (const t of tasks('reverse', { length: 12, alphabet: 'alnum' })) expect(t.answer).toBe([...body(t.prompt, 'rev ')].reverse().join(''))
  })

  it('base_conversion (random bases, large values)', () => {
    for (const t of tasks('base_conversion', { from: 0, to: 0, maxValue: 1048575 })) {
      const m = /^(\d+)>(\d+) ([0-9a-f]+)=$/.exec(t.prompt)
      expect(m).not.toBeNull()
      const [from, to] = [Number(m![1]), Number(m![2])]
      expect(from).not.toBe(to)
      expect(t.answer).toBe(parseInt(m![3], from).toString(to))
    }
  })

  it('basic_arithmetic (all ops, parentheses, big operands) via BigInt JS evaluation', () => {
    for (const t of tasks('basic_arithmetic', { terms: 6, maxOperand: 999, ops: 'all', parens: true })) {
      expect(t.answer).toBe(String(jsEval(body(t.prompt).replace(/\d+/g, '$&n'))))
    }
  })

  it('decimal_arithmetic via float evaluation (relative 1e-12)', () => {
    for (const t of tasks('decimal_arithmetic', { terms: 4, decimals: 3, maxInt: 99, ops: 'all' })) {
      const want = jsEval(body(t.prompt)) as number
      expect(Math.abs(Number(t.answer) - want)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(want)))
      expect(t.answer).not.toMatch(/\.\d*0$|^-0$/)
    }
  })

  it('fraction_simplification: equal value, lowest terms', () => {
    const gcd = (a: number, b: number): number => b === 0 ? a : gcd(b, a % b)
    for (const t of tasks('fraction_simplification', { maxValue: 99, maxFactor: 20, improper: true })) {
      const [a, b] = body(t.prompt).split('/').map(Number)
      const [p, q] = t.answer.split('/').map(Number)
      expect(a * q).toBe(b * p)
      expect(gcd(p, q)).toBe(1)
      expect(q).toBeGreaterThanOrEqual(2)
    }
  })

  it('calendar_arithmetic via the Date object', () => {
    const day = (iso: string): number => Date.parse(`${iso}T00:00:00Z`) / 86_400_000
    const iso = (d: number): string => new Date(d * 86_400_000).toISOString().slice(0, 10)
    const names = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat']
    for (const t of tasks('calendar_arithmetic', { mode: 'mixed', maxDays: 3650, minYear: 1900, maxYear: 2100, backward: true })) {
      let m: RegExpExecArray | null
      if ((m = /^(\d{4}-\d\d-\d\d)([+-])(\d+)=$/.exec(t.prompt)) !== null) {
        expect(t.answer).toBe(iso(day(m[1]) + (m[2] === '+' ? 1 : -1) * Number(m[3])))
      } else if ((m = /^(\d{4}-\d\d-\d\d)>(\d{4}-\d\d-\d\d)=$/.exec(t.prompt)) !== null) {
        expect(t.answer).toBe(String(day(m[2]) - day(m[1])))
      } else {
        m = /^wd (\d{4}-\d\d-\d\d)=$/.exec(t.prompt)
        expect(m).not.toBeNull()
        expect(t.answer).toBe(names[new Date(`${m![1]}T00:00:00Z`).getUTCDay()])
      }
    }
  })

  it('propositional_logic via JS bitwise evaluation', () => {
    let trues = 0
    for (const t of tasks('propositional_logic', { depth: 4, vars: 3, ops: 'full' })) {
      const [assign, formula] = body(t.prompt).split(':')
      let expr = formula
      for (const [, v, b] of assign.matchAll(/([pqr])([01])/g)) expr = expr.replaceAll(v, b)
      expr = expr.replaceAll('~', '+!').replaceAll('>', '<=')
      const value = Number(jsEval(expr)) !== 0
      expect(t.answer).toBe(value ? '1' : '0')
      if (value) trues++
    }
    expect(trues).toBeGreaterThan(N * 0.2)
    expect(trues).toBeLessThan(N * 0.8)
  })

  it('binary_matrix via index formulas and brute-force distances', () => {
    const parse = (s: string): number[][] => s.split('/').map(r => [...r].map(Number))
    for (const op of ['transpose', 'rot90', 'flip', 'distance']) {
      for (const t of tasks('binary_matrix', { op, rows: 4, cols: 5 })) {
        const g = parse(body(t.prompt).split(' ')[1])
        const out = parse(t.answer)
        const R = g.length
        const C = g[0].length
        for (let i = 0; i < out.length; i++) {
          for (let j = 0; j < out[i].length; j++) {
            let want: number
            if (op === 'transpose') want = g[j][i]
            else if (op === 'rot90') want = g[R - 1 - j][i]
            else if (op === 'flip') want = g[i][C - 1 - j]
            else {
              want = Infinity
              for (let r = 0; r < R; r++) for (let c = 0; c < C; c++) if (g[r][c] === 0) want = Math.min(want, Math.abs(r - i) + Math.abs(c - j))
            }
            expect(out[i][j]).toBe(want)
          }
        }
      }
    }
  })

  it('arc_1d rules', () => {
    for (const t of tasks('arc_1d', { op: 'mixed', length: 20 })) {
      const [name, row] = body(t.prompt).split(' ')
      const inp = [...row].map(Number)
      const out = [...t.answer].map(Number)
      expect(out).toHaveLength(inp.length)
      if (name === 'mir') expect(out).toEqual([...inp].reverse())
      else if (name === 'grav') {
        const nz = inp.filter(v => v !== 0)
        expect(out).toEqual([...inp.filter(v => v === 0), ...nz])
      } else if (name === 'fill') {
        const idx = inp.flatMap((v, i) => v !== 0 ? [i] : [])
        expect(idx).toHaveLength(2)
        expect(out).toEqual(inp.map((_, i) => i >= idx[0] && i <= idx[1] ? inp[idx[0]] : 0))
      } else {
        const k = Number(name.slice(2))
        expect(out).toEqual(inp.map((_, i) => i - k >= 0 ? inp[i - k] : 0))
        expect(inp.slice(inp.length - k).every(v => v === 0)).toBe(true)
      }
    }
  })

  it('bf programs via an independent bracket-scanning interpreter', () => {
    const run = (prog: string, mod: number): string => {
      const tape = [0, 0, 0, 0, 0, 0, 0, 0]
      let p = 0
      let out = ''
      for (let pc = 0; pc < prog.length; pc++) {
        const ch = prog[pc]
        if (ch === '+') tape[p] = (tape[p] + 1) % mod
        else if (ch === '-') tape[p] = (tape[p] - 1 + mod) % mod
        else if (ch === '>') p++
        else if (ch === '<') p--
        else if (ch === '.') out += mod === 10 ? String(tape[p]) : String.fromCharCode(tape[p])
        else if (ch === '[' && tape[p] === 0) { let depth = 1; while (depth > 0) { pc++; depth += prog[pc] === '[' ? 1 : prog[pc] === ']' ? -1 : 0 } }
        else if (ch === ']' && tape[p] !== 0) { let depth = 1; while (depth > 0) { pc--; depth += prog[pc] === ']' ? 1 : prog[pc] === '[' ? -1 : 0 } }
        if (mod === 10) expect(p >= 0 && p < 3).toBe(true)
      }
      return out
    }
    for (const t of tasks('bf', { dialect: 'digits', steps: 8, outputs: 4 })) {
      expect(t.answer).toHaveLength(4)
      expect(t.answer).toBe(run(body(t.prompt, 'bf '), 10))
    }
    for (const t of tasks('bf', { dialect: 'ascii', outputs: 6 })) {
      expect(t.answer).toMatch(/^[a-z]{6}$/)
      expect(t.answer).toBe(run(body(t.prompt, 'bf '), 256))
    }
  })
})

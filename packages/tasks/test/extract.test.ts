import { describe, expect, it } from 'vitest'
import { extractAnswer, extractAnswerDetailed } from '../src/extract.js'
import { listFamilies, resolveTask, verify } from '../src/registry.js'
import { createRng } from '@murmur/interface'
import { MAX_COMPLETION_CHARS } from '../src/constants.js'

describe('extractAnswer', () => {
  it.each([
    ['132', '132', 'whole'],
    ['  132  \nmore text', '132', 'whole'],
    ['<answer>1</answer> then <ANSWER> 2 </Answer>', '2', 'tag'],
    ['<answer>\n0 1\n1 0\n</answer>', '0 1\n1 0', 'tag'],
    ['thinking... <answer>7', '7', 'open-tag'],
    ['<answer>1</answer> oops <answer>2\nrest', '2', 'open-tag'],
    ['so the Answer: 42\nbye', '42', 'answer-colon'],
    ['47+85= 132\n', '132', 'equals'],
    ['a=1, b=2', '2', 'equals']
  ])('%j → %j (%s)', (input, text, mode) => {
    expect(extractAnswerDetailed(input)).toEqual({ text, mode })
  })

  it('returns null for empty or absent answers and non-strings', () => {
    for (const s of ['', '   ', '\n\n', '<answer></answer>', '<answer>   </answer>', 'answer:', 'x=']) expect(extractAnswer(s)).toBeNull()
    expect(extractAnswer(undefined)).toBeNull()
    expect(extractAnswer(42)).toBeNull()
  })

  it('rejects answers longer than the parse limit and truncates huge completions', () => {
    expect(extractAnswer('9'.repeat(2000))).toBeNull()
    const huge = 'x'.repeat(MAX_COMPLETION_CHARS) + '<answer>5</answer>'
    expect(extractAnswer(huge)).toBeNull()
    expect(extractAnswer('<answer>5</answer>' + 'y'.repeat(MAX_COMPLETION_CHARS * 4))).toBe('5')
  })
})

describe('equivalence rules', () => {
  const score = (family: string, seed: number, completion: string, params = {}): number =>
    verify({ family, version: 1, seed, params }, completion).score

  it('integers: leading zeros, signs and whitespace', () => {
    const t = resolveTask({ family: 'add', version: 1, seed: 1, params: {} })
    expect(score('add', 1, ` 00${t.answer} `)).toBe(1)
    expect(score('add', 1, `+${t.answer}`)).toBe(1)
    expect(score('add', 1, `${t.answer}.0`)).toBe(0)
    expect(score('add', 1, `1,${t.answer}`)).toBe(0)
  })

  it('fractions: 1 when reduced, 0.5 when reduced only partly, 0 when equal to the prompt or wrong', () => {
    const seed = 7 // golden: "5/40=" → "1/8"
    expect(score('fraction_simplification', seed, '1/8')).toBe(1)
    expect(score('fraction_simplification', seed, ' 01 / 8 ')).toBe(1)
    expect(score('fraction_simplification', seed, '2/16')).toBe(0.5)
    expect(score('fraction_simplification', seed, '5/40')).toBe(0)
    expect(score('fraction_simplification', seed, '10/80')).toBe(0)
    expect(score('fraction_simplification', seed, '1/7')).toBe(0)
    expect(score('fraction_simplification', seed, '1/0')).toBe(0)
    expect(score('fraction_simplification', seed, '0.125')).toBe(0)
  })

  it('decimals: trailing zeros and leading zeros are equal', () => {
    // golden: "5.3-1.9=" → "3.4"
    for (const s of ['3.4', '3.40', '03.4', '+3.400']) expect(score('decimal_arithmetic', 7, s)).toBe(1)
    for (const s of ['3.41', '34', '3,4', '3.4.0']) expect(score('decimal_arithmetic', 7, s)).toBe(0)
  })

  it('base conversion: case-insensitive, optional prefix of the target base', () => {
    const p = { from: 10, to: 16, maxValue: 4095 } // golden seed 9: 2261 → "8d5"
    for (const s of ['8d5', '8D5', '0x8d5', '008d5']) expect(score('base_conversion', 9, s, p)).toBe(1)
    for (const s of ['0b8d5', '8d6', '8g5']) expect(score('base_conversion', 9, s, p)).toBe(0)
  })

  it('calendar: unpadded dates and weekday abbreviations', () => {
    expect(score('calendar_arithmetic', 7, '2017-2-9')).toBe(1)
    expect(score('calendar_arithmetic', 7, '2017-02-30')).toBe(0)
    expect(score('calendar_arithmetic', 7, '09/02/2017')).toBe(0)
    for (const s of ['Monday', 'monday', 'MON']) expect(score('calendar_arithmetic', 9, `<answer>${s}</answer>`, { mode: 'weekday', format: 'text' })).toBe(1)
    expect(score('calendar_arithmetic', 9, 'Mo', { mode: 'weekday', format: 'text' })).toBe(0)
  })

  it('truth values: true/false/1/0/yes/no in either format', () => {
    for (const s of ['0', 'false', 'F', 'no']) expect(score('propositional_logic', 7, s)).toBe(1)
    for (const s of ['1', 'true', 'maybe']) expect(score('propositional_logic', 7, s)).toBe(0)
  })

  it('binary matrix: either layout, partial credit 0.5·fraction for the right shape', () => {
    // golden seed 7: "flip 011/100/111=" → "110/001/111"
    expect(score('binary_matrix', 7, '110/001/111')).toBe(1)
    expect(score('binary_matrix', 7, '<answer>\n1 1 0\n0 0 1\n1 1 1\n</answer>')).toBe(1)
    expect(score('binary_matrix', 7, '110/001/110')).toBeCloseTo(0.5 * 8 / 9, 12)
    expect(score('binary_matrix', 7, '110/001')).toBe(0)
    expect(score('binary_matrix', 7, '11x/001/111')).toBe(0)
  })

  it('sequences: whitespace and commas between cells are ignored; reverse strips quotes', () => {
    expect(score('sort_digits', 7, '0 2 4 5 7 8')).toBe(1)
    expect(score('arc_1d', 7, '0,0,0,6,6,6,0,0')).toBe(1)
    expect(score('reverse', 7, '"dhlzvxq"')).toBe(1)
    expect(score('reverse', 7, 'DHLZVXQ')).toBe(0)
  })
})

/** Random strings from an alphabet heavy in characters the parsers care about. */
function fuzzStrings (count: number): string[] {
  const rng = createRng(2024)
  const pieces = ['<answer>', '</answer>', '<ANSWER>', 'answer:', '=', '/', '-', '.', '0', '9', 'a', 'f', ' ', '\n', '\t', ',', '(', ')',
    '\ud800', '\udfff', '\u0130', '\u2212', '\u0000', '\uffff', '𝟘', 'true', 'Mon', '2024-02-29', '99999999999999999999999999999999999999999999']
  const out: string[] = [
    '', '<answer>', '</answer>', '<answer></answer>'.repeat(5000), '<answer>'.repeat(8000), '</answer>'.repeat(8000),
    '='.repeat(70_000), 'answer:'.repeat(10_000), '<answer' + '>'.repeat(50_000), '9'.repeat(100_000),
    '\ud800'.repeat(70_000), 'İ'.repeat(70_000), '/'.repeat(1000), '1/' + '0'.repeat(900), '.'.repeat(900), '-'.repeat(900),
    `<answer>${'1'.repeat(1024)}</answer>`, `<answer>${'1 '.repeat(500)}</answer>`, `<answer>${'0/'.repeat(500)}</answer>`
  ]
  while (out.length < count) {
    const n = rng.int(0, 40)
    let s = ''
    for (let i = 0; i < n; i++) {
      s += rng.chance(0.5) ? rng.pick(pieces) : String.fromCharCode(rng.int(0, 0xffff))
    }
    out.push(s)
  }
  return out
}

describe('fuzz', () => {
  it('10k random and adversarial completions never throw, stay in [0,1] and run fast for every family', () => {
    const strings = fuzzStrings(10_000)
    const tasks = listFamilies().flatMap(f => [
      resolveTask({ family: f.name, version: f.version, seed: 1, params: {} }),
      resolveTask({ family: f.name, version: f.version, seed: 2, params: { format: 'text' } })
    ])
    const start = performance.now()
    let bad = 0
    let i = 0
    for (const s of strings) {
      const task = tasks[i++ % tasks.length]
      const r = verify(task, s)
      if (!(r.score >= 0 && r.score <= 1) || (r.parsed !== null && typeof r.parsed !== 'string') || typeof r.reason !== 'string') bad++
    }
    // The adversarial heads also go through every family once.
    for (const s of strings.slice(0, 19)) for (const task of tasks) verify(task, s)
    expect(bad).toBe(0)
    expect(performance.now() - start).toBeLessThan(10_000)
  })

  it('a worst-case tag scan over 64 KiB is linear, not quadratic', () => {
    const task = resolveTask({ family: 'add', version: 1, seed: 1, params: {} })
    const time = (s: string): number => { const t0 = performance.now(); for (let k = 0; k < 5; k++) verify(task, s); return performance.now() - t0 }
    const small = time('<answe'.repeat(1000) + '</answer>')
    const large = time('<answe'.repeat(10_900) + '</answer>')
    expect(large).toBeLessThan(small * 40 + 50)
  })

  it('a hand-made ResolvedTask with a malformed answer scores 0 instead of throwing', () => {
    const task = resolveTask({ family: 'fraction_simplification', version: 1, seed: 1, params: {} })
    expect(verify({ ...task, answer: 'garbage', meta: { den: 'x' } }, '1/2')).toMatchObject({ score: 0 })
    expect(verify({ ...task, meta: undefined as never }, task.answer).score).toBe(1)
  })
})

import { isHeldOut } from '@murmur/tasks'
import { describe, expect, it } from 'vitest'
import { evaluatePolicy, evaluationSet, scoreEvaluation, standardError } from '../src/evaluation.js'
import type { PolicyCompletion as Completion } from '../src/ports.js'

const MIX = { basic_arithmetic: 1, base_conversion: 1, fraction_simplification: 1, sort_digits: 1 }

describe('evaluation', () => {
  it('draws a fixed set of distinct held-out instances from every family', () => {
    const tasks = evaluationSet(MIX, 256)
    expect(evaluationSet(MIX, 256)).toEqual(tasks)
    expect(tasks.every(isHeldOut)).toBe(true)
    expect(new Set(tasks.map(t => t.prompt)).size).toBe(tasks.length)
    expect(new Set(tasks.map(t => t.ref.family))).toEqual(new Set(Object.keys(MIX)))
    expect(tasks.filter(t => t.ref.family === 'sort_digits').length).toBe(64)
  })

  it('scores greedy and sampled accuracy per family with standard errors', () => {
    const tasks = evaluationSet({ sort_digits: 1, basic_arithmetic: 1 }, 8)
    // Greedy: right on even instances. Sampled: 3 of 4 right on sort_digits, none on arithmetic.
    const greedy = tasks.map((t, i) => i % 2 === 0 ? t.answer : 'x')
    const sampled = tasks.map(t => t.ref.family === 'sort_digits' ? [t.answer, t.answer, t.answer, 'x'] : ['x', 'x', 'x', 'x'])
    const r = scoreEvaluation(tasks, greedy, sampled)
    expect(r.tasks).toBe(8)
    expect(r.greedy).toBe(0.5)
    expect(r.greedySE).toBeCloseTo(Math.sqrt((8 * 0.25 / 7) / 8), 12)
    expect(r.families.sort_digits.sampled).toBe(0.75)
    expect(r.families.sort_digits.sampledSE).toBe(0)
    expect(r.families.basic_arithmetic.sampled).toBe(0)
    expect(r.sampled).toBeCloseTo(0.375, 12)
    expect(r.samples).toBe(4)
    expect(r.greedyTexts).toEqual(greedy)
  })

  it('standard error is the sample SD over √n, NaN below two values', () => {
    expect(standardError([1, 0, 1, 0])).toBeCloseTo(Math.sqrt((1 / 3) / 4), 12)
    expect(standardError([1])).toBeNaN()
  })

  it('estimates KL to the base policy on the sampled completions', async () => {
    const tasks = evaluationSet({ sort_digits: 1 }, 3)
    const completion = (text: string, lp: number[]): Completion => ({ text, tokens: lp.length, truncated: false, tokenIds: lp.map((_, i) => i), logprobs: lp })
    const generate = async (prompts: string[], o: { n: number }): Promise<Completion[][]> => prompts.map(() => Array.from({ length: o.n }, () => completion('x', [-0.1, -0.2])))
    const report = await evaluatePolicy(generate, tasks, { samples: 2, baseLogprobs: async (_p, ids) => ids.map(row => row.map(() => -0.5)) })
    // Every token: log π − log π_base = (−0.1 + 0.5, −0.2 + 0.5) → mean 0.35.
    expect(report.klToBase).toBeCloseTo(0.35, 12)
  })
})

describe('evaluation set size', () => {
  it('holds at most `count` instances, families interleaved', () => {
    const tasks = evaluationSet(MIX, 10)
    expect(tasks).toHaveLength(10)
    expect(tasks.slice(0, 4).map(t => t.ref.family)).toEqual(['basic_arithmetic', 'base_conversion', 'fraction_simplification', 'sort_digits'])
    // 256 keeps every distinct held-out instance of base_conversion and fraction_simplification;
    // the default 1024 also every one of basic_arithmetic's, and 256 of sort_digits'.
    expect(evaluationSet(MIX, 256).length).toBe(155)
    const counts = (tasks: ReturnType<typeof evaluationSet>): Record<string, number> => Object.fromEntries(Object.keys(MIX).map(f => [f, tasks.filter(t => t.ref.family === f).length]))
    expect(counts(evaluationSet(MIX, 1024))).toEqual({ basic_arithmetic: 91, base_conversion: 10, fraction_simplification: 17, sort_digits: 256 })
  })
})

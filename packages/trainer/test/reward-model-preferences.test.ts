import { describe, expect, it } from 'vitest'
import { answerDistance, derivePreferencePairs } from '../src/reward-model/preferences.js'

const tasks = [
  { prompt: '12+34=', answer: '46' },
  { prompt: '07+05=', answer: '12' },
  { prompt: 'rev abcd=', answer: 'dcba' }
]

describe('derivePreferencePairs', () => {
  it('is deterministic given the seed and differs across seeds', () => {
    const a = derivePreferencePairs(tasks, { seed: 7 })
    expect(derivePreferencePairs(tasks, { seed: 7 })).toEqual(a)
    expect(derivePreferencePairs(tasks, { seed: 8 })).not.toEqual(a)
  })

  it('orders every pair by its rule', () => {
    const pairs = derivePreferencePairs(tasks, { seed: 1, pairsPerTask: 6 })
    expect(pairs.length).toBe(18)
    for (const p of pairs) {
      const task = tasks.find(t => t.prompt === p.prompt)
      expect(task).toBeDefined()
      if (task === undefined) continue
      expect(p.chosen).not.toBe(p.rejected)
      if (p.rule === 'correct') {
        expect(p.chosen).toBe(task.answer)
        expect(p.rejected).not.toBe(task.answer)
      } else if (p.rule === 'closer') {
        expect(answerDistance(task.answer, p.chosen)).toBeLessThan(answerDistance(task.answer, p.rejected))
      } else {
        expect(p.rejected.length).toBeGreaterThan(p.chosen.length)
        expect(p.rejected).toContain(p.chosen)
      }
    }
    expect(new Set(pairs.map(p => p.rule))).toEqual(new Set(['correct', 'closer', 'format']))
  })

  it('drops pairs the verifier disagrees with', () => {
    // A verifier that accepts everything: no pair can be "correct beats incorrect".
    const pairs = derivePreferencePairs(tasks, { seed: 1, verify: () => 1 })
    expect(pairs.some(p => p.rule === 'correct')).toBe(false)
  })

  it('measures numeric distance for integers and edit distance for strings', () => {
    expect(answerDistance('46', '44')).toBe(2)
    expect(answerDistance('46', '146')).toBe(100)
    expect(answerDistance('dcba', 'dcbb')).toBe(1)
    expect(answerDistance('dcba', 'dc')).toBe(2)
  })

  it('rejects a bad pairsPerTask with a typed error', () => {
    expect(() => derivePreferencePairs(tasks, { seed: 1, pairsPerTask: 0 })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }) as Error)
  })
})

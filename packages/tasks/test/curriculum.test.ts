import { describe, expect, it } from 'vitest'
import { createCurriculum } from '../src/curriculum.js'
import { DIFFICULTY_LADDERS, difficultyLevels, difficultyParams } from '../src/difficulty.js'
import { resolveTask } from '../src/registry.js'
import { createTaskSampler } from '../src/sampler.js'

describe('difficulty ladders', () => {
  it('every level resolves, has training instances, and fits the tiny policy\'s context (prompt + answer ≤ 40 chars)', () => {
    for (const [family, ladder] of Object.entries(DIFFICULTY_LADDERS)) {
      ladder.forEach((_, level) => {
        const params = difficultyParams(family, level)
        for (const ref of createTaskSampler({ seed: level, mix: [{ family, weight: 1, params }] }).sample(0, 200)) {
          const t = resolveTask(ref)
          expect(t.prompt.length + t.answer.length, `${family}@${level}`).toBeLessThanOrEqual(40)
        }
      })
    }
  })

  it('names the bad family or level', () => {
    expect(() => difficultyParams('bf', 0)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_TASK_PARAMS', field: 'difficulty' }))
    expect(() => difficultyParams('add', 9)).toThrow(expect.objectContaining({ field: 'difficulty' }))
    expect(difficultyLevels('add')).toBe(4)
    expect(difficultyLevels('bf')).toBe(0)
  })
})

describe('curriculum', () => {
  it('moves a family up above the band, down below it, once per window, within the ladder', () => {
    const c = createCurriculum({ start: { add: 1, sort_digits: 0, bf: 2 }, band: [0.2, 0.8], window: 10 })
    expect(c.levels()).toEqual({ add: 1, sort_digits: 0 })
    expect(c.record('add', 8, 8)).toBe(1) // window not full yet
    expect(c.record('add', 2, 2)).toBe(2) // 10/10 > 0.8
    expect(c.record('add', 10, 5)).toBe(2) // in band: stays
    expect(c.record('add', 10, 1)).toBe(1) // 0.1 < 0.2
    expect(c.record('sort_digits', 10, 0)).toBe(0) // already easiest
    for (let i = 0; i < 10; i++) c.record('sort_digits', 10, 10)
    expect(c.levels().sort_digits).toBe(3) // hardest
    expect(c.record('bf', 10, 10)).toBe(0) // no ladder: ignored
  })

  it('never goes below a family\'s floor', () => {
    const c = createCurriculum({ start: { sort_digits: 1 }, floor: { sort_digits: 1 }, window: 4 })
    expect(c.record('sort_digits', 4, 0)).toBe(1)
    expect(c.record('sort_digits', 4, 4)).toBe(2)
    expect(c.record('sort_digits', 4, 0)).toBe(1)
  })

  it('checkpoints and restores its state', () => {
    const a = createCurriculum({ start: { add: 0 }, window: 4 })
    a.record('add', 4, 4)
    a.record('add', 2, 1)
    const b = createCurriculum({ start: { add: 0 }, window: 4 })
    b.restore(JSON.parse(JSON.stringify(a.state())))
    expect(b.state()).toEqual(a.state())
  })
})

import { describe, expect, it } from 'vitest'
import { resolveConfig } from '../src/config/index.js'
import { createNodeSampler, isCurriculumSampler } from '../src/curriculum-sampler.js'
import { evaluationSet } from '../src/evaluation.js'

describe('node sampler', () => {
  it('uses the configured difficulty level per family', () => {
    const config = resolveConfig({ overrides: { taskMix: { sort_digits: 1 }, taskDifficulty: { sort_digits: 0 } } })
    const s = createNodeSampler(config)
    expect(isCurriculumSampler(s)).toBe(false)
    expect(s.sample(0, 3).every(r => r.params.length === 4)).toBe(true)
  })

  it('follows the curriculum: a family solved above the band gets harder; the evaluation set does not move', () => {
    const config = resolveConfig({ overrides: { taskMix: { sort_digits: 1 }, curriculum: { enabled: true, window: 16 } } })
    const s = createNodeSampler(config)
    if (!isCurriculumSampler(s)) throw new Error('expected a curriculum sampler')
    expect(s.sample(0, 2).every(r => r.params.length === 8)).toBe(true) // level 1
    const evalBefore = evaluationSet(config.taskMix, 16, config.taskDifficulty)
    s.record({ sort_digits: { n: 16, correct: 16 } })
    expect(s.curriculum.levels()).toEqual({ sort_digits: 2 })
    expect(s.sample(1, 2).every(r => r.params.length === 9)).toBe(true)
    s.record({ sort_digits: { n: 16, correct: 0 } })
    s.record({ sort_digits: { n: 16, correct: 0 } })
    expect(s.sample(2, 2).every(r => r.params.length === 8)).toBe(true) // back to the configured level 1, never below
    expect(evaluationSet(config.taskMix, 16, config.taskDifficulty)).toEqual(evalBefore)
  })
})

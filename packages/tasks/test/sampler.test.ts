import { describe, expect, it } from 'vitest'
import { createTaskSampler, streamTasks } from '../src/sampler.js'
import { DEFAULT_TASK_MIX } from '../src/constants.js'
import { resolveTask, verify } from '../src/registry.js'
import { taskKey } from '../src/params.js'

describe('createTaskSampler', () => {
  it('is a pure function of (seed, round, count)', () => {
    const a = createTaskSampler({ seed: 42 })
    const b = createTaskSampler({ seed: 42 })
    expect(a.sample(3, 50)).toEqual(b.sample(3, 50))
    expect(a.sample(3, 50)).toEqual(a.sample(3, 50))
    expect(a.sample(3, 10)).toEqual(a.sample(3, 50).slice(0, 10))
    expect(a.sample(4, 50)).not.toEqual(a.sample(3, 50))
    expect(createTaskSampler({ seed: 43 }).sample(3, 50)).not.toEqual(a.sample(3, 50))
  })

  it('streams, one at a time, the refs sample returns (both splits)', () => {
    for (const split of ['train', 'eval'] as const) {
      const stream = streamTasks({ seed: 42, split }, 3)
      const streamed = Array.from({ length: 60 }, () => stream.next().value)
      expect(streamed).toEqual(createTaskSampler({ seed: 42, split }).sample(3, 60))
    }
    expect(() => streamTasks({ seed: 42 }, -1)).toThrow(/round/)
  })

  it('emits valid refs with fully defaulted params that resolve and verify', () => {
    for (const ref of createTaskSampler({ seed: 1 }).sample(0, 200)) {
      const task = resolveTask(ref)
      expect(verify(ref, task.answer).score).toBe(1)
      expect(ref.params.format).toBe('compact')
      expect(task.prompt.length + task.answer.length).toBeLessThanOrEqual(24 + 12)
    }
  })

  it('draws families in proportion to their weights (default mix, 20k draws, ±2 points)', () => {
    const refs = createTaskSampler({ seed: 9 }).sample(0, 20_000)
    const total = DEFAULT_TASK_MIX.reduce((s, e) => s + e.weight, 0)
    for (const entry of DEFAULT_TASK_MIX) {
      const share = refs.filter(r => r.family === entry.family).length / refs.length
      expect(Math.abs(share - entry.weight / total)).toBeLessThan(0.02)
    }
    expect(new Set(refs.map(taskKey)).size).toBeGreaterThan(19_900)
  })

  it('honours a custom mix, pinned versions and unnormalized weights', () => {
    const s = createTaskSampler({ seed: 5, mix: [{ family: 'bf', version: 1, weight: 3, params: { dialect: 'ascii' } }, { family: 'arc_1d', weight: 1 }] })
    const refs = s.sample(7, 400)
    expect(new Set(refs.map(r => r.family))).toEqual(new Set(['bf', 'arc_1d']))
    expect(refs.filter(r => r.family === 'bf').every(r => r.params.dialect === 'ascii')).toBe(true)
    expect(s.sample(7, 0)).toEqual([])
  })

  it('rejects bad init and arguments with typed errors naming the field', () => {
    expect(() => createTaskSampler({ seed: -1 })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_TASK_PARAMS', field: 'seed' }))
    expect(() => createTaskSampler({ mix: [] })).toThrow(expect.objectContaining({ field: 'mix' }))
    expect(() => createTaskSampler({ mix: [{ family: 'nope', weight: 1 }] })).toThrow(expect.objectContaining({ code: 'ERR_UNKNOWN_TASK', field: 'family' }))
    expect(() => createTaskSampler({ mix: [{ family: 'add', weight: 0 }] })).toThrow(expect.objectContaining({ field: 'mix[0].weight' }))
    expect(() => createTaskSampler({ mix: [{ family: 'add', weight: 1 }, { family: 'add', weight: 1, params: { digits: 9 } }] }))
      .toThrow(expect.objectContaining({ code: 'ERR_INVALID_TASK_PARAMS', field: 'mix[1].params.digits' }))
    const s = createTaskSampler()
    expect(() => s.sample(-1, 1)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT', field: 'round' }))
    expect(() => s.sample(0, 1.5)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT', field: 'count' }))
  })
})

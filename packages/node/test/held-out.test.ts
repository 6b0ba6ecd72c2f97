import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { evaluateHeldOut, heldOutTasks, loadModelSource, type PolicyPort } from '../src/index.js'

describe('held-out evaluation', () => {
  it('draws the same tasks for the same mix, and different ones for another mix', () => {
    const a = heldOutTasks({ basic_arithmetic: 1, sort_digits: 1 }, 16).map(t => t.prompt)
    expect(heldOutTasks({ basic_arithmetic: 1, sort_digits: 1 }, 16).map(t => t.prompt)).toEqual(a)
    expect(heldOutTasks({ base_conversion: 1 }, 16).map(t => t.prompt)).not.toEqual(a)
  })

  it('scores one greedy completion per task with the local verifier, overall and per family', async () => {
    const tasks = heldOutTasks({ basic_arithmetic: 1, sort_digits: 1 }, 20)
    const right = new Set(tasks.filter((_, i) => i % 4 === 0).map(t => t.prompt))
    const seen: number[] = []
    const policy: Pick<PolicyPort, 'generate'> = {
      async generate (prompts, o) {
        seen.push(o.temperature, o.n)
        return prompts.map(p => [{ text: right.has(p) ? tasks.find(t => t.prompt === p)?.answer ?? '' : 'nope', tokens: 1, truncated: false }])
      }
    }
    const result = await evaluateHeldOut(policy, tasks, { maxTokens: 8 })
    expect(seen).toEqual([0, 1])
    expect(result.tasks).toBe(20)
    expect(result.accuracy).toBeCloseTo(right.size / 20)
    const families = Object.values(result.families)
    expect(families.reduce((n, f) => n + f.tasks, 0)).toBe(20)
    expect(families.reduce((n, f) => n + f.accuracy * f.tasks, 0)).toBeCloseTo(right.size)
  })

  it('refuses a data directory without a node checkpoint', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'murmur-held-out-'))
    try {
      await expect(loadModelSource({ dataDir: dir })).rejects.toMatchObject({ code: 'ERR_NO_CHECKPOINT' })
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})

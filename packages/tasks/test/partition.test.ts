import { describe, expect, it } from 'vitest'
import { createHash } from 'node:crypto'
import { HELD_OUT_FRACTION, DEFAULT_TASK_MIX } from '../src/constants.js'
import { heldOutSet } from '../src/eval-set.js'
import { canonicalPrompt, isHeldOut, taskSplit } from '../src/partition.js'
import { listFamilies, resolveTask } from '../src/registry.js'
import { createTaskSampler } from '../src/sampler.js'
import type { TaskMixEntry } from '../src/types.js'

/** Every family at its defaults, plus the default tiny-policy mix (its params differ). */
const MIXES: TaskMixEntry[][] = [
  ...listFamilies().map(f => [{ family: f.name, weight: 1 }]),
  [...DEFAULT_TASK_MIX],
  // The node's default mix (packages/node config): small instance spaces, where overlap used to be total.
  [
    { family: 'basic_arithmetic', weight: 1, params: { terms: 2, maxOperand: 9, ops: 'all' } },
    { family: 'base_conversion', weight: 1, params: { from: 2, to: 10, maxValue: 31 } },
    { family: 'fraction_simplification', weight: 1, params: { maxValue: 9, maxFactor: 4 } },
    { family: 'sort_digits', weight: 1, params: { length: 8 } }
  ]
]

describe('train / held-out partition', () => {
  it('training samplers never emit a held-out instance, for every family (4,000 draws each)', () => {
    for (const mix of MIXES) {
      const train = createTaskSampler({ seed: 3, mix }).sample(0, 4000)
      expect(train.filter(isHeldOut)).toEqual([])
    }
  })

  it('held-out sets and training streams share no canonical prompt, for every family', () => {
    for (const mix of MIXES) {
      const evalPrompts = new Set(heldOutSet({ mix, perFamily: 64 }).map(t => canonicalPrompt(t)))
      expect(evalPrompts.size).toBeGreaterThan(0)
      for (let seed = 0; seed < 4; seed++) {
        for (const ref of createTaskSampler({ seed, mix }).sample(seed, 1000)) {
          expect(evalPrompts.has(canonicalPrompt(ref))).toBe(false)
        }
      }
    }
  })

  it('enumerates a small instance space completely: every instance lands on exactly one side', () => {
    // base_conversion 2→10 up to 31 has 32 instances; drawing 20k seeds covers them all.
    const mix = [{ family: 'base_conversion', weight: 1, params: { from: 2, to: 10, maxValue: 31 } }]
    const train = new Set(createTaskSampler({ seed: 1, mix }).sample(0, 20_000).map(r => canonicalPrompt(r)))
    const held = new Set(createTaskSampler({ seed: 1, mix, split: 'eval' }).sample(0, 20_000).map(r => canonicalPrompt(r)))
    expect(train.size + held.size).toBe(32)
    for (const p of held) expect(train.has(p)).toBe(false)
    expect(held.size).toBeGreaterThan(0)
  })

  it('holds out about HELD_OUT_FRACTION of a large instance space', () => {
    const refs = Array.from({ length: 20_000 }, (_, seed) => ({ family: 'add', version: 1, seed, params: { digits: 3 } }))
    const share = refs.filter(isHeldOut).length / refs.length
    expect(Math.abs(share - HELD_OUT_FRACTION)).toBeLessThan(0.015)
  })

  it('keys on the instance, not the format: text and compact renderings of one seed share a side', () => {
    for (const f of listFamilies()) {
      for (let seed = 0; seed < 50; seed++) {
        const compact = { family: f.name, version: f.version, seed, params: { format: 'compact' } }
        const text = { family: f.name, version: f.version, seed, params: { format: 'text' } }
        expect(taskSplit(text)).toBe(taskSplit(compact))
        expect(canonicalPrompt(text)).toBe(resolveTask(compact).prompt)
      }
    }
  })

  it('keeps the evaluation set every recorded result used (the default mix, 158 per family)', () => {
    // Changing the sampler, the partition or the draw budget must not silently change the held-out set.
    const set = heldOutSet({ mix: DEFAULT_TASK_MIX, perFamily: 158 })
    expect(set.length).toBe(592)
    expect(createHash('sha256').update(JSON.stringify(set)).digest('hex').slice(0, 16)).toBe('89550083fb57ab4d')
  })

  it('builds a fixed, deduplicated evaluation set', () => {
    const mix = MIXES[MIXES.length - 1]
    const a = heldOutSet({ mix, perFamily: 64 })
    expect(heldOutSet({ mix, perFamily: 64 })).toEqual(a)
    expect(new Set(a.map(t => t.prompt)).size).toBe(a.length)
    expect(a.every(isHeldOut)).toBe(true)
    // base_conversion (32 instances) can only give about a quarter of them.
    const bc = a.filter(t => t.entry === 1).length
    expect(bc).toBeGreaterThan(2)
    expect(bc).toBeLessThan(20)
    expect(a.filter(t => t.entry === 3).length).toBe(64)
  })

  it('rejects a mix entry whose whole instance space is held out, naming the entry', () => {
    // base_conversion up to 1 has two instances (0 and 1); find bases where both are held out.
    let params: Record<string, number> | undefined
    for (let from = 2; from <= 16 && params === undefined; from++) {
      for (let to = 2; to <= 16 && params === undefined; to++) {
        if (from === to) continue
        const p = { from, to, maxValue: 1 }
        const refs = [0, 1, 2, 3, 4, 5, 6, 7].map(seed => ({ family: 'base_conversion', version: 1, seed, params: p }))
        if (new Set(refs.map(r => resolveTask(r).prompt)).size === 2 && refs.every(isHeldOut)) params = p
      }
    }
    expect(params).toBeDefined()
    const mix = [{ family: 'add', weight: 1 }, { family: 'base_conversion', weight: 1, params }]
    expect(() => createTaskSampler({ mix })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_TASK_PARAMS', field: 'mix[1].params' }))
    expect(createTaskSampler({ mix, split: 'eval' }).sample(0, 10).length).toBe(10)
  })
})

import { describe, expect, it } from 'vitest'
import { GENERATORS } from './fuzz-generators.js'
import { runBatchFuzz, runFuzz } from './fuzz-run.js'

describe('structure-aware protocol fuzz (10,000 messages)', () => {
  it('never throws, never wrongly accepts, accepts every valid group, and decodes + validates at p99 < 1 ms', () => {
    const report = runFuzz(10_000, 1)
    expect(GENERATORS.length).toBeGreaterThanOrEqual(20)
    expect(report.throws).toEqual([])
    expect(report.wrongAccepts).toEqual([])
    const valid = report.byClass.valid
    expect(valid.accept).toBe(valid.accept + valid.ignore + valid.reject)
    expect(valid.accept).toBeGreaterThan(0)
    // every class that must not be accepted was exercised, and the mutating classes were not all refused for one trivial reason
    for (const g of GENERATORS) expect(Object.values(report.byClass[g.name]).reduce((a, b) => a + b, 0)).toBeGreaterThan(0)
    expect(report.byClass['unknown-and-duplicate-fields'].accept).toBeGreaterThan(0)
    expect(report.p99Ms).toBeLessThan(1)
  })
})

describe('structure-aware batch fuzz (3,000 messages of 1–4 generated groups)', () => {
  it('never throws, never wrongly accepts a group, and gives each message the verdict its groups imply', () => {
    const report = runBatchFuzz(3000, 2)
    expect(report.throws).toEqual([])
    expect(report.wrongAccepts).toEqual([])
    expect(report.inconsistent).toEqual([])
    // all three verdicts occur: mixed batches are accepted, rejected whole, or ignored
    for (const v of ['accept', 'ignore', 'reject'] as const) expect(report.verdicts[v]).toBeGreaterThan(0)
  })
})

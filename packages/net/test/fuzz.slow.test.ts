import { describe, expect, it } from 'vitest'
import { GENERATORS } from './fuzz-generators.js'
import { runFuzz } from './fuzz-run.js'

describe('structure-aware protocol fuzz (100,000 messages)', () => {
  it('never throws, never wrongly accepts, accepts every valid group, and decodes + validates at p99 < 1 ms', () => {
    const report = runFuzz(100_000, 2)
    const { p50Ms, p99Ms, maxMs } = report
    // one summary line for whoever runs the slow suite
    console.log(JSON.stringify({ fuzz: report.messages, classes: GENERATORS.length, p50Ms, p99Ms, maxMs, byClass: report.byClass }))
    expect(GENERATORS.length).toBeGreaterThanOrEqual(20)
    expect(report.throws).toEqual([])
    expect(report.wrongAccepts).toEqual([])
    const valid = report.byClass.valid
    expect(valid.ignore + valid.reject).toBe(0)
    expect(valid.accept).toBeGreaterThan(0)
    expect(p99Ms).toBeLessThan(1)
  }, 600_000)
})

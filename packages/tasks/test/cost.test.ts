// Hostile task parameters must not make regeneration slow: every receiver regenerates the task
// of every peer group it validates. Every family × format × extreme parameter set (each integer
// parameter at its min and max, alone and all together; every enum value; both booleans),
// over many seeds, resolves (or is refused) at p99 < 200 µs.
import { describe, expect, it } from 'vitest'
import { getFamily, listFamilies, resolveTask } from '../src/registry.js'
import type { ParamSpec, TaskParams } from '../src/types.js'

const SEEDS = [0, 1, 2, 3, 0x7fff_ffff, 0xffff_fffe, 0xffff_ffff, 12345, 987654321, 42]
const ROUNDS = 6

/** Extreme parameter sets of a family (format added by the caller). */
function extremeParams (specs: Record<string, ParamSpec>): TaskParams[] {
  const sets: TaskParams[] = [{}]
  const allMin: TaskParams = {}
  const allMax: TaskParams = {}
  for (const [key, spec] of Object.entries(specs)) {
    if (spec.kind === 'int') {
      sets.push({ [key]: spec.min }, { [key]: spec.max })
      allMin[key] = spec.min
      allMax[key] = spec.max
    } else if (spec.kind === 'enum') {
      for (const v of spec.values) sets.push({ [key]: v })
    } else {
      sets.push({ [key]: true }, { [key]: false })
      allMax[key] = true
    }
  }
  sets.push(allMin, allMax)
  return sets
}

describe('task cost under extreme parameters', () => {
  it('every family × format × extreme params resolves or is refused at p99 < 200 µs', () => {
    const times: number[] = []
    const slowest: Array<{ ms: number, what: string }> = []
    let resolved = 0
    for (const info of listFamilies()) {
      const family = getFamily(info.name, info.version)
      for (const format of ['compact', 'text'] as const) {
        for (const params of extremeParams(family.params)) {
          for (let round = 0; round < ROUNDS; round++) {
            for (const seed of SEEDS) {
              const ref = { family: info.name, version: info.version, seed: (seed + round * 7919) >>> 0, params: { ...params, format } }
              const t0 = performance.now()
              try {
                resolveTask(ref)
                resolved++
              } catch (err) {
                // cross-parameter refusals (e.g. minYear > maxYear) are fine; anything else is a bug
                expect((err as { code?: string }).code).toBe('ERR_INVALID_TASK_PARAMS')
              }
              const ms = performance.now() - t0
              if (round > 0) times.push(ms)
              if (ms > 0.2) slowest.push({ ms, what: JSON.stringify(ref) })
            }
          }
        }
      }
    }
    times.sort((a, b) => a - b)
    const p99 = times[Math.floor(times.length * 0.99)]
    expect(resolved).toBeGreaterThan(times.length / 2)
    const worst = slowest.sort((a, b) => b.ms - a.ms).slice(0, 3)
    if (process.env.MURMUR_TASK_COST_REPORT === '1') console.log(JSON.stringify({ cases: times.length, p50Us: times[Math.floor(times.length / 2)] * 1000, p99Us: p99 * 1000, maxUs: times[times.length - 1] * 1000 }))
    expect(p99 * 1000, `slowest: ${JSON.stringify(worst)}`).toBeLessThan(200)
  })
})

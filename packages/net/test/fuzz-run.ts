// Runs the fuzz generator classes round-robin through decode + validate (the receive path's
// protocol checks, with the real task registry) and tallies verdicts, wrong accepts and latency.
import { validateRolloutBytes, type ValidationAction } from '@murmur/protocol'
import { resolveTask } from '@murmur/tasks'
import { createRng } from '@murmur/interface'
import { GENERATORS, checkAccepted } from './fuzz-generators.js'

/** Outcome of a fuzz run. */
export interface FuzzReport {
  messages: number
  /** Verdicts per generator class. */
  byClass: Record<string, Record<ValidationAction, number>>
  /** Accepts that the class forbids or the oracle refutes: `class: why`. */
  wrongAccepts: string[]
  /** Exceptions thrown by the validator (it must never throw). */
  throws: string[]
  /** Decode + validate time per message (the fastest of `repeats` runs, which removes scheduler noise on a shared machine), ms: median, p99, max. */
  p50Ms: number
  p99Ms: number
  maxMs: number
}

/** Validates `messages` generated messages (classes in turn) from `seed`, at a fixed clock. */
export function runFuzz (messages: number, seed: number, repeats = 3, warmup = 1000): FuzzReport {
  const r = createRng(seed)
  const now = 1_750_000_000_000
  const byClass: FuzzReport['byClass'] = {}
  for (const g of GENERATORS) byClass[g.name] = { accept: 0, ignore: 0, reject: 0 }
  const wrongAccepts: string[] = []
  const throws: string[] = []
  const times = new Float64Array(messages)
  for (let i = -warmup; i < messages; i++) {
    const gen = GENERATORS[((i % GENERATORS.length) + GENERATORS.length) % GENERATORS.length]
    const bytes = gen.make(r, now)
    let result
    let dt = Number.POSITIVE_INFINITY
    try {
      for (let k = 0; k < repeats; k++) {
        const t0 = performance.now()
        result = validateRolloutBytes(bytes, { resolveTask, now })
        dt = Math.min(dt, performance.now() - t0)
      }
    } catch (err) {
      throws.push(`${gen.name}: ${String(err)}`)
      continue
    }
    if (result === undefined) continue
    if (i < 0) continue
    times[i] = dt
    byClass[gen.name][result.action]++
    if (result.action === 'accept') {
      const why = gen.mustNotAccept ? 'class must never be accepted' : result.group === undefined ? 'no group' : checkAccepted(bytes, result.group, now)
      if (why !== undefined) wrongAccepts.push(`${gen.name}: ${why}`)
    }
  }
  const sorted = Array.from(times).sort((a, b) => a - b)
  const q = (p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]
  return { messages, byClass, wrongAccepts, throws, p50Ms: q(0.5), p99Ms: q(0.99), maxMs: sorted[sorted.length - 1] }
}

// Runs the fuzz generator classes round-robin through decode + validate (the receive path's
// protocol checks, with the real task registry) and tallies verdicts, wrong accepts and latency;
// `runBatchFuzz` sends them as gossip does, several groups to a message, framing mutated too.
import { MAX_BATCH_GROUPS, PROTOCOL_VERSION, validateRolloutBatch, validateRolloutBytes, type BatchValidationResult, type ValidationAction } from '@murmur/protocol'
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

/** Outcome of a batch fuzz run (messages of several generated groups, as gossip carries them). */
export interface BatchFuzzReport {
  messages: number
  /** Verdicts of whole messages. */
  verdicts: Record<ValidationAction, number>
  /** Accepted groups the oracle refutes, or of a class that must never be accepted. */
  wrongAccepts: string[]
  /** Unmutated messages whose verdict is not what their groups' own verdicts imply (any reject → reject, else any accept → accept, else ignore). */
  inconsistent: string[]
  throws: string[]
}

/** A batch's framing written by hand (field 1 protocol version, field 2 one entry per group), so entries over the encoder's limits can be sent. */
function rawBatch (entries: readonly Uint8Array[], version = PROTOCOL_VERSION): Uint8Array {
  const parts: number[] = [0x08, ...varint(version)]
  for (const e of entries) parts.push(0x12, ...varint(e.length), ...e)
  return Uint8Array.from(parts)
}

function varint (n: number): number[] {
  const out: number[] = []
  while (n > 0x7f) { out.push((n & 0x7f) | 0x80); n = Math.floor(n / 128) }
  out.push(n)
  return out
}

/**
 * Validates `messages` batches of 1–4 generated groups (classes drawn at random) through the
 * message-level validator; one in four has its framing mutated (bytes flipped, truncated, a
 * wrong protocol version or an entry count past the limit).
 */
export function runBatchFuzz (messages: number, seed: number): BatchFuzzReport {
  const r = createRng(seed)
  const now = 1_750_000_000_000
  const report: BatchFuzzReport = { messages, verdicts: { accept: 0, ignore: 0, reject: 0 }, wrongAccepts: [], inconsistent: [], throws: [] }
  for (let i = 0; i < messages; i++) {
    const classes = Array.from({ length: r.int(1, 4) }, () => GENERATORS[r.int(0, GENERATORS.length - 1)])
    const entries = classes.map(g => g.make(r, now))
    let bytes = rawBatch(entries)
    const mutation = r.int(0, 15)
    if (mutation === 0) bytes = bytes.subarray(0, r.int(0, bytes.length - 1))
    else if (mutation === 1) { bytes = bytes.slice(); for (let k = 0; k < 4; k++) bytes[r.int(0, bytes.length - 1)] ^= 1 << r.int(0, 7) }
    else if (mutation === 2) bytes = rawBatch(entries, PROTOCOL_VERSION + 1)
    else if (mutation === 3) bytes = rawBatch(Array.from({ length: MAX_BATCH_GROUPS + 1 }, () => entries[0]))
    const mutated = mutation <= 3
    const label = classes.map(g => g.name).join('+') + (mutated ? ` (framing mutation ${mutation})` : '')
    let result: BatchValidationResult
    try {
      result = validateRolloutBatch(bytes, { resolveTask, now })
    } catch (err) {
      report.throws.push(`${label}: ${String(err)}`)
      continue
    }
    report.verdicts[result.action]++
    if (result.action === 'accept') {
      for (const g of result.groups) {
        if (g.action !== 'accept') continue
        const k = entries.findIndex(e => equalBytes(e, g.bytes))
        const why = k >= 0 && classes[k].mustNotAccept ? `${classes[k].name} must never be accepted` : checkAccepted(g.bytes, g.group, now)
        if (why !== undefined) report.wrongAccepts.push(`${label}: ${why}`)
      }
    }
    if (!mutated) {
      const own = entries.map(e => validateRolloutBytes(e, { resolveTask, now }).action)
      const expected = own.includes('reject') ? 'reject' : own.includes('accept') ? 'accept' : 'ignore'
      if (result.action !== expected) report.inconsistent.push(`${label}: ${result.action}, its groups say ${expected}`)
    }
  }
  return report
}

function equalBytes (a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i])
}

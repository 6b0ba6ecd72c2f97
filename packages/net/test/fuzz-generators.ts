// Structure-aware generators of hostile rollout messages for the protocol fuzz tests. Each class
// builds wire bytes (by the real encoder for valid groups, by a small protobuf writer for
// everything the encoder refuses to produce) and says whether its messages must never be
// accepted. `checkAccepted` is an oracle independent of the validator: any accept must be a
// group that regenerates to its own prompt, within every limit and the age window.
import {
  DEFAULT_MAX_AGE_MS, DEFAULT_MAX_FUTURE_SKEW_MS, MAX_COMPLETION_BYTES, MAX_COMPLETIONS, MAX_GROUP_BYTES,
  PROTOCOL_VERSION, decodeRolloutGroup, encodeRolloutGroup, type RolloutGroup
} from '@murmur/protocol'
import type { Rng } from '@murmur/interface'
import { listFamilies, resolveTask, type TaskRef } from '@murmur/tasks'

// --- a minimal protobuf writer (enough to break every rule the real encoder keeps) ---------------

const enc = new TextEncoder()
type Bytes = Uint8Array

function varint (n: number | bigint): number[] {
  let v = BigInt(n)
  if (v < 0n) v = (1n << 64n) + v
  const out: number[] = []
  do {
    let b = Number(v & 0x7fn)
    v >>= 7n
    if (v > 0n) b |= 0x80
    out.push(b)
  } while (v > 0n)
  return out
}

function cat (parts: Array<Bytes | number[]>): Bytes {
  const arrays = parts.map(p => p instanceof Uint8Array ? p : Uint8Array.from(p))
  const out = new Uint8Array(arrays.reduce((n, a) => n + a.length, 0))
  let at = 0
  for (const a of arrays) { out.set(a, at); at += a.length }
  return out
}

const tag = (field: number, wire: number): number[] => varint(field * 8 + wire)
const lenField = (field: number, bytes: Bytes): Bytes => cat([tag(field, 2), varint(bytes.length), bytes])
const intField = (field: number, n: number | bigint): Bytes => cat([tag(field, 0), varint(n)])
function doubles (xs: number[]): Bytes {
  const b = new Uint8Array(xs.length * 8)
  const dv = new DataView(b.buffer)
  xs.forEach((x, i) => dv.setFloat64(i * 8, x, true))
  return b
}

/** A wire param: key plus exactly one of number / text / flag (or a broken mix). */
interface WParam { key: Bytes, number?: number, text?: Bytes, flag?: boolean }

/** Every field of a WireRolloutGroup, as raw material for the writer. */
interface Wire {
  version: number
  family: Bytes
  taskVersion: number
  seed: number | bigint
  params: WParam[]
  prompt: Bytes
  completions: Bytes[]
  modelId: Bytes
  round: number | bigint
  scores: number[]
  createdAt: number | bigint
  /** Appended raw after the known fields. */
  extra?: Bytes
}

function writeParam (p: WParam): Bytes {
  const parts: Bytes[] = [lenField(1, p.key)]
  if (p.number !== undefined) parts.push(cat([tag(2, 1), doubles([p.number])]))
  if (p.text !== undefined) parts.push(lenField(3, p.text))
  if (p.flag !== undefined) parts.push(intField(4, p.flag ? 1 : 0))
  return cat(parts)
}

function write (w: Wire): Bytes {
  const task = cat([lenField(1, w.family), intField(2, w.taskVersion), intField(3, w.seed), ...w.params.map(p => lenField(4, writeParam(p)))])
  return cat([
    intField(1, w.version), lenField(2, task), lenField(3, w.prompt), ...w.completions.map(c => lenField(4, c)),
    lenField(5, w.modelId), intField(6, w.round), ...(w.scores.length > 0 ? [lenField(7, doubles(w.scores))] : []),
    intField(8, w.createdAt), w.extra ?? new Uint8Array(0)
  ])
}

function toWire (g: RolloutGroup): Wire {
  const params = Object.keys(g.task.params).sort().map(k => {
    const v = g.task.params[k]
    const key = enc.encode(k)
    return typeof v === 'number' ? { key, number: v } : typeof v === 'boolean' ? { key, flag: v } : { key, text: enc.encode(v) }
  })
  return {
    version: PROTOCOL_VERSION,
    family: enc.encode(g.task.family),
    taskVersion: g.task.version,
    seed: g.task.seed,
    params,
    prompt: enc.encode(g.prompt),
    completions: g.completions.map(c => enc.encode(c)),
    modelId: enc.encode(g.modelId),
    round: g.round,
    scores: g.scores,
    createdAt: g.createdAt
  }
}

// --- valid material ------------------------------------------------------------------------------

const FAMILIES = listFamilies()
const ALPHABET = Array.from('abcdefghijklmnopqrstuvwxyz0123456789 +-=<>/é漢😀\n')

function text (r: Rng, max: number): string {
  let s = ''
  const n = r.int(0, max)
  for (let i = 0; i < n; i++) s += r.pick(ALPHABET)
  return s
}

/** A valid group of a random family and format, created at `now`. */
export function validGroup (r: Rng, now: number): RolloutGroup {
  const f = r.pick(FAMILIES)
  const task: TaskRef = { family: f.name, version: f.version, seed: r.int(0, 0xffff_ffff), params: { format: r.pick(['compact', 'text'] as const) } }
  const n = r.int(1, 8)
  return {
    task,
    prompt: resolveTask(task).prompt,
    completions: Array.from({ length: n }, () => text(r, 48)),
    modelId: r.pick(['tiny', 'gpt-nano', '']),
    round: r.int(0, 1000),
    scores: r.nextFloat() < 0.5 ? [] : Array.from({ length: n }, () => r.nextFloat()),
    createdAt: now - r.int(0, DEFAULT_MAX_AGE_MS - 1)
  }
}

function flipChar (s: string, r: Rng): string {
  if (s.length === 0) return 'x'
  const i = r.int(0, s.length - 1)
  const c = s.charCodeAt(i)
  return s.slice(0, i) + String.fromCharCode(c === 0x7a ? 0x61 : c + 1) + s.slice(i + 1)
}

// --- the generator classes -----------------------------------------------------------------------

/** One class of generated messages. */
export interface GeneratorClass {
  name: string
  /** True when no message of this class may ever be accepted. */
  mustNotAccept: boolean
  make: (r: Rng, now: number) => Uint8Array
}

const INVALID_UTF8 = [Uint8Array.of(0xc3), Uint8Array.of(0xed, 0xa0, 0x80), Uint8Array.of(0xff, 0xfe), Uint8Array.of(0xe2, 0x28, 0xa1)]

/** The generator classes (22). */
export const GENERATORS: readonly GeneratorClass[] = [
  { name: 'valid', mustNotAccept: false, make: (r, now) => encodeRolloutGroup(validGroup(r, now)) },
  {
    name: 'random-bytes',
    mustNotAccept: true,
    make: r => Uint8Array.from({ length: r.int(0, 2048) }, () => r.int(0, 255))
  },
  {
    // created_at is the last field, so every truncation loses it (stale) or breaks the framing
    name: 'truncated',
    mustNotAccept: true,
    make: (r, now) => { const b = encodeRolloutGroup(validGroup(r, now)); return b.slice(0, r.int(0, b.length - 1)) }
  },
  {
    name: 'bit-flips',
    mustNotAccept: false,
    make: (r, now) => {
      const b = encodeRolloutGroup(validGroup(r, now))
      for (let i = r.int(1, 8); i > 0; i--) { const at = r.int(0, b.length - 1); b[at] ^= 1 << r.int(0, 7) }
      return b
    }
  },
  {
    name: 'forged-prompt',
    mustNotAccept: true,
    make: (r, now) => { const g = validGroup(r, now); return encodeRolloutGroup({ ...g, prompt: flipChar(g.prompt, r) }) }
  },
  {
    name: 'prompt-of-another-task',
    mustNotAccept: false, // two seeds may share a prompt: the oracle decides
    make: (r, now) => { const g = validGroup(r, now); return encodeRolloutGroup({ ...g, task: { ...g.task, seed: (g.task.seed + 1) >>> 0 } }) }
  },
  {
    name: 'unknown-family',
    mustNotAccept: true,
    make: (r, now) => { const g = validGroup(r, now); return encodeRolloutGroup({ ...g, task: { ...g.task, family: `zz-${text(r, 20)}` } }) }
  },
  {
    name: 'unknown-version',
    mustNotAccept: true,
    make: (r, now) => { const g = validGroup(r, now); return encodeRolloutGroup({ ...g, task: { ...g.task, version: g.task.version + r.int(1, 0xffff) } }) }
  },
  {
    name: 'bad-params',
    mustNotAccept: true,
    make: (r, now) => {
      const g = validGroup(r, now)
      const bad = r.pick<Record<string, number | string | boolean>>([
        { format: 'yaml' }, { format: 7 }, { format: true }, { nosuchparam: 1 }, { digits: -3 }, { digits: 1e9 },
        { digits: 2.5 }, { length: 'long' }, { depth: 1e300 }, { size: -1 }, { [text(r, 10).replace(/\W/g, '') + 'Q']: 'x' }
      ])
      return encodeRolloutGroup({ ...g, task: { ...g.task, params: { ...g.task.params, ...bad } } })
    }
  },
  {
    name: 'too-many-completions',
    mustNotAccept: true,
    make: (r, now) => { const w = toWire(validGroup(r, now)); w.completions = Array.from({ length: r.int(MAX_COMPLETIONS + 1, 400) }, () => enc.encode('a')); w.scores = []; return write(w) }
  },
  {
    name: 'long-completion',
    mustNotAccept: true,
    make: (r, now) => { const w = toWire(validGroup(r, now)); w.completions[0] = new Uint8Array(r.int(MAX_COMPLETION_BYTES + 1, MAX_COMPLETION_BYTES + 4096)).fill(0x61); return write(w) }
  },
  {
    name: 'no-completions',
    mustNotAccept: true,
    make: (r, now) => { const w = toWire(validGroup(r, now)); w.completions = []; w.scores = []; return write(w) }
  },
  {
    name: 'oversized',
    mustNotAccept: true,
    make: (r, now) => { const w = toWire(validGroup(r, now)); w.extra = lenField(99, new Uint8Array(MAX_GROUP_BYTES + r.int(0, 4096))); return write(w) }
  },
  {
    name: 'protocol-version',
    mustNotAccept: true,
    make: (r, now) => { const w = toWire(validGroup(r, now)); w.version = r.pick([0, PROTOCOL_VERSION + 1, 0xffff_ffff]); return write(w) }
  },
  {
    name: 'stale-or-future',
    mustNotAccept: true,
    make: (r, now) => {
      const w = toWire(validGroup(r, now))
      w.createdAt = r.pick([0, now - DEFAULT_MAX_AGE_MS - r.int(1, 1e9), now + DEFAULT_MAX_FUTURE_SKEW_MS + r.int(1, 1e9), 2n ** 64n - 1n, 2n ** 53n])
      return write(w)
    }
  },
  {
    name: 'invalid-utf8',
    mustNotAccept: true,
    make: (r, now) => {
      const w = toWire(validGroup(r, now))
      const bad = r.pick(INVALID_UTF8)
      const where = r.int(0, 3)
      if (where === 0) w.prompt = cat([w.prompt, bad])
      else if (where === 1) w.completions[0] = cat([w.completions[0], bad])
      else if (where === 2) w.family = cat([w.family, bad])
      else w.params = [...w.params, { key: cat([enc.encode('k'), bad]), text: bad }]
      return write(w)
    }
  },
  {
    name: 'broken-framing',
    mustNotAccept: true,
    make: (r, now) => {
      const b = encodeRolloutGroup(validGroup(r, now))
      const junk = r.pick([
        [0x22, ...varint(2 ** 31)], // completion longer than the message
        [0x40, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01], // 11-byte varint
        [0x0b], // start-group wire type
        [0x07], // field 0, invalid wire type
        [0x22] // key without a value
      ])
      return cat([b, junk])
    }
  },
  {
    name: 'wrong-wire-types',
    mustNotAccept: false,
    make: (r, now) => {
      const b = encodeRolloutGroup(validGroup(r, now))
      const extra = r.pick([
        intField(4, 5), intField(3, 9), cat([tag(8, 2), [1, 0]]), cat([tag(2, 0), [1]]), cat([tag(7, 5), [0, 0, 0x80, 0x7f]]),
        // a length prefix of 2^63: protons reads lengths as uint32 (here 0), so this decodes as an extra empty completion
        cat([tag(4, 2), varint(2n ** 63n)])
      ])
      return r.nextFloat() < 0.5 ? cat([extra, b]) : cat([b, extra])
    }
  },
  {
    name: 'unknown-and-duplicate-fields',
    mustNotAccept: false, // protobuf skips unknown fields and lets the last scalar win: the oracle decides
    make: (r, now) => {
      const g = validGroup(r, now)
      const w = toWire(g)
      const unknown = cat(Array.from({ length: r.int(1, 10) }, () => {
        const field = r.int(9, 5000)
        return r.pick([intField(field, r.int(0, 1e6)), lenField(field, enc.encode(text(r, 30))), cat([tag(field, 1), doubles([r.nextFloat()])]), cat([tag(field, 5), [1, 2, 3, 4]])])
      }))
      w.extra = r.nextFloat() < 0.5 ? unknown : cat([unknown, lenField(3, enc.encode(flipChar(g.prompt, r)))])
      return write(w)
    }
  },
  {
    name: 'bad-scores',
    mustNotAccept: true,
    make: (r, now) => {
      const w = toWire(validGroup(r, now))
      w.scores = r.pick([[Number.NaN], [Number.POSITIVE_INFINITY], w.completions.map(() => Number.NEGATIVE_INFINITY), [...w.completions.map(() => 0.5), 0.5]])
      if (w.scores.length === w.completions.length && w.scores.every(Number.isFinite)) w.scores.push(1)
      return write(w)
    }
  },
  {
    name: 'extreme-task-ref',
    mustNotAccept: false,
    make: (r, now) => {
      const w = toWire(validGroup(r, now))
      const pick = r.int(0, 4)
      if (pick === 0) w.seed = r.pick([0xffff_ffff, 2n ** 32n, 2n ** 64n - 1n])
      else if (pick === 1) w.family = new Uint8Array(r.int(64, 100)).fill(0x61)
      else if (pick === 2) w.params = Array.from({ length: r.int(20, 40) }, (_, i) => ({ key: enc.encode(`p${i}`), number: r.nextFloat() * 1e308 }))
      else if (pick === 3) w.params = [...w.params, { key: new Uint8Array(0), number: 1 }, { key: enc.encode('zz'), number: 1, text: enc.encode('x'), flag: true }]
      else w.taskVersion = r.pick([0, 0xffff_ffff])
      return write(w)
    }
  },
  {
    name: 'oversized-fields',
    mustNotAccept: true,
    make: (r, now) => {
      const w = toWire(validGroup(r, now))
      if (r.nextFloat() < 0.5) w.prompt = new Uint8Array(r.int(8 * 1024 + 1, 16 * 1024)).fill(0x61)
      else w.modelId = new Uint8Array(r.int(257, 4096)).fill(0x61)
      return write(w)
    }
  }
]

/** Why an accepted message is wrong, judged without the validator; undefined when the accept is right. */
export function checkAccepted (bytes: Uint8Array, group: RolloutGroup, now: number): string | undefined {
  if (bytes.length > MAX_GROUP_BYTES) return 'over the size limit'
  if (group.completions.length < 1 || group.completions.length > MAX_COMPLETIONS) return 'completion count'
  if (group.completions.some(c => enc.encode(c).length > MAX_COMPLETION_BYTES)) return 'completion size'
  if (group.createdAt < now - DEFAULT_MAX_AGE_MS || group.createdAt > now + DEFAULT_MAX_FUTURE_SKEW_MS) return 'outside the age window'
  if (group.scores.length !== 0 && group.scores.length !== group.completions.length) return 'score count'
  let prompt: string
  try {
    prompt = resolveTask(group.task).prompt
  } catch {
    return 'task does not resolve'
  }
  if (prompt !== group.prompt) return 'prompt is not the regenerated one'
  // what was accepted re-encodes canonically and decodes to the same group
  const again = decodeRolloutGroup(encodeRolloutGroup(group))
  if (JSON.stringify({ ...again, task: { ...again.task, params: { ...again.task.params } } }) !== JSON.stringify({ ...group, task: { ...group.task, params: { ...group.task.params } } })) return 'does not round-trip'
  return undefined
}

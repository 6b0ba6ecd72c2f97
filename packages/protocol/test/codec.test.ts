import { describe, it, expect } from 'vitest'
import { encodeRolloutGroup, decodeRolloutGroup } from '../src/codec.js'
import { encodeTaskRef } from '../src/task-ref.js'
import type { WireTaskParam } from '../src/rollout.gen.js'
import { RolloutDecodeError, InvalidRolloutError } from '../src/errors.js'
import { MAX_COMPLETIONS, MAX_COMPLETION_BYTES, MAX_GROUP_BYTES, PROTOCOL_VERSION } from '../src/constants.js'
import type { RolloutGroup } from '../src/types.js'
import { decodeError, thrownBy, wireBytes } from './fixtures.js'

const enc = new TextEncoder()

function sample (over: Partial<RolloutGroup> = {}): RolloutGroup {
  return {
    task: { family: 'add', version: 1, seed: 4_000_000_000, params: { digits: 2, format: 'compact', carry: true, scale: -0.5 } },
    prompt: '12+34=',
    completions: ['46', 'forty-six ✓', '😀 naïve', ''],
    modelId: 'tiny-gpt@abc',
    round: 17,
    scores: [1, 0.25, 0, -1],
    createdAt: 1_700_000_000_123,
    policyVersion: 41,
    truncated: [false, true, false, false],
    tokenizerId: 'char-v1',
    // Log-probs on the 1/64-nat grid round-trip exactly.
    traces: [
      { tokenIds: [52, 54, 0], logprobs: [-0.015625, -2.5, 0] },
      { tokenIds: [1, 2], logprobs: [-1, -100] },
      { tokenIds: [], logprobs: [] },
      { tokenIds: [0xff_ffff], logprobs: [-0.5] }
    ],
    ...over
  }
}

function encodeError (group: RolloutGroup): InvalidRolloutError {
  return thrownBy(() => encodeRolloutGroup(group), InvalidRolloutError, 'ERR_INVALID_ROLLOUT')
}

describe('rollout codec', () => {
  it('round-trips every field, including non-ASCII text and all parameter kinds', () => {
    const group = sample()
    expect(decodeRolloutGroup(encodeRolloutGroup(group))).toEqual(group)
  })

  it('encodes a group with no advisory scores and a zero round', () => {
    const group = sample({ scores: [], round: 0 })
    expect(decodeRolloutGroup(encodeRolloutGroup(group))).toEqual(group)
  })

  it('encodes the same TaskRef to the same bytes whatever the parameter order', () => {
    const a = encodeTaskRef({ family: 'sort', version: 2, seed: 9, params: { b: 1, a: 'x', c: false } })
    const b = encodeTaskRef({ family: 'sort', version: 2, seed: 9, params: { c: false, a: 'x', b: 1 } })
    expect(a).toEqual(b)
    const minusZero = encodeTaskRef({ family: 'sort', version: 2, seed: 9, params: { z: -0 } })
    const zero = encodeTaskRef({ family: 'sort', version: 2, seed: 9, params: { z: 0 } })
    expect(minusZero).toEqual(zero)
    expect(encodeTaskRef({ family: 'sort', version: 2, seed: 10, params: {} })).not.toEqual(
      encodeTaskRef({ family: 'sort', version: 2, seed: 9, params: {} }))
    const g1 = encodeRolloutGroup(sample({ task: { family: 'add', version: 1, seed: 1, params: { x: 1, y: 2 } } }))
    const g2 = encodeRolloutGroup(sample({ task: { family: 'add', version: 1, seed: 1, params: { y: 2, x: 1 } } }))
    expect(g1).toEqual(g2)
  })

  it('accepts a group of exactly the maximum size and refuses one byte more', () => {
    const base = encodeRolloutGroup(sample({ completions: ['x'], scores: [], truncated: [], traces: [] })).length
    // one completion of n bytes costs n + 1 (tag) + varint(n) bytes; fill to exactly MAX_GROUP_BYTES
    const group = sample({ completions: [], scores: [], truncated: [], traces: [] })
    let remaining = MAX_GROUP_BYTES - (base - 3)
    const completions: string[] = []
    while (remaining > 0) {
      const n = Math.min(MAX_COMPLETION_BYTES, remaining - 3)
      completions.push('a'.repeat(n))
      remaining -= n + 3
    }
    expect(remaining).toBe(0)
    const full = encodeRolloutGroup({ ...group, completions })
    expect(full.length).toBe(MAX_GROUP_BYTES)
    expect(decodeRolloutGroup(full).completions).toEqual(completions)
    const err = encodeError({ ...group, completions: [...completions.slice(0, -1), completions.at(-1) + 'a'] })
    expect(err.field).toBe('group')
  })

  it('rejects raw input above 64 KiB before decoding it', () => {
    // A valid message padded with an unknown field would decode fine if the size check came later.
    const valid = wireBytes()
    const big = new Uint8Array(MAX_GROUP_BYTES + 1)
    big.set(valid)
    expect(decodeError(big).limit).toBe('bytes')
    expect(decodeError(new Uint8Array(10 * 2 ** 20)).limit).toBe('bytes')
  })

  it('caps the completion count inside the reader', () => {
    const completions = Array.from({ length: MAX_COMPLETIONS + 1 }, () => enc.encode('1'))
    expect(decodeError(wireBytes({ completions })).limit).toBe('completions')
    expect(decodeRolloutGroup(wireBytes({ completions: completions.slice(1) })).completions).toHaveLength(MAX_COMPLETIONS)
    expect(encodeError(sample({ completions: completions.map(() => 'x'), scores: [] })).field).toBe('completions')
  })

  it('limits each completion to 8 KiB', () => {
    const long = new Uint8Array(MAX_COMPLETION_BYTES + 1).fill(0x61)
    expect(decodeError(wireBytes({ completions: [long] })).limit).toBe('completion-bytes')
    expect(encodeError(sample({ completions: ['a'.repeat(MAX_COMPLETION_BYTES + 1)], scores: [] })).field).toBe('completions.0')
    // multi-byte characters count in bytes, not UTF-16 units
    expect(encodeError(sample({ completions: ['é'.repeat(MAX_COMPLETION_BYTES / 2 + 1)], scores: [] })).field).toBe('completions.0')
  })

  it('rejects invalid UTF-8 in any text field', () => {
    const bad = [Uint8Array.of(0xff), Uint8Array.of(0xc0, 0x80), Uint8Array.of(0xed, 0xa0, 0x80), Uint8Array.of(0xe2, 0x82)]
    for (const b of bad) {
      expect(decodeError(wireBytes({ completions: [b] })).limit).toBe('utf8')
      expect(decodeError(wireBytes({ prompt: b })).limit).toBe('utf8')
      expect(decodeError(wireBytes({ modelId: b })).limit).toBe('utf8')
    }
    expect(encodeError(sample({ completions: ['a\uD800b'], scores: [] })).field).toBe('completions.0')
  })

  it('rejects other protocol versions, telling a v1 peer which version this node speaks', () => {
    expect(decodeError(wireBytes({ protocolVersion: PROTOCOL_VERSION + 1 })).limit).toBe('protocol-version')
    expect(decodeError(wireBytes({ protocolVersion: 0 })).limit).toBe('protocol-version')
    const v1 = decodeError(wireBytes({ protocolVersion: 1 }))
    expect(v1.limit).toBe('protocol-version')
    expect(v1.message).toMatch(`speaks rollout protocol v1; this node speaks v${PROTOCOL_VERSION}`)
  })

  it('requires a task reference in canonical form', () => {
    expect(decodeError(wireBytes({ task: undefined })).limit).toBe('task')
    const p = (key: string, v: Partial<WireTaskParam>): WireTaskParam => ({ key: enc.encode(key), ...v })
    const withParams = (params: WireTaskParam[]): Uint8Array =>
      wireBytes({ task: { family: enc.encode('add'), version: 1, seed: 1, params } })
    expect(decodeError(withParams([p('b', { number: 1 }), p('a', { number: 2 })])).limit).toBe('params')
    expect(decodeError(withParams([p('a', { number: 1 }), p('a', { number: 2 })])).limit).toBe('params')
    expect(decodeError(withParams([p('a', { number: 1, flag: true })])).limit).toBe('param')
    expect(decodeError(withParams([p('a', {})])).limit).toBe('param')
    expect(decodeError(withParams([p('a', { number: Number.NaN })])).limit).toBe('param')
    expect(decodeError(withParams([p('a', { number: -0 })])).limit).toBe('param')
    expect(decodeError(withParams(Array.from({ length: 33 }, (_, i) => p(`k${String(i).padStart(2, '0')}`, { flag: true })))).limit).toBe('params')
    const ok = decodeRolloutGroup(withParams([p('__proto__', { number: 1 }), p('a', { text: enc.encode('t') })]))
    expect(Object.getPrototypeOf(ok.task.params)).toBe(Object.prototype)
    expect(Object.keys(ok.task.params)).toEqual(['__proto__', 'a'])
    expect(decodeError(wireBytes({ task: { family: new Uint8Array(0), version: 1, seed: 1, params: [] } })).limit).toBe('family')
  })

  it('requires advisory scores to match the completions and be finite', () => {
    expect(decodeError(wireBytes({ scores: [1, 2] })).limit).toBe('scores')
    expect(decodeError(wireBytes({ scores: [Number.POSITIVE_INFINITY] })).limit).toBe('scores')
    expect(encodeError(sample({ scores: [1] })).field).toBe('scores')
    expect(encodeError(sample({ scores: [1, 2, Number.NaN, 4] })).field).toBe('scores.2')
  })

  it('refuses to encode out-of-range numbers', () => {
    expect(encodeError(sample({ round: -1 })).field).toBe('round')
    expect(encodeError(sample({ round: 2 ** 32 })).field).toBe('round')
    expect(encodeError(sample({ createdAt: 1.5 })).field).toBe('createdAt')
    expect(encodeError(sample({ task: { family: 'add', version: 1, seed: 2 ** 32, params: {} } })).field).toBe('task.seed')
    expect(encodeError(sample({ task: { family: '', version: 1, seed: 1, params: {} } })).field).toBe('task.family')
    expect(encodeError(sample({ task: { family: 'add', version: 1, seed: 1, params: { x: Number.POSITIVE_INFINITY } } })).field).toBe('task.params.x')
  })

  it('never throws anything but RolloutDecodeError on random or mutated bytes', () => {
    // Deterministic xorshift so a failure reproduces.
    let s = 0x9e3779b9
    const rand = (): number => {
      s ^= s << 13; s ^= s >>> 17; s ^= s << 5
      return (s >>> 0) / 2 ** 32
    }
    const valid = encodeRolloutGroup(sample())
    let decoded = 0
    for (let i = 0; i < 3000; i++) {
      let bytes: Uint8Array
      if (i % 2 === 0) {
        bytes = Uint8Array.from({ length: Math.floor(rand() * 200) }, () => Math.floor(rand() * 256))
      } else {
        bytes = valid.slice(0, Math.max(1, Math.floor(rand() * (valid.length + 1))))
        for (let k = 0; k < 3; k++) bytes[Math.floor(rand() * bytes.length)] = Math.floor(rand() * 256)
      }
      try {
        decodeRolloutGroup(bytes)
        decoded++
      } catch (err) {
        if (!(err instanceof RolloutDecodeError)) throw err
      }
    }
    // Some mutations hit bytes that do not matter (e.g. text content), so both outcomes occur.
    expect(decoded).toBeGreaterThan(0)
    expect(decoded).toBeLessThan(3000)
  })
})

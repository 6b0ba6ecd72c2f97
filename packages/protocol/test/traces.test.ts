// Protocol v2 fields: policy version, truncation flags, tokenizer id and per-completion traces
// (token ids + quantized behaviour log-probs), their limits, and interop with a plain protobuf
// decoder that knows only rollout.proto.
import { fileURLToPath } from 'node:url'
import protobuf from 'protobufjs'
import { describe, expect, it } from 'vitest'
import { decodeRolloutGroup, encodeRolloutGroup } from '../src/codec.js'
import { LOGPROB_SCALE, MAX_TRACE_TOKENS, PROTOCOL_VERSION } from '../src/constants.js'
import type { RolloutGroup } from '../src/types.js'
import { decodeError, group, wireBytes } from './fixtures.js'

describe('protocol v2 traces', () => {
  it('round-trips log-probs within half a quantization step (1/128 nat)', () => {
    const logprobs = Array.from({ length: 200 }, (_, i) => -((i * 0.6180339887) % 7))
    const g = group({ completions: ['x'], scores: [], truncated: [false], traces: [{ tokenIds: logprobs.map((_, i) => i), logprobs }] })
    const back = decodeRolloutGroup(encodeRolloutGroup(g))
    back.traces?.[0].logprobs.forEach((lp, t) => {
      expect(Math.abs(lp - logprobs[t])).toBeLessThanOrEqual(0.5 / LOGPROB_SCALE + 1e-12)
      expect(lp).toBeLessThanOrEqual(0)
    })
    expect(back.policyVersion).toBe(7)
    expect(back.truncated).toEqual([false])
    expect(back.tokenizerId).toBe('char')
  })

  it('costs about 4 bytes per token with char-level ids (unpacked varints: tag + id + tag + quantized log-prob)', () => {
    const n = 1000
    const traces = [{ tokenIds: Array.from({ length: n }, (_, i) => 10 + (i % 60)), logprobs: Array.from({ length: n }, (_, i) => -((i % 10) * 0.3)) }]
    const withTraces = encodeRolloutGroup(group({ completions: ['x'.repeat(n)], scores: [], truncated: [true], traces }))
    const without = encodeRolloutGroup(group({ completions: ['x'.repeat(n)], scores: [], truncated: [true], traces: [] }))
    const perToken = (withTraces.length - without.length) / n
    expect(perToken).toBeGreaterThan(1)
    expect(perToken).toBeLessThan(5)
  })

  it('fills defaults for groups that carry no v2 extras', () => {
    const back = decodeRolloutGroup(encodeRolloutGroup(group({ policyVersion: undefined, truncated: undefined, tokenizerId: undefined, traces: undefined })))
    expect(back).toMatchObject({ policyVersion: 0, truncated: [false, false], tokenizerId: '', traces: [] })
  })

  it('refuses to encode what receivers would reject', () => {
    const bad: Array<[Partial<RolloutGroup>, string]> = [
      [{ traces: [{ tokenIds: [1], logprobs: [0.5] }, { tokenIds: [], logprobs: [] }] }, 'traces.0.logprobs.0'],
      [{ traces: [{ tokenIds: [1], logprobs: [Number.NaN] }, { tokenIds: [], logprobs: [] }] }, 'traces.0.logprobs.0'],
      [{ traces: [{ tokenIds: [1, 2], logprobs: [-1] }, { tokenIds: [], logprobs: [] }] }, 'traces.0'],
      [{ traces: [{ tokenIds: [-1], logprobs: [-1] }, { tokenIds: [], logprobs: [] }] }, 'traces.0.tokenIds.0'],
      [{ traces: [{ tokenIds: [1], logprobs: [-1] }] }, 'traces'],
      [{ truncated: [true] }, 'truncated'],
      [{ policyVersion: -1 }, 'policyVersion']
    ]
    for (const [over, field] of bad) expect(() => encodeRolloutGroup(group(over))).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ROLLOUT', field }))
  })

  it('rejects malformed traces from the wire, naming the broken limit', () => {
    expect(decodeError(wireBytes({ traces: [{ tokenIds: [1, 2], negLogprobQ: [3] }] })).limit).toBe('trace-tokens')
    expect(decodeError(wireBytes({ traces: [{ tokenIds: [1], negLogprobQ: [100 * LOGPROB_SCALE + 1] }] })).limit).toBe('logprob')
    expect(decodeError(wireBytes({ traces: [{ tokenIds: [0x100_0000], negLogprobQ: [1] }] })).limit).toBe('token-id')
    expect(decodeError(wireBytes({ traces: [{ tokenIds: [], negLogprobQ: [] }, { tokenIds: [], negLogprobQ: [] }] })).limit).toBe('traces')
    expect(decodeError(wireBytes({ truncated: [true, false] })).limit).toBe('truncated')
    const long = Array.from({ length: MAX_TRACE_TOKENS + 1 }, () => 1)
    expect(decodeError(wireBytes({ traces: [{ tokenIds: long, negLogprobQ: long }] })).limit).toBe('trace-tokens')
  })

  it('a plain protobuf decoder with only rollout.proto reads every field', () => {
    const root = protobuf.loadSync(fileURLToPath(new URL('../src/rollout.proto', import.meta.url)))
    const Type = root.lookupType('WireRolloutGroup')
    const g = group()
    const msg = Type.toObject(Type.decode(encodeRolloutGroup(g)), { longs: Number, bytes: Array, defaults: true }) as Record<string, unknown> & { traces: Array<{ tokenIds: number[], negLogprobQ: number[] }> }
    const text = (b: unknown): string => new TextDecoder().decode(Uint8Array.from(b as number[]))
    expect(msg.protocolVersion).toBe(PROTOCOL_VERSION)
    expect(text(msg.prompt)).toBe(g.prompt)
    expect((msg.completions as unknown[]).map(text)).toEqual(g.completions)
    expect(text(msg.modelId)).toBe(g.modelId)
    expect(msg.round).toBe(g.round)
    expect(msg.scores).toEqual(g.scores)
    expect(msg.createdAtMs).toBe(g.createdAt)
    expect(msg.policyVersion).toBe(g.policyVersion)
    expect(msg.truncated).toEqual(g.truncated)
    expect(text(msg.tokenizerId)).toBe(g.tokenizerId)
    expect(msg.traces.map(t => t.tokenIds)).toEqual(g.traces?.map(t => t.tokenIds))
    expect(msg.traces.map(t => t.negLogprobQ.map(q => -q / LOGPROB_SCALE))).toEqual(g.traces?.map(t => t.logprobs.map(lp => -Math.round(-lp * LOGPROB_SCALE) / LOGPROB_SCALE)))
    // And the other way: what protobufjs encodes from the .proto, murmur decodes.
    const back = decodeRolloutGroup(Type.encode(Type.fromObject(msg)).finish())
    expect(back.traces?.map(t => t.tokenIds)).toEqual(g.traces?.map(t => t.tokenIds))
    expect(back.policyVersion).toBe(g.policyVersion)
  })
})

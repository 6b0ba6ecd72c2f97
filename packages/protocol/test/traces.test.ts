// Protocol v2 fields: policy version, truncation flags, tokenizer id and per-completion traces
// (token ids + quantized behaviour log-probs), their limits, and interop with a plain protobuf
// decoder that knows only rollout.proto.
import { fileURLToPath } from 'node:url'
import protobuf from 'protobufjs'
import { describe, expect, it } from 'vitest'
import { decodeRolloutGroup, encodeRolloutGroup } from '../src/codec.js'
import { LOGPROB_SCALE, MAX_TRACE_TOKENS, PROTOCOL_VERSION } from '../src/constants.js'
import { RolloutDecodeError } from '../src/errors.js'
import { WireRolloutGroup } from '../src/rollout.gen.js'
import type { RolloutGroup } from '../src/types.js'
import { validateRolloutBytes } from '../src/validate.js'

const enc = new TextEncoder()

function group (over: Partial<RolloutGroup> = {}): RolloutGroup {
  return {
    task: { family: 'add', version: 1, seed: 3412, params: { digits: 2 } },
    prompt: '12+34=',
    completions: ['46', '45'],
    modelId: 'm',
    round: 3,
    scores: [1, 0],
    createdAt: 1_700_000_000_000,
    policyVersion: 7,
    truncated: [false, true],
    tokenizerId: 'char',
    traces: [{ tokenIds: [20, 22, 0], logprobs: [-0.1, -0.02, -0.003] }, { tokenIds: [20, 21], logprobs: [-0.5, -3.25] }],
    ...over
  }
}

function wireBytes (over: Partial<WireRolloutGroup>): Uint8Array {
  return WireRolloutGroup.encode({
    protocolVersion: PROTOCOL_VERSION,
    task: { family: enc.encode('add'), version: 1, seed: 7, params: [] },
    prompt: enc.encode('07+00='),
    completions: [enc.encode('7')],
    modelId: enc.encode('m'),
    round: 1,
    scores: [],
    createdAtMs: 1_700_000_000_000,
    policyVersion: 0,
    truncated: [],
    tokenizerId: new Uint8Array(0),
    traces: [],
    ...over
  })
}

function decodeLimit (bytes: Uint8Array): string {
  try {
    decodeRolloutGroup(bytes)
  } catch (err) {
    expect(err).toBeInstanceOf(RolloutDecodeError)
    return (err as RolloutDecodeError).limit
  }
  throw new Error('expected decode to fail')
}

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
    expect(decodeLimit(wireBytes({ traces: [{ tokenIds: [1, 2], negLogprobQ: [3] }] }))).toBe('trace-tokens')
    expect(decodeLimit(wireBytes({ traces: [{ tokenIds: [1], negLogprobQ: [100 * LOGPROB_SCALE + 1] }] }))).toBe('logprob')
    expect(decodeLimit(wireBytes({ traces: [{ tokenIds: [0x100_0000], negLogprobQ: [1] }] }))).toBe('token-id')
    expect(decodeLimit(wireBytes({ traces: [{ tokenIds: [], negLogprobQ: [] }, { tokenIds: [], negLogprobQ: [] }] }))).toBe('traces')
    expect(decodeLimit(wireBytes({ truncated: [true, false] }))).toBe('truncated')
    const long = Array.from({ length: MAX_TRACE_TOKENS + 1 }, () => 1)
    expect(decodeLimit(wireBytes({ traces: [{ tokenIds: long, negLogprobQ: long }] }))).toBe('trace-tokens')
  })

  it('rejects a v1 peer clearly (a logged gossip rejection), never crashing', () => {
    const v1 = wireBytes({ protocolVersion: 1 })
    expect(() => decodeRolloutGroup(v1)).toThrow(/speaks rollout protocol v1; this node speaks v2/)
    expect(validateRolloutBytes(v1, { resolveTask: () => { throw new Error('unreachable') } })).toEqual({ action: 'reject', reason: 'decode:protocol-version' })
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

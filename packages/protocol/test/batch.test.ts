import { describe, expect, it } from 'vitest'
import { decodeRolloutBatch, encodeRolloutBatch, packRolloutBatches } from '../src/batch.js'
import { decodeRolloutGroup, encodeRolloutGroup } from '../src/codec.js'
import { MAX_BATCH_BYTES, MAX_BATCH_GROUPS, MAX_GROUP_BYTES, PROTOCOL_VERSION } from '../src/constants.js'
import { InvalidRolloutError, RolloutDecodeError } from '../src/errors.js'
import { WireRolloutBatch } from '../src/rollout.gen.js'
import { group, wireBytes } from './fixtures.js'

const encoded = (n: number): Array<Uint8Array<ArrayBuffer>> => Array.from({ length: n }, (_, i) => new Uint8Array(encodeRolloutGroup(group({ round: i }))))

function decodeError (bytes: Uint8Array): RolloutDecodeError {
  try {
    decodeRolloutBatch(bytes)
  } catch (err) {
    expect(err).toBeInstanceOf(RolloutDecodeError)
    return err as RolloutDecodeError
  }
  throw new Error('decoded')
}

/** A batch whose entries are `size`-byte filler (the batch codec does not look inside its entries). */
const filler = (n: number, size: number): Array<Uint8Array<ArrayBuffer>> => Array.from({ length: n }, (_, i) => new Uint8Array(size).fill(i + 1))

describe('rollout batches', () => {
  it('round-trips groups, each entry byte-identical to the group as encoded alone', () => {
    const groups = encoded(4)
    const entries = decodeRolloutBatch(encodeRolloutBatch(groups))
    expect(entries).toHaveLength(4)
    entries.forEach((e, i) => {
      expect(e).toEqual(groups[i])
      expect(decodeRolloutGroup(e).round).toBe(i)
    })
  })

  it('refuses to encode what receivers reject: no group, too many, an entry or a total too large', () => {
    expect(() => encodeRolloutBatch([])).toThrow(InvalidRolloutError)
    expect(() => encodeRolloutBatch(encoded(MAX_BATCH_GROUPS + 1))).toThrow(InvalidRolloutError)
    expect(() => encodeRolloutBatch(filler(1, MAX_GROUP_BYTES + 1))).toThrow(InvalidRolloutError)
    expect(() => encodeRolloutBatch([new Uint8Array(0)])).toThrow(InvalidRolloutError)
    expect(() => encodeRolloutBatch(filler(9, MAX_GROUP_BYTES))).toThrow(/at most 524288/)
    expect(encodeRolloutBatch(filler(7, MAX_GROUP_BYTES)).length).toBeLessThanOrEqual(MAX_BATCH_BYTES)
  })

  it('packs groups in order into as few messages as the count and size limits allow', () => {
    const many = encoded(MAX_BATCH_GROUPS * 2 + 3)
    const messages = packRolloutBatches(many)
    expect(messages).toHaveLength(3)
    expect(messages.flatMap(decodeRolloutBatch)).toEqual(many)
    // eight groups at the size limit do not fit one message (the entries' framing): 7 + 1
    const big = filler(8, MAX_GROUP_BYTES)
    const split = packRolloutBatches(big)
    expect(split.map(m => decodeRolloutBatch(m).length)).toEqual([7, 1])
    expect(split.every(m => m.length <= MAX_BATCH_BYTES)).toBe(true)
    expect(packRolloutBatches([])).toEqual([])
  })

  it('rejects hostile messages with the limit they broke, before decoding what it need not', () => {
    expect(decodeError(new Uint8Array(MAX_BATCH_BYTES + 1)).limit).toBe('batch-bytes')
    expect(decodeError(WireRolloutBatch.encode({ protocolVersion: PROTOCOL_VERSION, groups: [] })).limit).toBe('batch-groups')
    expect(decodeError(WireRolloutBatch.encode({ protocolVersion: PROTOCOL_VERSION, groups: filler(MAX_BATCH_GROUPS + 1, 3) })).limit).toBe('batch-groups')
    expect(decodeError(WireRolloutBatch.encode({ protocolVersion: PROTOCOL_VERSION, groups: filler(1, MAX_GROUP_BYTES + 1) })).limit).toBe('bytes')
    const v2 = decodeError(WireRolloutBatch.encode({ protocolVersion: 2, groups: encoded(1) }))
    expect(v2.limit).toBe('protocol-version')
    expect(v2.message).toMatch(`speaks rollout protocol v2; this node speaks v${PROTOCOL_VERSION}`)
    // a v2 peer's message was a bare group: field 1 is the version there too, so it fails the same way
    expect(decodeError(wireBytes({ protocolVersion: 2 })).limit).toBe('protocol-version')
    expect(decodeError(Uint8Array.of(0x12, 0xff, 0xff, 0xff, 0xff, 0x0f, 1)).limit).toBe('malformed')
  })

  it('never throws anything but RolloutDecodeError on random or mutated bytes', () => {
    const valid = encodeRolloutBatch(encoded(3))
    let seed = 7
    const next = (): number => { seed = (seed * 1103515245 + 12345) >>> 0; return seed }
    for (let i = 0; i < 2000; i++) {
      const bytes = i % 2 === 0
        ? Uint8Array.from({ length: next() % 300 }, () => next() & 0xff)
        : valid.map((b, k) => k === next() % valid.length ? next() & 0xff : b)
      try {
        decodeRolloutBatch(bytes)
      } catch (err) {
        expect(err).toBeInstanceOf(RolloutDecodeError)
      }
    }
  })
})

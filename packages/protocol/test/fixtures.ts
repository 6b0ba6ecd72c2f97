// Shared by the protocol tests: a valid group, a valid wire object to craft messages the
// encoder refuses to build, and the decode error a bad message must raise.
import { expect } from 'vitest'
import { decodeRolloutGroup } from '../src/codec.js'
import { PROTOCOL_VERSION } from '../src/constants.js'
import { RolloutDecodeError } from '../src/errors.js'
import { WireRolloutGroup } from '../src/rollout.gen.js'
import type { RolloutGroup } from '../src/types.js'

/** The clock of the validation tests, ms; `group()` was created a second before it. */
export const NOW = 1_700_000_000_000

const enc = new TextEncoder()

/** A valid group of task add@1 seed 3412 (prompt 12+34=) with v2 extras; log-probs on the 1/64-nat grid round-trip exactly. */
export function group (over: Partial<RolloutGroup> = {}): RolloutGroup {
  return {
    task: { family: 'add', version: 1, seed: 3412, params: { digits: 2 } },
    prompt: '12+34=',
    completions: ['46', '45'],
    modelId: 'm',
    round: 3,
    scores: [1, 0],
    createdAt: NOW - 1000,
    policyVersion: 7,
    truncated: [false, true],
    tokenizerId: 'char',
    traces: [{ tokenIds: [20, 22, 0], logprobs: [-0.125, -0.015625, -0.0625] }, { tokenIds: [20, 21], logprobs: [-0.5, -3.25] }],
    ...over
  }
}

/** A valid wire object. */
export function wire (over: Partial<WireRolloutGroup> = {}): WireRolloutGroup {
  return {
    protocolVersion: PROTOCOL_VERSION,
    task: { family: enc.encode('add'), version: 1, seed: 7, params: [] },
    prompt: enc.encode('1+2='),
    completions: [enc.encode('3')],
    modelId: enc.encode('m'),
    round: 1,
    scores: [],
    createdAtMs: 1_700_000_000_000,
    policyVersion: 0,
    truncated: [],
    tokenizerId: new Uint8Array(0),
    traces: [],
    ...over
  }
}

/** The bytes of a valid wire object with `over` applied. */
export function wireBytes (over: Partial<WireRolloutGroup> = {}): Uint8Array {
  return WireRolloutGroup.encode(wire(over))
}

/** The error `run` throws, checked to be a `type` with `code` (fails the test if nothing is thrown). */
export function thrownBy<E extends Error & { code: string }> (run: () => unknown, type: new (...args: never[]) => E, code: string): E {
  try {
    run()
  } catch (err) {
    expect(err).toBeInstanceOf(type)
    expect((err as E).code).toBe(code)
    return err as E
  }
  throw new Error(`expected a ${type.name}`)
}

/** The `RolloutDecodeError` decoding `bytes` raises (fails the test if it decodes). */
export function decodeError (bytes: Uint8Array): RolloutDecodeError {
  return thrownBy(() => decodeRolloutGroup(bytes), RolloutDecodeError, 'ERR_ROLLOUT_DECODE')
}

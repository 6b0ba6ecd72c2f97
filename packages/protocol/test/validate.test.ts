import { describe, it, expect } from 'vitest'
import { MurmurError } from '@murmur/interface'
import { validateGroup, validateRolloutBatch, validateRolloutBytes } from '../src/validate.js'
import { encodeRolloutBatch } from '../src/batch.js'
import { encodeRolloutGroup } from '../src/codec.js'
import { DEFAULT_MAX_AGE_MS, DEFAULT_MAX_FUTURE_SKEW_MS, PROTOCOL_VERSION } from '../src/constants.js'
import type { ResolvedTask, TaskRef } from '../src/task-types.js'
import { group, NOW, wireBytes } from './fixtures.js'

/**
 * A stand-in for @murmur/tasks' resolveTask (an injected interface): family "add" v1 derives two
 * operands from the seed; errors carry the codes the real registry throws.
 */
function resolveTask (ref: TaskRef): ResolvedTask {
  if (ref.family !== 'add' || ref.version !== 1) throw new MurmurError(`unknown task ${ref.family}@${ref.version}`, 'ERR_UNKNOWN_TASK')
  if (ref.params.digits !== 2) throw new MurmurError('digits must be 2', 'ERR_INVALID_TASK_PARAMS')
  const a = ref.seed % 100
  const b = Math.floor(ref.seed / 100) % 100
  return { ref, prompt: `${a}+${b}=`, answer: String(a + b), meta: {} }
}

const opts = { resolveTask, now: NOW }

describe('validateGroup', () => {
  it('accepts a group whose prompt matches the regenerated task, returning that task', () => {
    const result = validateGroup(group(), opts)
    expect(result.action).toBe('accept')
    expect(result.reason).toBe('ok')
    expect(result.task?.answer).toBe('46')
  })

  it('rejects a prompt that differs from the regenerated one', () => {
    expect(validateGroup(group({ prompt: '12+35=' }), opts)).toEqual({ action: 'reject', reason: 'prompt-mismatch' })
    expect(validateGroup(group({ task: { family: 'add', version: 1, seed: 3413, params: { digits: 2 } } }), opts).reason).toBe('prompt-mismatch')
  })

  it('ignores unknown task families and versions', () => {
    expect(validateGroup(group({ task: { family: 'chess', version: 1, seed: 1, params: {} } }), opts)).toEqual({ action: 'ignore', reason: 'unknown-task' })
    expect(validateGroup(group({ task: { family: 'add', version: 9, seed: 1, params: {} } }), opts).action).toBe('ignore')
  })

  it('rejects parameters the family refuses', () => {
    expect(validateGroup(group({ task: { family: 'add', version: 1, seed: 1, params: { digits: 7 } } }), opts)).toEqual({ action: 'reject', reason: 'invalid-task-params' })
  })

  it('ignores (does not penalize) when the resolver fails for another reason', () => {
    const broken = (): ResolvedTask => { throw new Error('bug') }
    expect(validateGroup(group(), { resolveTask: broken, now: NOW })).toEqual({ action: 'ignore', reason: 'resolve-failed' })
  })

  it('rejects a group without completions', () => {
    expect(validateGroup(group({ completions: [] }), opts)).toEqual({ action: 'reject', reason: 'empty-completions' })
  })

  it('ignores far-future and stale groups, accepting the boundaries', () => {
    expect(validateGroup(group({ createdAt: NOW + DEFAULT_MAX_FUTURE_SKEW_MS }), opts).action).toBe('accept')
    expect(validateGroup(group({ createdAt: NOW + DEFAULT_MAX_FUTURE_SKEW_MS + 1 }), opts)).toEqual({ action: 'ignore', reason: 'future-timestamp' })
    expect(validateGroup(group({ createdAt: NOW - DEFAULT_MAX_AGE_MS }), opts).action).toBe('accept')
    expect(validateGroup(group({ createdAt: NOW - DEFAULT_MAX_AGE_MS - 1 }), opts)).toEqual({ action: 'ignore', reason: 'stale' })
    expect(validateGroup(group({ createdAt: NOW - 10_001 }), { ...opts, maxAgeMs: 10_000 }).reason).toBe('stale')
  })
})

describe('validateRolloutBytes', () => {
  it('decodes and accepts valid bytes, returning the group', () => {
    const g = group()
    const result = validateRolloutBytes(encodeRolloutGroup(g), opts)
    expect(result.action).toBe('accept')
    expect(result.group).toEqual(g)
  })

  it('rejects undecodable bytes with the broken limit as reason', () => {
    expect(validateRolloutBytes(Uint8Array.of(0xff, 0xff, 0xff), opts)).toEqual({ action: 'reject', reason: 'decode:malformed' })
    expect(validateRolloutBytes(new Uint8Array(70_000), opts).reason).toBe('decode:bytes')
    expect(validateRolloutBytes(wireBytes({ protocolVersion: 1 }), opts)).toEqual({ action: 'reject', reason: 'decode:protocol-version' })
    expect(validateRolloutBytes(wireBytes({ protocolVersion: PROTOCOL_VERSION + 1 }), opts).reason).toBe('decode:protocol-version')
  })

  it('carries the decoded group along with a semantic rejection', () => {
    const result = validateRolloutBytes(encodeRolloutGroup(group({ prompt: 'nope' })), opts)
    expect(result.action).toBe('reject')
    expect(result.reason).toBe('prompt-mismatch')
    expect(result.group?.prompt).toBe('nope')
  })
})

describe('validateRolloutBatch', () => {
  const batch = (...groups: Uint8Array[]): Uint8Array => encodeRolloutBatch(groups)
  const ok = encodeRolloutGroup(group())
  const other = encodeRolloutGroup(group({ task: { family: 'add', version: 1, seed: 3413, params: { digits: 2 } }, prompt: '13+34=' }))

  it('accepts a batch of valid groups, each with its own bytes, decoding and regenerated task', () => {
    const result = validateRolloutBatch(batch(ok, other), opts)
    expect(result.action).toBe('accept')
    expect(result.groups.map(g => [g.action, g.task?.answer])).toEqual([['accept', '46'], ['accept', '47']])
    expect(result.groups[1].bytes).toEqual(other)
    expect(result.groups[1].group.prompt).toBe('13+34=')
  })

  it('rejects the whole message for one provably bad group, wherever it sits', () => {
    const forged = encodeRolloutGroup(group({ prompt: '99+1=' }))
    expect(validateRolloutBatch(batch(ok, forged), opts)).toEqual({ action: 'reject', reason: 'prompt-mismatch', groups: [] })
    expect(validateRolloutBatch(batch(forged, ok), opts).action).toBe('reject')
    expect(validateRolloutBatch(batch(ok, Uint8Array.of(0xff, 0xff)), opts)).toEqual({ action: 'reject', reason: 'decode:malformed', groups: [] })
  })

  it('keeps the usable groups when others are only ignored, and ignores a batch with none', () => {
    const stale = encodeRolloutGroup(group({ createdAt: NOW - DEFAULT_MAX_AGE_MS - 1 }))
    const unknown = encodeRolloutGroup(group({ task: { family: 'chess', version: 1, seed: 1, params: {} } }))
    const mixed = validateRolloutBatch(batch(stale, ok, unknown), opts)
    expect(mixed.action).toBe('accept')
    expect(mixed.groups.map(g => g.reason)).toEqual(['stale', 'ok', 'unknown-task'])
    expect(validateRolloutBatch(batch(stale, unknown), opts)).toMatchObject({ action: 'ignore', reason: 'stale' })
  })

  it('rejects a message that is not a batch with the broken limit', () => {
    expect(validateRolloutBatch(new Uint8Array(600_000), opts)).toEqual({ action: 'reject', reason: 'decode:batch-bytes', groups: [] })
    expect(validateRolloutBatch(Uint8Array.of(0x12, 0xff), opts).reason).toBe('decode:malformed')
  })
})

describe('validateGroup with the real task registry', () => {
  it('accepts a regenerated prompt, ignores unknown families, rejects bad params and forged prompts', async () => {
    const tasks = await import('@murmur/tasks')
    const ref = { family: 'add', version: 1, seed: 5, params: { format: 'compact' } }
    const real = { resolveTask: tasks.resolveTask, now: NOW }
    const prompt = tasks.resolveTask(ref).prompt
    expect(validateGroup(group({ task: ref, prompt }), real).action).toBe('accept')
    expect(validateGroup(group({ task: ref, prompt: prompt + ' ' }), real).reason).toBe('prompt-mismatch')
    expect(validateGroup(group({ task: { ...ref, family: 'no-such-family' }, prompt }), real).reason).toBe('unknown-task')
    expect(validateGroup(group({ task: { ...ref, version: 99 }, prompt }), real).reason).toBe('unknown-task')
    expect(validateGroup(group({ task: { ...ref, params: { digits: -3 } }, prompt }), real).reason).toBe('invalid-task-params')
  })
})

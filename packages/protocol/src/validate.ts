// Semantic validation of a decoded group. The action follows gossipsub's meaning: `reject` only
// for what is provably bad (it costs the sender peer score), `ignore` for what may be fine
// elsewhere (a task family this build does not know, clock skew, age).
import { hasErrorCode } from '@murmur/interface'
import { DEFAULT_MAX_AGE_MS, DEFAULT_MAX_FUTURE_SKEW_MS } from './constants.js'
import { decodeRolloutBatch } from './batch.js'
import { decodeRolloutGroup } from './codec.js'
import { RolloutDecodeError } from './errors.js'
import type { ResolvedTask, TaskRef } from './task-types.js'
import type { RolloutGroup, ValidationAction, ValidationReason } from './types.js'

/** Options of `validateGroup`. */
export interface ValidateGroupOptions {
  /** Regenerates a task from its reference (normally `resolveTask` from @murmur/tasks). */
  resolveTask: (ref: TaskRef) => ResolvedTask
  /** Current time in ms since the epoch. Default: `Date.now()`. */
  now?: number
  /** Groups created further than this in the future are ignored. Default: `DEFAULT_MAX_FUTURE_SKEW_MS`. */
  maxFutureSkewMs?: number
  /** Groups older than this are ignored. Default: `DEFAULT_MAX_AGE_MS`. */
  maxAgeMs?: number
}

/** Outcome of validation. `task` is the regenerated task when the group was accepted. */
export interface ValidationResult {
  action: ValidationAction
  reason: ValidationReason
  task?: ResolvedTask
}

/** Outcome of `validateRolloutBytes`: the decoded group comes along when decoding succeeded. */
export interface BytesValidationResult extends ValidationResult {
  group?: RolloutGroup
}

/** Decides whether a decoded group is delivered (`accept`), dropped (`ignore`) or dropped and penalized (`reject`). */
export function validateGroup (group: RolloutGroup, options: ValidateGroupOptions): ValidationResult {
  const now = options.now ?? Date.now()
  if (group.completions.length === 0) return { action: 'reject', reason: 'empty-completions' }
  if (group.createdAt > now + (options.maxFutureSkewMs ?? DEFAULT_MAX_FUTURE_SKEW_MS)) {
    return { action: 'ignore', reason: 'future-timestamp' }
  }
  if (group.createdAt < now - (options.maxAgeMs ?? DEFAULT_MAX_AGE_MS)) return { action: 'ignore', reason: 'stale' }
  let task: ResolvedTask
  try {
    task = options.resolveTask(group.task)
  } catch (err) {
    if (hasErrorCode(err, 'ERR_UNKNOWN_TASK')) return { action: 'ignore', reason: 'unknown-task' }
    if (hasErrorCode(err, 'ERR_INVALID_TASK_PARAMS')) return { action: 'reject', reason: 'invalid-task-params' }
    // Our resolver failed for a reason we cannot pin on the sender: do not penalize.
    return { action: 'ignore', reason: 'resolve-failed' }
  }
  if (task.prompt !== group.prompt) return { action: 'reject', reason: 'prompt-mismatch' }
  return { action: 'accept', reason: 'ok', task }
}

/** Decodes and validates untrusted bytes in one step; bytes that fail to decode are rejected (`decode:<limit>`). */
export function validateRolloutBytes (bytes: Uint8Array, options: ValidateGroupOptions): BytesValidationResult {
  let group: RolloutGroup
  try {
    group = decodeRolloutGroup(bytes)
  } catch (err) {
    return { action: 'reject', reason: decodeReason(err) }
  }
  return { ...validateGroup(group, options), group }
}

/** One group of a validated batch: its bytes (a view into the message), its decoding and its own verdict. */
export interface BatchGroupValidation extends ValidationResult {
  bytes: Uint8Array
  group: RolloutGroup
}

/** Outcome of `validateRolloutBatch`. */
export interface BatchValidationResult {
  /** `reject` when the message or any of its groups is provably bad; `accept` when at least one group is accepted; else `ignore`. */
  action: ValidationAction
  /** The first rejecting group's reason (or the message's own, `decode:<limit>`); `ok` when accepted; else the first group's reason. */
  reason: ValidationReason
  /** Every group, in message order; empty when the message itself failed to decode. */
  groups: BatchGroupValidation[]
}

/**
 * Decodes and validates an untrusted message (a batch of groups) in one step. One provably bad
 * group rejects the whole message — its signer sent it —, while groups that are only ignored
 * (stale, a task family this build does not know) leave the others usable.
 */
export function validateRolloutBatch (bytes: Uint8Array, options: ValidateGroupOptions): BatchValidationResult {
  let entries: Uint8Array[]
  try {
    entries = decodeRolloutBatch(bytes)
  } catch (err) {
    return { action: 'reject', reason: decodeReason(err), groups: [] }
  }
  return validateBatchEntries(entries, options)
}

/** The rejection reason of bytes a decoder (`decodeRolloutGroup`, `decodeRolloutBatch`) refused: `decode:<limit>`, or `decode:malformed`. */
export function decodeReason (err: unknown): `decode:${string}` {
  return `decode:${err instanceof RolloutDecodeError ? err.limit : 'malformed'}`
}

/** `validateRolloutBatch` for a message whose framing is already split (`decodeRolloutBatch`'s entries). */
export function validateBatchEntries (entries: readonly Uint8Array[], options: ValidateGroupOptions): BatchValidationResult {
  const groups: BatchGroupValidation[] = []
  for (const entry of entries) {
    const result = validateRolloutBytes(entry, options)
    if (result.action === 'reject' || result.group === undefined) return { action: 'reject', reason: result.reason, groups: [] }
    groups.push({ ...result, bytes: entry, group: result.group })
  }
  const accepted = groups.some(g => g.action === 'accept')
  return { action: accepted ? 'accept' : 'ignore', reason: accepted ? 'ok' : groups[0].reason, groups }
}

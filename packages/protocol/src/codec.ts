// Encoding and decoding of rollout groups. Decoding treats its input as hostile: the total size
// is checked on the raw bytes before anything is allocated, repeated fields are capped inside
// the protobuf reader (so 10^6 tiny completions never become an array), and every text field
// must be strict UTF-8 within its own byte limit.
import { MaxLengthError } from 'protons-runtime'
import {
  MAX_COMPLETION_BYTES, MAX_COMPLETIONS, MAX_GROUP_BYTES, MAX_MODEL_ID_BYTES, MAX_PROMPT_BYTES,
  MAX_TASK_PARAMS, MAX_UINT32, PROTOCOL_VERSION
} from './constants.js'
import { InvalidRolloutError, RolloutDecodeError } from './errors.js'
import { WireRolloutGroup } from './rollout.gen.js'
import { fromWireTaskRef, toWireTaskRef } from './task-ref.js'
import type { RolloutGroup } from './types.js'
import { decodeUtf8, encodeText } from './utf8.js'

const DECODE_LIMITS = {
  completions: MAX_COMPLETIONS,
  scores: MAX_COMPLETIONS,
  task: { params: MAX_TASK_PARAMS }
}

/**
 * Encodes a group for the wire. Throws `InvalidRolloutError` when the group breaks a limit that
 * receivers enforce, so a node never publishes what its peers would reject.
 */
export function encodeRolloutGroup (group: RolloutGroup): Uint8Array {
  if (group == null || typeof group !== 'object') throw new InvalidRolloutError('group', 'must be an object')
  const task = toWireTaskRef(group.task)
  const prompt = encodeText(group.prompt, 'prompt', MAX_PROMPT_BYTES)
  if (!Array.isArray(group.completions) || group.completions.length === 0 || group.completions.length > MAX_COMPLETIONS) {
    throw new InvalidRolloutError('completions', `must be an array of 1..${MAX_COMPLETIONS} strings`)
  }
  const completions = group.completions.map((c, i) => encodeText(c, `completions.${i}`, MAX_COMPLETION_BYTES))
  const modelId = encodeText(group.modelId, 'modelId', MAX_MODEL_ID_BYTES)
  if (!Number.isInteger(group.round) || group.round < 0 || group.round > MAX_UINT32) {
    throw new InvalidRolloutError('round', `must be an integer in 0..${MAX_UINT32}`)
  }
  const scores = group.scores ?? []
  if (!Array.isArray(scores) || (scores.length !== 0 && scores.length !== completions.length)) {
    throw new InvalidRolloutError('scores', 'must be empty or hold one number per completion')
  }
  scores.forEach((s, i) => {
    if (typeof s !== 'number' || !Number.isFinite(s)) throw new InvalidRolloutError(`scores.${i}`, 'must be a finite number')
  })
  if (!Number.isSafeInteger(group.createdAt) || group.createdAt < 0) {
    throw new InvalidRolloutError('createdAt', 'must be a non-negative integer (ms since the epoch)')
  }
  const bytes = WireRolloutGroup.encode({
    protocolVersion: PROTOCOL_VERSION,
    task,
    prompt,
    completions,
    modelId,
    round: group.round,
    scores: scores.map(s => s === 0 ? 0 : s),
    createdAtMs: group.createdAt
  })
  if (bytes.length > MAX_GROUP_BYTES) {
    throw new InvalidRolloutError('group', `encodes to ${bytes.length} bytes; at most ${MAX_GROUP_BYTES} allowed`)
  }
  return bytes
}

/** Decodes untrusted bytes into a group; any violation throws `RolloutDecodeError` naming the broken limit. */
export function decodeRolloutGroup (bytes: Uint8Array): RolloutGroup {
  if (!(bytes instanceof Uint8Array)) throw new RolloutDecodeError('malformed', 'input must be a Uint8Array')
  if (bytes.length > MAX_GROUP_BYTES) {
    throw new RolloutDecodeError('bytes', `message is ${bytes.length} bytes; at most ${MAX_GROUP_BYTES} allowed`)
  }
  let wire: WireRolloutGroup
  try {
    wire = WireRolloutGroup.decode(bytes, { limits: DECODE_LIMITS })
  } catch (err) {
    if (err instanceof MaxLengthError) {
      const limit = err.message.includes('"params"') ? 'params' : err.message.includes('"scores"') ? 'scores' : 'completions'
      throw new RolloutDecodeError(limit, `too many ${limit}`, { cause: err })
    }
    throw new RolloutDecodeError('malformed', 'not a RolloutGroup protobuf', { cause: err })
  }
  if (wire.protocolVersion !== PROTOCOL_VERSION) {
    throw new RolloutDecodeError('protocol-version', `version ${wire.protocolVersion}; this node speaks ${PROTOCOL_VERSION}`)
  }
  const task = fromWireTaskRef(wire.task)
  if (wire.prompt.length > MAX_PROMPT_BYTES) throw new RolloutDecodeError('prompt', `prompt exceeds ${MAX_PROMPT_BYTES} bytes`)
  const prompt = decodeUtf8(wire.prompt, 'prompt')
  const completions = wire.completions.map((c, i) => {
    if (c.length > MAX_COMPLETION_BYTES) {
      throw new RolloutDecodeError('completion-bytes', `completion ${i} is ${c.length} bytes; at most ${MAX_COMPLETION_BYTES} allowed`)
    }
    return decodeUtf8(c, `completion ${i}`)
  })
  if (wire.modelId.length > MAX_MODEL_ID_BYTES) throw new RolloutDecodeError('model-id', `model id exceeds ${MAX_MODEL_ID_BYTES} bytes`)
  const modelId = decodeUtf8(wire.modelId, 'model id')
  if (wire.scores.length !== 0 && wire.scores.length !== completions.length) {
    throw new RolloutDecodeError('scores', `${wire.scores.length} scores for ${completions.length} completions`)
  }
  if (!wire.scores.every(Number.isFinite)) throw new RolloutDecodeError('scores', 'scores must be finite numbers')
  if (!Number.isSafeInteger(wire.createdAtMs) || wire.createdAtMs < 0) {
    throw new RolloutDecodeError('created-at', 'creation time is not a valid millisecond timestamp')
  }
  return { task, prompt, completions, modelId, round: wire.round, scores: wire.scores, createdAt: wire.createdAtMs }
}

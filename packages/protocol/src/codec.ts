// Encoding and decoding of rollout groups. Decoding treats its input as hostile: the total size
// is checked on the raw bytes before anything is allocated, repeated fields are capped inside
// the protobuf reader (so 10^6 tiny completions never become an array), and every text field
// must be strict UTF-8 within its own byte limit.
import { MaxLengthError } from 'protons-runtime'
import {
  LOGPROB_SCALE, MAX_COMPLETION_BYTES, MAX_COMPLETIONS, MAX_GROUP_BYTES, MAX_MODEL_ID_BYTES, MAX_PROMPT_BYTES,
  MAX_TASK_PARAMS, MAX_TOKEN_ID, MAX_TOKENIZER_ID_BYTES, MAX_TRACE_TOKENS, MAX_UINT32, MIN_LOGPROB, PROTOCOL_VERSION
} from './constants.js'
import { InvalidRolloutError, RolloutDecodeError, type RolloutLimit } from './errors.js'
import { WireRolloutGroup, type WireCompletionTrace } from './rollout.gen.js'
import { fromWireTaskRef, toWireTaskRef } from './task-ref.js'
import type { CompletionTrace, RolloutGroup } from './types.js'
import { decodeUtf8, encodeText } from './utf8.js'

const DECODE_LIMITS = {
  completions: MAX_COMPLETIONS,
  scores: MAX_COMPLETIONS,
  truncated: MAX_COMPLETIONS,
  traces: MAX_COMPLETIONS,
  traces$: { tokenIds: MAX_TRACE_TOKENS, negLogprobQ: MAX_TRACE_TOKENS },
  task: { params: MAX_TASK_PARAMS }
}

/** Largest quantized −log-prob on the wire. */
const MAX_NEG_LOGPROB_Q = -MIN_LOGPROB * LOGPROB_SCALE

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
  const policyVersion = group.policyVersion ?? 0
  if (!Number.isInteger(policyVersion) || policyVersion < 0 || policyVersion > MAX_UINT32) {
    throw new InvalidRolloutError('policyVersion', `must be an integer in 0..${MAX_UINT32}`)
  }
  const truncated = group.truncated ?? []
  if (!Array.isArray(truncated) || (truncated.length !== 0 && truncated.length !== completions.length) || !truncated.every(t => typeof t === 'boolean')) {
    throw new InvalidRolloutError('truncated', 'must be empty or hold one boolean per completion')
  }
  const tokenizerId = encodeText(group.tokenizerId ?? '', 'tokenizerId', MAX_TOKENIZER_ID_BYTES)
  const traces = group.traces ?? []
  if (!Array.isArray(traces) || (traces.length !== 0 && traces.length !== completions.length)) {
    throw new InvalidRolloutError('traces', 'must be empty or hold one trace per completion')
  }
  const bytes = WireRolloutGroup.encode({
    protocolVersion: PROTOCOL_VERSION,
    task,
    prompt,
    completions,
    modelId,
    round: group.round,
    scores: scores.map(s => s === 0 ? 0 : s),
    createdAtMs: group.createdAt,
    policyVersion,
    truncated,
    tokenizerId,
    traces: traces.map((t, i) => toWireTrace(t, `traces.${i}`))
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
      const limit = maxLengthLimit(err.message)
      throw new RolloutDecodeError(limit, `too many ${limit}`, { cause: err })
    }
    throw new RolloutDecodeError('malformed', 'not a RolloutGroup protobuf', { cause: err })
  }
  if (wire.protocolVersion !== PROTOCOL_VERSION) {
    throw new RolloutDecodeError('protocol-version', `the sender speaks rollout protocol v${wire.protocolVersion}; this node speaks v${PROTOCOL_VERSION} (upgrade the older node)`)
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
  if (wire.truncated.length !== 0 && wire.truncated.length !== completions.length) {
    throw new RolloutDecodeError('truncated', `${wire.truncated.length} truncation flags for ${completions.length} completions`)
  }
  if (wire.tokenizerId.length > MAX_TOKENIZER_ID_BYTES) throw new RolloutDecodeError('tokenizer-id', `tokenizer id exceeds ${MAX_TOKENIZER_ID_BYTES} bytes`)
  const tokenizerId = decodeUtf8(wire.tokenizerId, 'tokenizer id')
  if (wire.traces.length !== 0 && wire.traces.length !== completions.length) {
    throw new RolloutDecodeError('traces', `${wire.traces.length} traces for ${completions.length} completions`)
  }
  return {
    task,
    prompt,
    completions,
    modelId,
    round: wire.round,
    scores: wire.scores,
    createdAt: wire.createdAtMs,
    policyVersion: wire.policyVersion,
    truncated: wire.truncated.length === 0 ? completions.map(() => false) : wire.truncated,
    tokenizerId,
    traces: wire.traces.map((t, i) => fromWireTrace(t, i))
  }
}

/** Quantizes a trace's log-probs; throws `InvalidRolloutError` for anything a receiver would reject. */
function toWireTrace (trace: CompletionTrace, field: string): WireCompletionTrace {
  if (trace == null || !Array.isArray(trace.tokenIds) || !Array.isArray(trace.logprobs)) throw new InvalidRolloutError(field, 'must hold tokenIds and logprobs arrays')
  if (trace.tokenIds.length !== trace.logprobs.length) throw new InvalidRolloutError(field, `${trace.tokenIds.length} token ids but ${trace.logprobs.length} log-probs`)
  if (trace.tokenIds.length > MAX_TRACE_TOKENS) throw new InvalidRolloutError(field, `at most ${MAX_TRACE_TOKENS} tokens`)
  trace.tokenIds.forEach((id, t) => {
    if (!Number.isInteger(id) || id < 0 || id > MAX_TOKEN_ID) throw new InvalidRolloutError(`${field}.tokenIds.${t}`, `must be an integer in 0..${MAX_TOKEN_ID}`)
  })
  const negLogprobQ = trace.logprobs.map((lp, t) => {
    if (typeof lp !== 'number' || Number.isNaN(lp) || lp > 1e-6) throw new InvalidRolloutError(`${field}.logprobs.${t}`, 'must be a number ≤ 0')
    return Math.round(-Math.max(MIN_LOGPROB, Math.min(0, lp)) * LOGPROB_SCALE)
  })
  return { tokenIds: trace.tokenIds, negLogprobQ }
}

/** Checks a decoded trace's shape and bounds; log-probs come back ≤ 0 and ≥ MIN_LOGPROB by construction. */
function fromWireTrace (wire: WireCompletionTrace, i: number): CompletionTrace {
  if (wire.tokenIds.length !== wire.negLogprobQ.length) {
    throw new RolloutDecodeError('trace-tokens', `trace ${i} has ${wire.tokenIds.length} token ids but ${wire.negLogprobQ.length} log-probs`)
  }
  if (wire.tokenIds.some(id => id > MAX_TOKEN_ID)) throw new RolloutDecodeError('token-id', `trace ${i} has a token id above ${MAX_TOKEN_ID}`)
  if (wire.negLogprobQ.some(q => q > MAX_NEG_LOGPROB_Q)) throw new RolloutDecodeError('logprob', `trace ${i} has a log-prob below ${MIN_LOGPROB}`)
  return { tokenIds: wire.tokenIds, logprobs: wire.negLogprobQ.map(q => q === 0 ? 0 : -q / LOGPROB_SCALE) }
}

/** Which limit a protons `MaxLengthError` (it names the repeated field) broke. */
function maxLengthLimit (message: string): RolloutLimit {
  const fields: Array<[string, RolloutLimit]> = [
    ['"params"', 'params'], ['"scores"', 'scores'], ['"truncated"', 'truncated'], ['"traces"', 'traces'],
    ['"tokenIds"', 'trace-tokens'], ['"negLogprobQ"', 'trace-tokens']
  ]
  return fields.find(([name]) => message.includes(name))?.[1] ?? 'completions'
}

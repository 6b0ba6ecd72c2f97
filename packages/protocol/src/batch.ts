// A gossip message: one producer's groups of one round, each kept as its own encoded bytes.
// Decoding treats the message as hostile like a group: the size is checked on the raw bytes,
// the number of groups is capped inside the protobuf reader, and each entry must be a group
// within its own size limit (its contents are decoded by `decodeRolloutGroup`).
import { MaxLengthError } from 'protons-runtime'
import { MAX_BATCH_BYTES, MAX_BATCH_GROUPS, MAX_GROUP_BYTES, PROTOCOL_VERSION } from './constants.js'
import { InvalidRolloutError, RolloutDecodeError } from './errors.js'
import { WireRolloutBatch } from './rollout.gen.js'

/** Bytes one entry of a batch adds beyond the group's own: a field tag and a length varint. */
const ENTRY_OVERHEAD_BYTES = 4
/** The batch's own fields (protocol version). */
const BATCH_OVERHEAD_BYTES = 8

/**
 * Encodes already-encoded groups (`encodeRolloutGroup`) as one message. Throws
 * `InvalidRolloutError` for what receivers would reject: no group, more than
 * `MAX_BATCH_GROUPS`, a group over `MAX_GROUP_BYTES`, or more than `MAX_BATCH_BYTES` in all.
 */
export function encodeRolloutBatch (groups: readonly Uint8Array[]): Uint8Array {
  if (!Array.isArray(groups) || groups.length === 0 || groups.length > MAX_BATCH_GROUPS) {
    throw new InvalidRolloutError('batch', `must hold 1..${MAX_BATCH_GROUPS} groups`)
  }
  groups.forEach((g, i) => {
    if (!(g instanceof Uint8Array) || g.length === 0 || g.length > MAX_GROUP_BYTES) throw new InvalidRolloutError(`batch.${i}`, `must be an encoded group of 1..${MAX_GROUP_BYTES} bytes`)
  })
  const bytes = WireRolloutBatch.encode({ protocolVersion: PROTOCOL_VERSION, groups: [...groups] })
  if (bytes.length > MAX_BATCH_BYTES) throw new InvalidRolloutError('batch', `encodes to ${bytes.length} bytes; at most ${MAX_BATCH_BYTES} allowed`)
  return bytes
}

/**
 * Splits encoded groups, in order, into as few messages as the limits allow (each ≤
 * `MAX_BATCH_GROUPS` groups and ≤ `MAX_BATCH_BYTES`), each encoded with `encodeRolloutBatch`.
 */
export function packRolloutBatches (groups: readonly Uint8Array[]): Uint8Array[] {
  const out: Uint8Array[] = []
  let current: Uint8Array[] = []
  let size = BATCH_OVERHEAD_BYTES
  for (const g of groups) {
    const add = g.length + ENTRY_OVERHEAD_BYTES
    if (current.length > 0 && (current.length === MAX_BATCH_GROUPS || size + add > MAX_BATCH_BYTES)) {
      out.push(encodeRolloutBatch(current))
      current = []
      size = BATCH_OVERHEAD_BYTES
    }
    current.push(g)
    size += add
  }
  if (current.length > 0) out.push(encodeRolloutBatch(current))
  return out
}

/**
 * Decodes an untrusted message into its groups' bytes (views into `bytes`, not decoded);
 * any violation throws `RolloutDecodeError`: `batch-bytes`, `batch-groups` (none or too many),
 * `bytes` (an entry over `MAX_GROUP_BYTES`), `malformed`, `protocol-version`.
 */
export function decodeRolloutBatch (bytes: Uint8Array): Uint8Array[] {
  if (!(bytes instanceof Uint8Array)) throw new RolloutDecodeError('malformed', 'input must be a Uint8Array')
  if (bytes.length > MAX_BATCH_BYTES) throw new RolloutDecodeError('batch-bytes', `message is ${bytes.length} bytes; at most ${MAX_BATCH_BYTES} allowed`)
  let wire: WireRolloutBatch
  try {
    wire = WireRolloutBatch.decode(bytes, { limits: { groups: MAX_BATCH_GROUPS } })
  } catch (err) {
    if (err instanceof MaxLengthError) throw new RolloutDecodeError('batch-groups', `more than ${MAX_BATCH_GROUPS} groups`, { cause: err })
    throw new RolloutDecodeError('malformed', 'not a RolloutBatch protobuf', { cause: err })
  }
  if (wire.protocolVersion !== PROTOCOL_VERSION) {
    throw new RolloutDecodeError('protocol-version', `the sender speaks rollout protocol v${wire.protocolVersion}; this node speaks v${PROTOCOL_VERSION} (upgrade the older node)`)
  }
  if (wire.groups.length === 0) throw new RolloutDecodeError('batch-groups', 'a message must hold at least one group')
  wire.groups.forEach((g, i) => {
    if (g.length > MAX_GROUP_BYTES) throw new RolloutDecodeError('bytes', `group ${i} is ${g.length} bytes; at most ${MAX_GROUP_BYTES} allowed`)
  })
  return wire.groups
}

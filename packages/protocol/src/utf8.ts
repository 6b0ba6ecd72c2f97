import { InvalidRolloutError, RolloutDecodeError } from './errors.js'

// Both are stateless for one-shot calls; `fatal` makes invalid UTF-8 throw instead of
// silently becoming U+FFFD, and `ignoreBOM` keeps a leading BOM as text (round-trip exact).
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })
const encoder = new TextEncoder()
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

/** Decodes strict UTF-8; `field` names the wire field in the error. */
export function decodeUtf8 (bytes: Uint8Array, field: string): string {
  try {
    return decoder.decode(bytes)
  } catch (err) {
    throw new RolloutDecodeError('utf8', `${field} is not valid UTF-8`, { cause: err })
  }
}

/** UTF-8 bytes of `text` (for strings already known to be well formed). */
export function encodeUtf8 (text: string): Uint8Array<ArrayBuffer> {
  return encoder.encode(text)
}

/** UTF-8 bytes of a well-formed string of at most `maxBytes`; otherwise an InvalidRolloutError naming `field`. */
export function encodeText (text: unknown, field: string, maxBytes: number): Uint8Array<ArrayBuffer> {
  if (typeof text !== 'string') throw new InvalidRolloutError(field, 'must be a string')
  if (LONE_SURROGATE.test(text)) throw new InvalidRolloutError(field, 'contains a lone UTF-16 surrogate (not encodable as UTF-8)')
  const bytes = encoder.encode(text)
  if (bytes.length > maxBytes) throw new InvalidRolloutError(field, `is ${bytes.length} UTF-8 bytes; at most ${maxBytes} allowed`)
  return bytes
}

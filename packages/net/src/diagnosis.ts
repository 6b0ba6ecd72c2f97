// Why a bootstrap address did not let us in, in words an operator can act on. Dial errors
// from libp2p are walked (cause chains, aggregate errors) and mapped onto a few reasons.
// A different pre-shared key cannot be told from the dial error alone: two keys stall or reset
// at random, and a peer killed or restarted mid-handshake resets too. So a timeout, a reset or
// a garbled handshake is refined by probing the peer's port (pnet-probe.ts): only what the
// peer does there (a pnet nonce we cannot use, a clear handshake while we use a key) names
// the swarm key.
import type { PnetProbe } from './pnet-probe.js'

/** Why one bootstrap address or URL failed. */
export type JoinFailureReason =
  | 'refused' | 'timeout' | 'unreachable' | 'connection-reset' | 'swarm-key' | 'wrong-peer' | 'relay'
  | 'wrong-swarm-id' | 'wrong-protocol-version' | 'not-murmur' | 'http' | 'bad-list' | 'no-peers' | 'error'

/** Outcome of one address (or URL) tried while joining. */
export interface JoinAttempt {
  /** The multiaddr or URL tried. */
  address: string
  ok: boolean
  reason?: JoinFailureReason
  /** Detail: the peer's swarm id or version, the HTTP status, the error text. */
  detail?: string
}

const REASON_TEXT: Record<JoinFailureReason, string> = {
  refused: 'connection refused (nothing listening there)',
  timeout: 'timeout (no answer; firewall, wrong address, or host down)',
  unreachable: 'network unreachable',
  'connection-reset': 'the peer closed the connection during the handshake: it may have restarted or be overloaded; retrying',
  'swarm-key': 'secure handshake failed: wrong swarm key',
  'wrong-peer': 'a different peer answers at that address (its peer id changed)',
  relay: 'the relay could not connect us (the peer\'s reservation may have lapsed)',
  'wrong-swarm-id': 'wrong swarm id',
  'wrong-protocol-version': 'wrong protocol version',
  'not-murmur': 'not a murmur peer',
  http: 'HTTP request failed',
  'bad-list': 'not a murmur bootstrap list',
  'no-peers': 'list holds no peers',
  error: 'failed'
}

/** One attempt as text: `<address>: <reason> (<detail>)`. */
export function formatAttempt (a: JoinAttempt): string {
  if (a.ok) return `${a.address}: ok`
  const reason = a.reason ?? 'error'
  return `${a.address}: ${REASON_TEXT[reason]}${a.detail === undefined ? '' : ` (${a.detail})`}`
}

/** The one-line diagnosis printed when no bootstrap address let us in. */
export function formatDiagnosis (swarmId: string, attempts: readonly JoinAttempt[]): string {
  if (attempts.length === 0) return `cannot join swarm "${swarmId}": no bootstrap addresses or URLs configured (set them in the swarm file or with --net-bootstrap)`
  return `cannot join swarm "${swarmId}": ${attempts.map(formatAttempt).join('; ')}`
}

function errorChain (err: unknown): Array<{ name?: string, code?: string, message?: string }> {
  const out: Array<{ name?: string, code?: string, message?: string }> = []
  const seen = new Set<unknown>()
  const walk = (e: unknown): void => {
    if (e == null || typeof e !== 'object' || seen.has(e) || out.length > 16) return
    seen.add(e)
    const x = e as { name?: string, code?: string, message?: string, cause?: unknown, errors?: unknown[] }
    out.push({ name: x.name, code: typeof x.code === 'string' ? x.code : undefined, message: x.message })
    walk(x.cause)
    if (Array.isArray(x.errors)) for (const inner of x.errors) walk(inner)
  }
  walk(err)
  return out
}

/** Maps a libp2p dial error onto a reason; a timeout, reset or garbled handshake is refined by `refineWithProbe`. */
export function classifyDialError (err: unknown): { reason: JoinFailureReason, detail: string } {
  const chain = errorChain(err)
  const text = chain.map(e => `${e.name ?? ''} ${e.code ?? ''} ${e.message ?? ''}`).join(' | ')
  const detail = chain.find(e => e.message !== undefined && e.message !== '')?.message ?? String(err)
  if (/ECONNREFUSED/.test(text)) return { reason: 'refused', detail: 'ECONNREFUSED' }
  if (/EHOSTUNREACH|ENETUNREACH|EADDRNOTAVAIL/.test(text)) return { reason: 'unreachable', detail: /EHOSTUNREACH/.test(text) ? 'EHOSTUNREACH' : 'ENETUNREACH' }
  if (/does not match expected remote identity|UnexpectedPeer/i.test(text)) return { reason: 'wrong-peer', detail: detail.slice(0, 160) }
  if (/TimeoutError|AbortError|ETIMEDOUT|timed out|aborted/i.test(text)) return { reason: 'timeout', detail: 'no answer' }
  // Bytes that do not parse: what a peer with another pre-shared key sends (or not libp2p at all).
  if (/InvalidCryptoExchange|Missing newline|length too long/i.test(text)) return { reason: 'swarm-key', detail: detail.slice(0, 120) }
  // The peer hung up: it died, restarted or shed load (a pnet mismatch may look the same: probed).
  // A bare 'Encryption failed' is libp2p's wrapper around a handshake stream that just ended.
  const ended = chain.some(e => e.name === 'EncryptionFailedError' && e.message === 'Encryption failed')
  if (ended || /ECONNRESET|EPIPE|ECONNABORTED|unexpected end|end of (input|stream)/i.test(text)) return { reason: 'connection-reset', detail: detail.slice(0, 120) }
  return { reason: 'error', detail: detail.slice(0, 160) }
}

/** Reasons whose cause a probe of the peer's port can tell (see `refineWithProbe`). */
export const PROBED_REASONS: ReadonlySet<JoinFailureReason> = new Set(['timeout', 'connection-reset', 'swarm-key', 'error'])

/** Names the swarm key only when the probe shows a key mismatch; otherwise says what the peer did. */
export function refineWithProbe (failure: { reason: JoinFailureReason, detail: string }, probe: PnetProbe, withPsk: boolean): { reason: JoinFailureReason, detail: string } {
  if (probe === 'pnet') return { reason: 'swarm-key', detail: 'the peer uses a swarm key (pre-shared key), we have none' }
  if (probe === 'other-key') return { reason: 'swarm-key', detail: 'the peer uses another swarm key' }
  if (probe === 'plain' && withPsk) return { reason: 'swarm-key', detail: 'we use a swarm key, the peer uses none' }
  const { reason } = failure
  if (probe === 'down') {
    return reason === 'timeout' ? failure : { reason: 'connection-reset', detail: 'it no longer accepts connections: stopped or restarting' }
  }
  if (probe === 'silent') {
    return reason === 'timeout' ? { reason, detail: 'TCP connects, nothing answers: not a libp2p peer, or badly overloaded' } : failure
  }
  // The peer answered the probe's handshake with our key (or none, like us): the key is right.
  if (reason === 'timeout') return { reason, detail: 'the peer answers but the handshake did not finish in time: it may be overloaded' }
  if (reason === 'swarm-key') return { reason: 'error', detail: `handshake failed, swarm keys match: ${failure.detail}` }
  return failure
}

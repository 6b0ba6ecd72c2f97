// Why a bootstrap address did not let us in, in words an operator can act on. Dial errors
// from libp2p are walked (cause chains, aggregate errors) and mapped onto a few reasons.
// A different pre-shared key cannot be told apart on the wire: both sides wait for a
// handshake that never completes. So a timeout is probed once more with a plain TCP connect:
// if that succeeds, something is listening and the secure handshake is what failed.
import { connect } from 'node:net'

/** Why one bootstrap address or URL failed. */
export type JoinFailureReason =
  | 'refused' | 'timeout' | 'unreachable' | 'swarm-key' | 'wrong-peer' | 'relay'
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
  'swarm-key': 'secure handshake failed: wrong swarm key (the peer uses another pre-shared key, or none)',
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

/** Maps a libp2p dial error onto a reason; `'timeout'` may still be a wrong swarm key (see `probeTcp`). */
export function classifyDialError (err: unknown): { reason: JoinFailureReason, detail: string } {
  const chain = errorChain(err)
  const text = chain.map(e => `${e.name ?? ''} ${e.code ?? ''} ${e.message ?? ''}`).join(' | ')
  const detail = chain.find(e => e.message !== undefined && e.message !== '')?.message ?? String(err)
  if (/ECONNREFUSED/.test(text)) return { reason: 'refused', detail: 'ECONNREFUSED' }
  if (/EHOSTUNREACH|ENETUNREACH|EADDRNOTAVAIL/.test(text)) return { reason: 'unreachable', detail: /EHOSTUNREACH/.test(text) ? 'EHOSTUNREACH' : 'ENETUNREACH' }
  if (/does not match expected remote identity|UnexpectedPeer/i.test(text)) return { reason: 'wrong-peer', detail: detail.slice(0, 160) }
  if (/TimeoutError|AbortError|ETIMEDOUT|timed out|aborted/i.test(text)) return { reason: 'timeout', detail: 'no answer' }
  if (/EncryptionFailed|ECONNRESET|EPIPE|InvalidCryptoExchange|Missing newline|length too long/i.test(text)) return { reason: 'swarm-key', detail: detail.slice(0, 120) }
  return { reason: 'error', detail: detail.slice(0, 160) }
}

/** True when a plain TCP connection to host:port opens within `timeoutMs`. */
export async function probeTcp (host: string, port: number, timeoutMs: number): Promise<boolean> {
  return await new Promise(resolve => {
    const socket = connect({ host, port })
    const done = (ok: boolean): void => { clearTimeout(timer); socket.destroy(); resolve(ok) }
    const timer = setTimeout(() => { done(false) }, timeoutMs)
    socket.once('connect', () => { done(true) })
    socket.once('error', () => { done(false) })
  })
}

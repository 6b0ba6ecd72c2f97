// Replay protection and dedupe across origins. gossipsub remembers message ids for its seen-cache
// TTL (2 minutes by default), but a group stays acceptable for its whole age window (30 minutes
// plus clock skew), and the same content re-signed by another key is a new message to gossipsub.
// This guard remembers the content of every accepted group (a hash of the task reference and the
// sorted completions, independent of the signer, the timestamp and the advisory fields) for the
// acceptance window, so a replay or a re-signed copy is ignored however late it comes. Memory is
// bounded: beyond `maxEntries` the oldest entries are evicted, and from then on a group created
// no later than the newest evicted one is refused as possibly seen ('replay-horizon') rather
// than accepted twice.
import { createHash } from 'node:crypto'
import type { RolloutGroup } from '@murmur/protocol'

/** A signer-independent key of a group's content: task reference and completions (order-free). */
export function groupContentKey (group: Pick<RolloutGroup, 'task' | 'completions'>): string {
  const t = group.task
  const params = Object.keys(t.params).sort().map(k => [k, t.params[k]])
  const h = createHash('sha256').update(JSON.stringify([t.family, t.version, t.seed, params]))
  // length-prefixed, so that no two lists of completions feed the same bytes
  for (const c of [...group.completions].sort()) h.update(`\n${c.length}:`).update(c)
  return h.digest('base64url').slice(0, 22)
}

/** Options of `ReplayGuard`. */
export interface ReplayGuardInit {
  /** How long an accepted content is remembered, ms: the acceptance window (max age + future skew). */
  windowMs: number
  /** Most contents remembered at once. */
  maxEntries: number
  now?: () => number
}

interface Seen { until: number, createdAt: number }

/** Why `ReplayGuard.check` refused a group. */
export type ReplayReason = 'duplicate' | 'replay-horizon'

/** A bounded, time-limited set of accepted group contents. */
export class ReplayGuard {
  private readonly seen = new Map<string, Seen>()
  private horizon = Number.NEGATIVE_INFINITY
  private readonly now: () => number

  constructor (private readonly init: ReplayGuardInit) {
    this.now = init.now ?? Date.now
  }

  /** Number of contents remembered. */
  get size (): number { return this.seen.size }

  /** Why a group with this content key and creation time must not be accepted again, or undefined. */
  check (key: string, createdAt: number): ReplayReason | undefined {
    this.expire()
    if (this.seen.has(key)) return 'duplicate'
    if (createdAt <= this.horizon) return 'replay-horizon'
    return undefined
  }

  /** Remembers an accepted group's content for the acceptance window. */
  remember (key: string, createdAt: number): void {
    const t = this.now()
    this.seen.set(key, { until: t + this.init.windowMs, createdAt })
    while (this.seen.size > this.init.maxEntries) {
      const [oldest, s] = this.seen.entries().next().value as [string, Seen]
      this.seen.delete(oldest)
      // A future-dated entry must not push the horizon past its arrival (it would refuse fresh groups).
      this.horizon = Math.max(this.horizon, Math.min(s.createdAt, s.until - this.init.windowMs))
    }
  }

  /** Forgets everything. */
  clear (): void {
    this.seen.clear()
    this.horizon = Number.NEGATIVE_INFINITY
  }

  private expire (): void {
    const t = this.now()
    // Entries are inserted in arrival order with one window, so they expire in that order.
    for (const [key, s] of this.seen) {
      if (s.until > t) break
      this.seen.delete(key)
    }
  }
}

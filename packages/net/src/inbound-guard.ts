// What happens to a message between gossipsub and the application, apart from protocol
// validation: the local graylist, dedupe across origins and replay protection, the per-origin
// and per-neighbour limits, and the verdict counters (per neighbour and per reason). The host
// asks `blocked` before validating and `admit` after a message validated; every verdict goes
// through `record`, which also feeds the neighbour's reputation. `penalty` is what gossipsub's
// application-specific score subtracts.
import type { RolloutGroup } from '@murmur/protocol'
import { MAX_TRACKED_PEERS, NEW_ORIGIN_WASTE_WEIGHT } from './constants.js'
import { FloodControl, LruMap } from './limits.js'
import { NeighbourLimits } from './neighbour-limits.js'
import { ReplayGuard, groupContentKey } from './replay-guard.js'

/**
 * Verdict counts for what one neighbour sent, in groups; a verdict on a whole message that was
 * not read group by group (rejected, dropped, unsigned, own-origin) counts once.
 */
export interface PeerStats {
  accepted: number
  /** Dropped by validation (unknown task, stale, …) or as a duplicate, replay or own-origin copy: no invalid-message penalty, but it counts as the neighbour's waste. */
  ignored: number
  /** Provably invalid; the sender was penalized. */
  rejected: number
  /** Valid but over a limit: the origin's rate, the neighbour's rate or its new-origin cap. */
  throttled: number
  /** Not validated: the neighbour's inbound FIFO was full, or the neighbour is graylisted. */
  dropped: number
}

/** A verdict on inbound groups or a message. */
export type Verdict = keyof PeerStats

/** Options of `InboundGuard`. */
export interface InboundGuardInit {
  /** Per-origin token bucket. */
  origin: { groupsPerSecond: number, burst: number }
  /** Per-neighbour token buckets. */
  neighbour: { groupsPerSecond: number, burst: number, newOriginsPerMinute: number, newOriginBurst: number }
  /** Replay protection: window (ms) and bound. */
  replay: { windowMs: number, maxEntries: number }
  now?: () => number
}

/** Reason of a drop because the neighbour is blocked. */
export const GRAYLISTED = 'graylisted'

/** Reason of a throttle by the neighbour's new-origin cap. */
export const NEW_ORIGIN = 'new-origin'

/** Why `admit` refused a valid group, and the verdict that counts it. */
export interface Refusal { verdict: 'ignored' | 'throttled', reason: string }

/** Per-origin and per-neighbour limits, replay protection and the verdict counters. */
export class InboundGuard {
  private readonly origins: FloodControl
  private readonly neighbours: NeighbourLimits
  private readonly replay: ReplayGuard
  private readonly perPeer = new LruMap<PeerStats>(MAX_TRACKED_PEERS)
  private readonly totals = emptyStats()
  private readonly reasons = new Map<string, number>()

  constructor (init: InboundGuardInit) {
    const now = init.now
    this.origins = new FloodControl({ ratePerSecond: init.origin.groupsPerSecond, burst: init.origin.burst, now })
    this.neighbours = new NeighbourLimits({ ...init.neighbour, now })
    this.replay = new ReplayGuard({ ...init.replay, now })
  }

  /** True when messages from `neighbour` are to be dropped unvalidated (it is graylisted locally). */
  blocked (neighbour: string): boolean { return this.neighbours.blocked(neighbour) }

  /**
   * Decides on the usable groups of one message (one origin's batch) that passed validation, all
   * or none, as the message is forwarded whole: undefined to accept them (and remember them as
   * accepted), or the refusal. Checks, in order: replay and cross-origin duplicates (also within
   * the batch), the neighbour's new-origin cap, the origin's rate, the neighbour's rate — the
   * rates counted in groups.
   */
  admit (groups: readonly RolloutGroup[], from: string, via: string): Refusal | undefined {
    const keys = groups.map(groupContentKey)
    for (let i = 0; i < groups.length; i++) {
      const replay = this.replay.check(keys[i], groups[i].createdAt) ?? (keys.indexOf(keys[i]) < i ? 'duplicate' : undefined)
      if (replay !== undefined) return { verdict: 'ignored', reason: replay }
    }
    if (!this.neighbours.knows(from) && !this.neighbours.takeNewOrigin(via)) return { verdict: 'throttled', reason: NEW_ORIGIN }
    if (!this.origins.take(from, groups.length)) return { verdict: 'throttled', reason: 'origin-rate' }
    if (!this.neighbours.takeGroups(via, groups.length)) return { verdict: 'throttled', reason: 'neighbour-rate' }
    groups.forEach((g, i) => this.replay.remember(keys[i], g.createdAt))
    this.neighbours.accepted(via, from, groups.length)
    return undefined
  }

  /** Remembers a group this host published, so that a copy under another origin is a duplicate. */
  remember (group: RolloutGroup): void { this.replay.remember(groupContentKey(group), group.createdAt) }

  /** Counts a verdict on `count` groups (or one message) from neighbour `via` and updates its reputation. */
  record (via: string, verdict: Verdict, reason: string, count = 1): void {
    const s = this.perPeer.get(via) ?? emptyStats()
    s[verdict] += count
    this.perPeer.set(via, s)
    this.totals[verdict] += count
    if (verdict !== 'accepted') this.reasons.set(reason, (this.reasons.get(reason) ?? 0) + count)
    if (verdict === 'rejected') this.neighbours.rejected(via)
    // Drops of a blocked neighbour are no new evidence: counting them would keep an honest relay
    // that was blocked while we were overloaded blocked for as long as it keeps relaying.
    else if (verdict !== 'accepted' && reason !== GRAYLISTED) this.neighbours.wasted(via, (reason === NEW_ORIGIN ? NEW_ORIGIN_WASTE_WEIGHT : 1) * count)
  }

  /** The application-specific penalty of a peer (≥ 0): as an origin that flooded plus as a neighbour. */
  penalty (peer: string): number { return this.origins.penalty(peer) + this.neighbours.penalty(peer) }

  /** Snapshot of the counters: per neighbour (most recent `MAX_TRACKED_PEERS`), totals, and refusals per reason. */
  stats (): { peers: Record<string, PeerStats>, totals: PeerStats, reasons: Record<string, number> } {
    const peers: Record<string, PeerStats> = {}
    for (const [id, s] of this.perPeer.entries()) peers[id] = { ...s }
    return { peers, totals: { ...this.totals }, reasons: Object.fromEntries(this.reasons) }
  }

  /** Forgets limits and reputations; the counters and the replay memory outlive a restart of the host. */
  clear (): void {
    this.origins.clear()
    this.neighbours.clear()
  }
}

function emptyStats (): PeerStats {
  return { accepted: 0, ignored: 0, rejected: 0, throttled: 0, dropped: 0 }
}

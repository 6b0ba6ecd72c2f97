// Limits and reputation per neighbour: the connection that delivered a message, as opposed to
// its signed origin. Origins are free (a fresh key per group), so per-origin limits alone let one
// connection decide what a node trains on; these bound what any one neighbour can make us accept:
// a token bucket on accepted groups, a token bucket on origins it introduces (origins this host
// has not accepted a group from before), and a decaying tally of its messages that were ignored,
// throttled or dropped net of the accepted ones. Past a grace, that tally becomes a penalty in
// gossipsub's application-specific score, so a neighbour whose traffic is mostly useless loses
// score and, past the graylist threshold, is no longer heard. Rejects are tallied like
// gossipsub's invalid-message counter; a neighbour past the graylist count, or whose waste
// penalty alone reaches the graylist threshold, is blocked locally at once (its messages are
// dropped unvalidated, queued ones included), without waiting for gossipsub's score refresh.
import {
  BLOCKED_NEIGHBOUR_PENALTY, GRAYLIST_REJECTS, MAX_PENALTY, MAX_TRACKED_PEERS, NEIGHBOUR_GOOD_CAP, NEIGHBOUR_GRACE,
  NEIGHBOUR_PENALTY_PER_BAD, PENALTY_HALF_LIFE_MS, REJECT_HALF_LIFE_MS, SCORE_THRESHOLDS
} from './constants.js'
import { DecayingCounters, LruMap, TokenBuckets } from './limits.js'

/** Options of `NeighbourLimits`. */
export interface NeighbourLimitsInit {
  /** Accepted groups per neighbour per second (sustained). */
  groupsPerSecond: number
  /** Accepted groups per neighbour in a burst. */
  burst: number
  /** New origins one neighbour may introduce per minute (sustained). */
  newOriginsPerMinute: number
  /** New origins one neighbour may introduce in a burst. */
  newOriginBurst: number
  maxPeers?: number
  now?: () => number
}

/** Rate limits, new-origin caps and reputation per neighbour. */
export class NeighbourLimits {
  private readonly rate: TokenBuckets
  private readonly newOrigins: TokenBuckets
  private readonly knownOrigins: LruMap<true>
  private readonly bad: DecayingCounters
  private readonly good: DecayingCounters
  private readonly rejects: DecayingCounters

  constructor (init: NeighbourLimitsInit) {
    const maxKeys = init.maxPeers ?? MAX_TRACKED_PEERS
    const now = init.now
    this.rate = new TokenBuckets({ ratePerSecond: init.groupsPerSecond, burst: init.burst, maxKeys, now })
    this.newOrigins = new TokenBuckets({ ratePerSecond: init.newOriginsPerMinute / 60, burst: init.newOriginBurst, maxKeys, now })
    this.knownOrigins = new LruMap(maxKeys)
    const cap = NEIGHBOUR_GRACE + MAX_PENALTY / NEIGHBOUR_PENALTY_PER_BAD
    this.bad = new DecayingCounters({ halfLifeMs: PENALTY_HALF_LIFE_MS, max: cap, maxKeys, now })
    // Credit for accepted groups is capped low: a neighbour cannot bank good behaviour to pay for a flood later.
    this.good = new DecayingCounters({ halfLifeMs: PENALTY_HALF_LIFE_MS, max: NEIGHBOUR_GOOD_CAP, maxKeys, now })
    this.rejects = new DecayingCounters({ halfLifeMs: REJECT_HALF_LIFE_MS, maxKeys, now })
  }

  /** True while `neighbour`'s recent rejects or wasted messages put it past the graylist threshold. */
  blocked (neighbour: string): boolean {
    return this.rejects.get(neighbour) >= GRAYLIST_REJECTS || this.wastePenalty(neighbour) >= -SCORE_THRESHOLDS.graylistThreshold
  }

  /** True once a group from `origin` was accepted (within the bounded memory of origins). */
  knows (origin: string): boolean { return this.knownOrigins.get(origin) !== undefined }

  /** Takes a new-origin token of `neighbour`; false when it introduced too many origins lately. */
  takeNewOrigin (neighbour: string): boolean { return this.newOrigins.take(neighbour) }

  /** Takes `count` accepted-group tokens of `neighbour` (all or none); false when it is over its rate. */
  takeGroups (neighbour: string, count = 1): boolean { return this.rate.take(neighbour, count) }

  /** Records `count` accepted groups from `origin` via `neighbour`. */
  accepted (neighbour: string, origin: string, count = 1): void {
    this.good.add(neighbour, count)
    this.knownOrigins.set(origin, true)
  }

  /** Records a message from `neighbour` that was ignored, throttled or dropped, weighted by `weight`. */
  wasted (neighbour: string, weight = 1): void { this.bad.add(neighbour, weight) }

  /** Records a rejected (provably invalid) message from `neighbour`. */
  rejected (neighbour: string): void { this.rejects.add(neighbour) }

  /** Current penalty of `neighbour` (≥ 0, score units); a blocked neighbour's is past the graylist threshold whatever its topic score. */
  penalty (neighbour: string): number {
    return Math.min(MAX_PENALTY, this.wastePenalty(neighbour) + (this.blocked(neighbour) ? BLOCKED_NEIGHBOUR_PENALTY : 0))
  }

  private wastePenalty (neighbour: string): number {
    return Math.max(0, this.bad.get(neighbour) - this.good.get(neighbour) - NEIGHBOUR_GRACE) * NEIGHBOUR_PENALTY_PER_BAD
  }

  /** Forgets all state. */
  clear (): void {
    for (const m of [this.rate, this.newOrigins, this.knownOrigins, this.bad, this.good, this.rejects]) m.clear()
  }
}

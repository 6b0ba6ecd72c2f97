// Per-origin flood control. A token bucket per origin peer bounds the groups accepted from it;
// every group over the bucket is ignored and adds to a decaying penalty that feeds gossipsub's
// application-specific score, so a flooder's score drops and, past the thresholds, gossipsub
// stops talking to it. Both maps are bounded (least recently used entries are evicted).
import { MAX_PENALTY, MAX_TRACKED_PEERS, PENALTY_HALF_LIFE_MS, PENALTY_PER_THROTTLED } from './constants.js'

/** A Map bounded to `max` entries, evicting the least recently used one. */
export class LruMap<V> {
  private readonly map = new Map<string, V>()
  constructor (private readonly max: number) {}

  /** The value for `key`, marking it recently used. */
  get (key: string): V | undefined {
    const v = this.map.get(key)
    if (v !== undefined) {
      this.map.delete(key)
      this.map.set(key, v)
    }
    return v
  }

  /** Stores `value`, evicting the oldest entry when full. */
  set (key: string, value: V): void {
    this.map.delete(key)
    this.map.set(key, value)
    if (this.map.size > this.max) {
      const oldest = this.map.keys().next().value
      if (oldest !== undefined) this.map.delete(oldest)
    }
  }

  /** Entries, oldest first. */
  entries (): IterableIterator<[string, V]> { return this.map.entries() }

  /** Number of entries. */
  get size (): number { return this.map.size }

  /** Removes everything. */
  clear (): void { this.map.clear() }
}

interface Bucket { tokens: number, at: number }
interface Penalty { value: number, at: number }

/** Options of `FloodControl`. */
export interface FloodControlInit {
  ratePerSecond: number
  burst: number
  maxPeers?: number
  now?: () => number
}

/** Token buckets and decaying penalties per origin peer. */
export class FloodControl {
  private readonly buckets: LruMap<Bucket>
  private readonly penalties: LruMap<Penalty>
  private readonly rate: number
  private readonly burst: number
  private readonly now: () => number

  constructor (init: FloodControlInit) {
    this.rate = init.ratePerSecond
    this.burst = init.burst
    this.now = init.now ?? Date.now
    this.buckets = new LruMap(init.maxPeers ?? MAX_TRACKED_PEERS)
    this.penalties = new LruMap(init.maxPeers ?? MAX_TRACKED_PEERS)
  }

  /** Takes one token for `peer`; false (and a penalty) when its bucket is empty. */
  take (peer: string): boolean {
    const t = this.now()
    const b = this.buckets.get(peer) ?? { tokens: this.burst, at: t }
    b.tokens = Math.min(this.burst, b.tokens + (t - b.at) / 1000 * this.rate)
    b.at = t
    this.buckets.set(peer, b)
    if (b.tokens >= 1) {
      b.tokens -= 1
      return true
    }
    this.penalties.set(peer, { value: Math.min(MAX_PENALTY, this.penalty(peer) + PENALTY_PER_THROTTLED), at: t })
    return false
  }

  /** Current (decayed) penalty of `peer`; 0 for unknown peers. */
  penalty (peer: string): number {
    const p = this.penalties.get(peer)
    if (p === undefined) return 0
    return p.value * 0.5 ** ((this.now() - p.at) / PENALTY_HALF_LIFE_MS)
  }

  /** Forgets all state. */
  clear (): void {
    this.buckets.clear()
    this.penalties.clear()
  }
}

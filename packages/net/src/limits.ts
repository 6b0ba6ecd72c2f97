// Bounded bookkeeping per peer: an LRU map, token buckets and decaying counters, and the
// per-origin flood control built from them. A token bucket per origin peer bounds the groups
// accepted from it; every group over the bucket is ignored and adds to a decaying penalty that
// feeds gossipsub's application-specific score, so a flooder's score drops and, past the
// thresholds, gossipsub stops talking to it. Every map is bounded (least recently used entries
// are evicted).
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
interface Decaying { value: number, at: number }

/** Options of `TokenBuckets`. */
export interface TokenBucketsInit {
  /** Tokens added per second. */
  ratePerSecond: number
  /** Bucket size (and the initial fill). */
  burst: number
  /** Most keys remembered (LRU beyond). Default `MAX_TRACKED_PEERS`. */
  maxKeys?: number
  now?: () => number
}

/** One token bucket per key, bounded in the number of keys. */
export class TokenBuckets {
  private readonly buckets: LruMap<Bucket>
  private readonly now: () => number

  constructor (private readonly init: TokenBucketsInit) {
    this.now = init.now ?? Date.now
    this.buckets = new LruMap(init.maxKeys ?? MAX_TRACKED_PEERS)
  }

  /** Takes `count` tokens for `key` (all or none); false when its bucket holds fewer. */
  take (key: string, count = 1): boolean {
    const t = this.now()
    const b = this.buckets.get(key) ?? { tokens: this.init.burst, at: t }
    b.tokens = Math.min(this.init.burst, b.tokens + (t - b.at) / 1000 * this.init.ratePerSecond)
    b.at = t
    this.buckets.set(key, b)
    if (b.tokens < count) return false
    b.tokens -= count
    return true
  }

  /** Forgets all buckets. */
  clear (): void { this.buckets.clear() }
}

/** Options of `DecayingCounters`. */
export interface DecayingCountersInit {
  /** Time for a counter to halve, ms. */
  halfLifeMs: number
  /** Largest value a counter reaches. Default: unbounded. */
  max?: number
  /** Most keys remembered (LRU beyond). Default `MAX_TRACKED_PEERS`. */
  maxKeys?: number
  now?: () => number
}

/** Exponentially decaying counters per key, bounded in the number of keys. */
export class DecayingCounters {
  private readonly values: LruMap<Decaying>
  private readonly now: () => number

  constructor (private readonly init: DecayingCountersInit) {
    this.now = init.now ?? Date.now
    this.values = new LruMap(init.maxKeys ?? MAX_TRACKED_PEERS)
  }

  /** Adds `amount` to `key`'s counter; returns the new value. */
  add (key: string, amount = 1): number {
    const value = Math.min(this.init.max ?? Number.POSITIVE_INFINITY, this.get(key) + amount)
    this.values.set(key, { value, at: this.now() })
    return value
  }

  /** Current (decayed) value for `key`; 0 for unknown keys. */
  get (key: string): number {
    const d = this.values.get(key)
    if (d === undefined) return 0
    return d.value * 0.5 ** ((this.now() - d.at) / this.init.halfLifeMs)
  }

  /** Forgets all counters. */
  clear (): void { this.values.clear() }
}

/** Options of `FloodControl`. */
export interface FloodControlInit {
  ratePerSecond: number
  burst: number
  maxPeers?: number
  now?: () => number
}

/** Token buckets and decaying penalties per origin peer. */
export class FloodControl {
  private readonly buckets: TokenBuckets
  private readonly penalties: DecayingCounters

  constructor (init: FloodControlInit) {
    this.buckets = new TokenBuckets({ ratePerSecond: init.ratePerSecond, burst: init.burst, maxKeys: init.maxPeers, now: init.now })
    this.penalties = new DecayingCounters({ halfLifeMs: PENALTY_HALF_LIFE_MS, max: MAX_PENALTY, maxKeys: init.maxPeers, now: init.now })
  }

  /** Takes `count` tokens for `peer` (all or none); false (and a penalty per token) when its bucket holds fewer. */
  take (peer: string, count = 1): boolean {
    if (this.buckets.take(peer, count)) return true
    this.penalties.add(peer, PENALTY_PER_THROTTLED * count)
    return false
  }

  /** Current (decayed) penalty of `peer`; 0 for unknown peers. */
  penalty (peer: string): number { return this.penalties.get(peer) }

  /** Forgets all state. */
  clear (): void {
    this.buckets.clear()
    this.penalties.clear()
  }
}

/**
 * Staleness of peer groups without a global clock (spec/algorithms.md §1.1): each producer's
 * groups carry its policy version (optimizer steps); a receiver remembers the newest version it
 * has seen from each producer and keeps only groups with v ≥ v_max(producer) − S.
 */

/** Newest policy version seen per producer; bounded (least recently updated producers are forgotten first). */
export interface ProducerClock {
  /** Records a group of `producer` at `version`. */
  observe(producer: string, version: number): void
  /** Newest version seen from `producer`, or undefined. */
  newest(producer: string): number | undefined
  /** How many versions behind the producer's newest a group at `version` is (0 for unknown producers). */
  age(producer: string, version: number): number
  /** Producers remembered. */
  size(): number
}

/** Default staleness bound S: peer groups more than S policy versions behind their producer's newest are evicted (chosen by held-out accuracy over S = 2/8/64 × 4 seeds; docs/results.md §0.4). */
export const DEFAULT_MAX_STALENESS = 8

/** Default number of producers remembered. */
export const DEFAULT_MAX_PRODUCERS = 4096

/** Creates an empty clock remembering at most `maxProducers` producers. */
export function createProducerClock (maxProducers = DEFAULT_MAX_PRODUCERS): ProducerClock {
  const newest = new Map<string, number>()
  return {
    observe (producer, version) {
      if (!Number.isInteger(version) || version < 0) return
      const prev = newest.get(producer)
      newest.delete(producer)
      newest.set(producer, prev === undefined ? version : Math.max(prev, version))
      if (newest.size > maxProducers) newest.delete(newest.keys().next().value as string)
    },
    newest: producer => newest.get(producer),
    age (producer, version) {
      const v = newest.get(producer)
      return v === undefined ? 0 : Math.max(0, v - version)
    },
    size: () => newest.size
  }
}

/** True when a group at `version` from `producer` is more than `bound` versions behind the producer's newest. */
export function isStale (clock: ProducerClock, producer: string, version: number, bound: number): boolean {
  return clock.age(producer, version) > bound
}

/** Median of a list (NaN when empty). */
export function median (values: readonly number[]): number {
  if (values.length === 0) return Number.NaN
  const s = [...values].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2
}

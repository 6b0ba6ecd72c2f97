/**
 * Per-producer accounting of peer groups and producer-first sampling (the training-side defence
 * against poisoning and Sybil floods; docs/design.md, "Trust model").
 *
 * Every peer group is observed once, when the node first re-scores it locally:
 *  - agreement a = 1 − max over completions |producer's advisory score − local score| (0 when the
 *    producer sent a different number of scores): one completion the producer over-claims is
 *    enough to make the group disagree;
 *  - admissible fraction f = share of completions the local policy could have emitted (within its
 *    own token limit and the task's answer format; peer-credit.ts);
 *  - useful u = 1 when the local scores are not all equal (the group survives zero-advantage
 *    filtering), else 0.
 * Trust rule: two exponential moving averages per producer, honesty h ← h + rate·(a·f − h) and
 * usefulness v ← v + rate·(u − v), both starting at `PRIOR` for a producer never seen; the
 * producer's weight is max(floor, h) · (½ + ½·v). A producer caught over-claiming falls towards
 * the floor within a few groups; it keeps being sampled at the floor's rate, and every honest,
 * useful group it sends afterwards moves it back up by `rate` of the remaining distance (after n
 * such groups its honesty is 1 − (1 − rate)^n · (1 − h)). Weights live in memory: a restart
 * starts every producer at the prior again.
 */
import type { RandomSource } from '@murmur/store'

/** Honesty and usefulness of a producer never observed. */
export const PRIOR = 0.5

/** Settings of the trust rule (the node config's `trust.*` keys). */
export interface TrustSettings {
  /** EMA step per observed group, in (0, 1]. */
  rate: number
  /** Lowest honesty weight, in [0, 1]: a distrusted producer is still sampled (so it can recover). */
  floor: number
  /** Most of the J peer groups of a round one producer may supply, as a share of J (at least one group). */
  maxShare: number
}

/** What the node learned from one peer group on its first local re-score. */
export interface GroupObservation {
  /** 1 − max |advisory − local| over completions; 0 when the counts differ. */
  agreement: number
  /** Share of completions within the local limits and answer format. */
  admissible: number
  /** True when the local scores are not all equal. */
  useful: boolean
}

/** One producer's record. */
export interface ProducerRecord {
  honesty: number
  usefulness: number
  /** Groups observed. */
  groups: number
  /** Observed groups that survived zero-advantage filtering. */
  usefulGroups: number
}

/** Per-producer trust: observations in, weights and capped producer-first draws out. */
export interface ProducerTrust {
  /** Records one observed group of `producer`. */
  observe(producer: string, observation: GroupObservation): void
  /** The producer's sampling weight in [floor·½, 1] (the prior's weight for unknown producers). */
  weight(producer: string): number
  /** The producer's record, if it was ever observed. */
  record(producer: string): Readonly<ProducerRecord> | undefined
  /** Most groups one producer may supply out of `count`. */
  cap(count: number): number
  /**
   * Draws up to `count` distinct items producer-first: pick a producer with probability
   * proportional to its weight among those with items left and under the cap, then one of its
   * items uniformly. Never mutates `items`.
   */
  draw<T>(items: readonly T[], count: number, producerOf: (item: T) => string, rng: RandomSource): T[]
}

/** Agreement of a producer's advisory scores with the local ones (see the module comment). */
export function agreement (advisory: readonly number[], local: readonly number[]): number {
  if (advisory.length !== local.length) return 0
  let worst = 0
  for (let i = 0; i < local.length; i++) {
    const claimed = Number.isFinite(advisory[i]) ? Math.min(1, Math.max(0, advisory[i])) : 1
    worst = Math.max(worst, Math.abs(claimed - local[i]))
  }
  return 1 - worst
}

/** Creates the per-producer accounting with the given rule settings. */
export function producerTrust (settings: TrustSettings): ProducerTrust {
  const { rate, floor, maxShare } = settings
  const records = new Map<string, ProducerRecord>()
  const weight = (producer: string): number => {
    const r = records.get(producer)
    const honesty = r?.honesty ?? PRIOR
    const usefulness = r?.usefulness ?? PRIOR
    return Math.max(floor, honesty) * (0.5 + 0.5 * usefulness)
  }
  const cap = (count: number): number => Math.max(1, Math.floor(maxShare * count))
  return {
    observe (producer, o) {
      const r = records.get(producer) ?? { honesty: PRIOR, usefulness: PRIOR, groups: 0, usefulGroups: 0 }
      const honest = Math.min(1, Math.max(0, o.agreement)) * Math.min(1, Math.max(0, o.admissible))
      r.honesty += rate * (honest - r.honesty)
      r.usefulness += rate * ((o.useful ? 1 : 0) - r.usefulness)
      r.groups++
      if (o.useful) r.usefulGroups++
      records.set(producer, r)
    },
    weight,
    record: producer => records.get(producer),
    cap,
    draw<T> (items: readonly T[], count: number, producerOf: (item: T) => string, rng: RandomSource): T[] {
      const next = typeof rng === 'function' ? rng : () => rng.nextFloat()
      const byProducer = new Map<string, T[]>()
      for (const item of items) {
        const p = producerOf(item)
        const list = byProducer.get(p)
        if (list === undefined) byProducer.set(p, [item])
        else list.push(item)
      }
      const limit = cap(count)
      const taken = new Map<string, number>()
      // Producers in first-seen order, so the draw depends only on `items` and `rng`.
      const producers = [...byProducer.keys()]
      const out: T[] = []
      while (out.length < count) {
        const open = producers.filter(p => (byProducer.get(p)?.length ?? 0) > 0 && (taken.get(p) ?? 0) < limit)
        if (open.length === 0) break
        const weights = open.map(weight)
        let x = next() * weights.reduce((a, b) => a + b, 0)
        let k = 0
        while (k < open.length - 1 && x >= weights[k]) x -= weights[k++]
        const p = open[k]
        const list = byProducer.get(p) as T[]
        const i = Math.min(list.length - 1, Math.floor(next() * list.length))
        out.push(list[i])
        list[i] = list[list.length - 1]
        list.pop()
        taken.set(p, (taken.get(p) ?? 0) + 1)
      }
      return out
    }
  }
}

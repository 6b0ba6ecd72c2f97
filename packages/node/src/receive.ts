/**
 * The receive step of a node, beside the round that consumes it. The swarm's validator has
 * already decoded each peer group once, checked its limits and signature and regenerated its
 * task once (prompt check); here the pool stores the bytes exactly as the producer signed them
 * and the node keeps, in memory, what a round needs of the group (its decoding, its task, its
 * producer). The full local re-score runs once per group, the first time a round samples it, and
 * is cached with the record. Groups the pool holds from before a restart have no record: they
 * are decoded and checked again (never trust storage either) the first time they are sampled.
 *
 * Training-side defence (producer-trust.ts, peer-credit.ts): the local score of a peer completion
 * is 0 unless the local policy could have emitted it (token limit, answer format); each group's
 * first re-score is an observation of its producer; candidates and the J groups a round trains
 * on are drawn producer-first, by trust weight, with a per-producer cap.
 */
import type { AbortOptions } from '@murmur/interface'
import { decodeRolloutGroup, type RolloutGroup } from '@murmur/protocol'
import type { RandomSource, RolloutPool } from '@murmur/store'
import { isDegenerate } from '@murmur/rewards'
import { resolveTask, taskKey, verify, type ResolvedTask } from '@murmur/tasks'
import { peerCredit, type LocalLimits } from './peer-credit.js'
import type { ReceivedGroup } from './ports.js'
import { agreement, producerTrust, type ProducerTrust } from './producer-trust.js'

/** One peer group as the round sees it: what arrived, what was regenerated, its local scores. */
export interface PeerGroup {
  /** Pool entry id (the pool's duplicate key). */
  readonly id: string
  /** Peer id of the signed origin. */
  readonly producer: string
  /** The group as decoded from the signed bytes (the producer's model id, round, timestamps, completions). */
  readonly group: RolloutGroup
  /** The task regenerated locally from `group.task`: its answer is trusted, the producer's scores are not. */
  readonly task: ResolvedTask
  /** Local arrival time (ms since the epoch); undefined for groups restored from the pool after a restart. */
  readonly receivedAt: number | undefined
  /** The local credit of each completion (verifier score, 0 beyond the local limits; computed once, on first sample). */
  readonly verifier: readonly number[]
}

/** Options of `PeerGroups.sample`. */
export interface PeerSampleOptions extends AbortOptions {
  /** Seeded random source of the draw. */
  rng: RandomSource
}

/** The node's peer groups: the pool's bytes plus the in-memory records of what was validated. */
export interface PeerGroups {
  /** Stores a validated group (its signed bytes) and keeps its record; false when the pool already holds it. */
  receive(received: ReceivedGroup, options?: AbortOptions): Promise<boolean>
  /** Peer groups in the pool. */
  available(): number
  /** Up to `count` distinct peer groups drawn producer-first (by trust, capped per producer) from the pool, each scored locally. */
  sample(count: number, options: PeerSampleOptions): Promise<PeerGroup[]>
  /** Up to `count` of `candidates` with non-zero local advantage, drawn producer-first with the per-producer cap. */
  select(candidates: readonly PeerGroup[], count: number, options: PeerSampleOptions): PeerGroup[]
  /** The per-producer accounting. */
  readonly trust: ProducerTrust
  /** Removes groups from the pool (a peer group is trained on once). */
  consume(ids: readonly string[], options?: AbortOptions): Promise<void>
  /** Removes every pooled group for which `stale` holds (`round` is the producer's policy version); returns how many. */
  evict(stale: (meta: { producer: string, round: number }) => boolean, options?: AbortOptions): Promise<number>
}

/** What `peerGroups` needs. */
export interface PeerGroupsComponents {
  pool: RolloutPool
  /** Per-producer accounting; default `producerTrust(DEFAULT_TRUST)`. */
  trust?: ProducerTrust
  /** The local generation limits peer completions must fit; default: no token limit (the answer format still applies); `none`: the plain verifier (no defence, for measuring attacks). */
  limits?: LocalLimits | 'none'
}

/** The trust rule's default settings (the node config's `trust.*` defaults). */
export const DEFAULT_TRUST = { rate: 0.2, floor: 0.05, maxShare: 0.5 } as const

/** A record as kept between arrival and first sample. */
interface Held {
  id: string
  producer: string
  group: RolloutGroup
  task: ResolvedTask
  receivedAt: number | undefined
  verifier: number[] | undefined
}

/** Creates the receive step over a node's pool. */
export function peerGroups (components: PeerGroupsComponents): PeerGroups {
  const { pool } = components
  const trust = components.trust ?? producerTrust(DEFAULT_TRUST)
  const limits = components.limits ?? { maxTokens: Number.POSITIVE_INFINITY, countTokens: (text: string) => text.length }
  const held = new Map<string, Held>()

  const prune = (): void => {
    // Entries leave the pool by eviction and expiry too: forget their records.
    if (held.size <= pool.stats().peer) return
    for (const id of held.keys()) if (!pool.has(id)) held.delete(id)
  }

  return {
    async receive (received, options = {}) {
      const { group, task } = received
      const result = await pool.insert({
        origin: 'peer',
        producer: received.from,
        family: task.ref.family,
        taskKey: taskKey(group.task),
        // The producer's policy version: what staleness is measured in (spec §1.1).
        round: group.policyVersion ?? group.round,
        payload: received.bytes,
        completions: group.completions
      }, options)
      if (result.status !== 'inserted') return false
      held.set(result.entry.id, { id: result.entry.id, producer: received.from, group, task, receivedAt: received.receivedAt, verifier: undefined })
      return true
    },
    available: () => pool.stats().peer,
    async sample (count, options) {
      prune()
      const metas = trust.draw(pool.queryMeta({ origin: 'peer' }), count, m => m.producer, options.rng)
      const out: PeerGroup[] = []
      for (const meta of metas) {
        let record = held.get(meta.id)
        if (record === undefined) {
          const entry = await pool.get(meta.id, { signal: options.signal })
          if (entry === undefined) continue
          record = restore(entry.id, entry.producer, entry.taskKey, entry.payload)
          if (record === undefined) continue
          held.set(entry.id, record)
        }
        if (record.verifier === undefined) {
          const credit = limits === 'none' ? { scores: record.group.completions.map(text => verify(record.task, text).score), admissible: 1 } : peerCredit(record.task, record.group.completions, limits)
          record.verifier = credit.scores
          trust.observe(record.producer, { agreement: agreement(record.group.scores, credit.scores), admissible: credit.admissible, useful: !isDegenerate(credit.scores) })
        }
        out.push(record as PeerGroup)
      }
      return out
    },
    select (candidates, count, options) {
      return trust.draw(candidates.filter(c => !isDegenerate(c.verifier)), count, c => c.producer, options.rng)
    },
    trust,
    async consume (ids, options = {}) {
      for (const id of ids) held.delete(id)
      // Issued together, the deletes share one store commit.
      await Promise.all(ids.map(async id => await pool.delete(id, options)))
    },
    async evict (stale, options = {}) {
      const ids = pool.queryMeta({ origin: 'peer' }).filter(meta => stale(meta)).map(meta => meta.id)
      for (const id of ids) held.delete(id)
      await Promise.all(ids.map(async id => await pool.delete(id, options)))
      return ids.length
    }
  }
}

/** Decodes and checks a stored group that has no record (stored before a restart); undefined if it no longer holds up. */
function restore (id: string, producer: string, key: string, payload: Uint8Array): Held | undefined {
  try {
    const group = decodeRolloutGroup(payload)
    const task = resolveTask(group.task)
    if (task.prompt !== group.prompt || taskKey(group.task) !== key) return undefined
    return { id, producer, group, task, receivedAt: undefined, verifier: undefined }
  } catch {
    return undefined
  }
}

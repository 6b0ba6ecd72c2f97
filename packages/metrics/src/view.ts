// The observable state of a node and of a swarm, as plain JSON: what the dashboard shows and
// what `murmur sim` children send their parent. Bounded: the peer table is capped, round
// history is kept by the consumer with its own cap.
import type { RoundMetrics } from '@murmur/node'

/** One round of one node, reduced to what is charted. NaN values travel as null in JSON. */
export interface RoundPoint {
  round: number
  /** Wall clock when the round completed (ms since the epoch). */
  t: number
  reward: number
  accuracy: number
  /** Held-out greedy accuracy when evaluated this round. */
  evalAccuracy?: number
  loss: number
  kl: number
  clipFraction: number
  gradNorm: number
  peerGroupsUsed: number
  peerGroupsAvailable: number
  /** Median age (seconds in the pool) of the peer groups used; absent when none were. */
  groupAgeSeconds?: number
  /** Median age in rounds of the peer groups used; absent when none were. */
  groupAgeRounds?: number
  generateMs: number
  scoreMs: number
  trainMs: number
  checkpointMs: number
  roundMs: number
  tokens: number
}

/** What one node knows about one peer. */
export interface PeerRow {
  peerId: string
  /** Groups this peer produced that passed validation and entered the pool. */
  accepted: number
  /** Groups this peer produced that were used in training. */
  used: number
  /** Messages this peer forwarded that validation ignored, rejected, or that were over its rate limit. */
  ignored: number
  rejected: number
  throttled: number
  /** Last time anything from this peer was counted (ms since the epoch). */
  lastSeen: number
}

/** A node's live state between rounds. */
export interface NodeLive {
  t: number
  peers: number
  meshPeers: number
  connections: number
  pool: { groups: number, peerGroups: number, bytes: number, oldestAgeSeconds: number }
  /** Gossip messages not accepted, per reason (validation reasons, duplicates, rate limits, …). */
  reasons: Record<string, number>
  totals: { accepted: number, ignored: number, rejected: number, throttled: number, dropped: number, published: number }
  bytes: { in: number, out: number }
  memory: { rss: number, heapUsed: number }
  peerTable: PeerRow[]
}

/** Everything the dashboard shows about one node. */
export interface NodeView {
  index: number
  peerId: string
  addrs: string[]
  /** The node's resolved config. */
  config: unknown
  rounds: RoundPoint[]
  evals: Array<{ round: number, accuracy: number }>
  live: NodeLive | undefined
  restarts: number
}

/** Everything the dashboard shows: one node, or every node of a simulated swarm. */
export interface SwarmView {
  title: string
  startedAt: number
  nodes: NodeView[]
}

/** A change to a `SwarmView`, streamed to dashboards. */
export type ViewEvent =
  | { type: 'round', node: number, point: RoundPoint }
  | { type: 'eval', node: number, round: number, accuracy: number }
  | { type: 'live', node: number, live: NodeLive }
  | { type: 'node', node: number, view: NodeView }

/** Reduces a round's metrics to a chart point. */
export function roundPoint (m: RoundMetrics, t: number): RoundPoint {
  const ages = m.peerGroupsFrom
  const seconds = ages.flatMap(a => a.ageSeconds === undefined ? [] : [a.ageSeconds])
  return {
    round: m.round,
    t,
    reward: m.reward,
    accuracy: m.accuracy,
    ...(m.evalAccuracy === undefined ? {} : { evalAccuracy: m.evalAccuracy }),
    loss: m.loss,
    kl: m.kl,
    clipFraction: m.clipFraction,
    gradNorm: m.gradNorm,
    peerGroupsUsed: m.peerGroupsUsed,
    peerGroupsAvailable: m.peerGroupsAvailable,
    ...(ages.length === 0 ? {} : { groupAgeRounds: median(ages.map(a => a.ageRounds)) }),
    ...(seconds.length === 0 ? {} : { groupAgeSeconds: median(seconds) }),
    generateMs: m.timings.generateMs,
    scoreMs: m.timings.scoreMs,
    trainMs: m.timings.trainMs,
    checkpointMs: m.timings.checkpointMs,
    roundMs: m.timings.roundMs,
    tokens: m.generatedTokens
  }
}

function median (values: number[]): number {
  const s = [...values].sort((a, b) => a - b)
  const mid = s.length >> 1
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2
}

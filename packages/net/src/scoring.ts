// Peer-score parameters for the rollout topic. Rollout traffic is bursty and sparse (a node
// publishes once per round), so the delivery-rate penalties (P3, P3b) that suit block gossip
// would punish honest quiet peers: they are off. What counts is P4 (invalid messages, strongly
// negative and squared: three rejects in a short time graylist a peer), P5 (our penalties per
// origin and per neighbour, see inbound-guard.ts) and P7 (protocol misbehaviour, gossipsub's
// default). Floods earn no credit: gossipsub credits first deliveries (P2) only for messages
// the validator accepts (Ignore clears the delivery record without credit), the per-neighbour
// limits bound how many a neighbour gets accepted, P2 is capped at 20 × 0.5 = +10 and the
// whole topic score at +20, while every ignored, throttled or dropped message beyond a small
// grace costs the neighbour 1 point (up to 1000).
import type { PeerScoreParams, TopicScoreParams } from '@libp2p/gossipsub/score'
import { INVALID_MESSAGE_DECAY, INVALID_MESSAGE_WEIGHT } from './constants.js'

/** Topic score parameters for the rollout topic. */
export function rolloutTopicScoreParams (): TopicScoreParams {
  return {
    topicWeight: 1,
    timeInMeshWeight: 0.01,
    timeInMeshQuantum: 1000,
    timeInMeshCap: 300,
    firstMessageDeliveriesWeight: 0.5,
    firstMessageDeliveriesDecay: 0.99,
    firstMessageDeliveriesCap: 20,
    meshMessageDeliveriesWeight: 0,
    meshMessageDeliveriesDecay: 0.5,
    meshMessageDeliveriesCap: 100,
    meshMessageDeliveriesThreshold: 1,
    meshMessageDeliveriesWindow: 10,
    meshMessageDeliveriesActivation: 5000,
    meshFailurePenaltyWeight: 0,
    meshFailurePenaltyDecay: 0.5,
    invalidMessageDeliveriesWeight: INVALID_MESSAGE_WEIGHT,
    invalidMessageDeliveriesDecay: INVALID_MESSAGE_DECAY
  }
}

/** Options of `peerScoreParams`. */
export interface ScoreInit {
  /** The swarm's rollout topics (one per shard). */
  topics: readonly string[]
  /** Application-specific penalty of a peer (≥ 0); subtracted from its score. */
  penalty: (peerId: string) => number
  /** Weight of the IP-colocation penalty (≤ 0). Loopback is always exempt so that sims work. */
  ipColocationWeight: number
}

/** Full peer-score parameters: the rollout topics plus our flood penalty as P5. */
export function peerScoreParams (init: ScoreInit): Partial<PeerScoreParams> {
  return {
    topics: Object.fromEntries(init.topics.map(t => [t, rolloutTopicScoreParams()])),
    topicScoreCap: 20,
    appSpecificScore: (p: string) => -init.penalty(p),
    appSpecificWeight: 1,
    IPColocationFactorWeight: init.ipColocationWeight,
    IPColocationFactorThreshold: 10,
    IPColocationFactorWhitelist: new Set(['127.0.0.1', '::1']),
    decayInterval: 1000,
    decayToZero: 0.01,
    retainScore: 10 * 60_000
  }
}

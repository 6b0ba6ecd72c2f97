/** One peer group used in training: its producer and its age when used. */
export interface PeerGroupUse {
  /** Peer id of the producer (the signed origin). */
  producer: string
  /** Seconds since the group arrived (absent for groups restored from the pool after a restart). */
  ageSeconds?: number
  /** This node's round minus the producer's round when it made the group. */
  ageRounds: number
}

/** What a node reports after each round (also persisted in the metrics history). */
export interface RoundMetrics {
  /** Round number, from 0. */
  round: number
  /** Mean verifier score of this round's own completions (sampled, so it tracks learning). */
  reward: number
  /** Fraction of this round's own completions that were fully correct. */
  accuracy: number
  /** Per family: this round's own completions and how many were fully correct. */
  families: Record<string, { n: number, correct: number }>
  /** Difficulty level per family after this round, when a curriculum is on. */
  difficulty?: Record<string, number>
  /** Fraction of this round's own completions containing the attack marker (attack.ts; `murmur experiment adversarial` reads it). */
  attackMarker?: number
  /** Mean shaped reward over the training batch. */
  shapedReward: number
  /** Local groups in the training batch. */
  localGroups: number
  /** Peer groups in the training batch (after local re-scoring and the zero-advantage filter). */
  peerGroupsUsed: number
  /** Peer groups in the pool when the batch was built. */
  peerGroupsAvailable: number
  /** Peer groups dropped because their local re-scored advantage was zero. */
  peerGroupsZeroAdvantage: number
  /** Peer groups evicted from the pool this round as more than `pool.maxStaleness` policy versions behind their producer. */
  peerGroupsStale: number
  /** Median / max age of the peer groups used, in versions of their producer's policy (newest seen − the group's). */
  peerGroupAgeMedian: number
  peerGroupAgeMax: number
  /** Groups dropped by the zero-variance filter before training. */
  groupsFiltered: number
  /** Fraction of the batch's groups (local and peer) with zero advantage (dropped by the filter). */
  zeroAdvantageFraction: number
  /** Importance weights of peer tokens (spec §1.1): statistics over weighted tokens, and how peer groups were handled. */
  importance: { tokens: number, mean: number, min: number, max: number, cappedFraction: number, weightedGroups: number, textGroups: number, rejectedGroups: number, droppedNegatives: number }
  /** Connected peers at the end of the round. */
  peers: number
  /** Of them, the fewest subscribed to any one rollout topic this node reads (its gossip partners; = peers when unsharded). */
  gossipPeers: number
  /** Groups published this round. */
  published: number
  /** Peer groups accepted into the pool this round. */
  received: number
  /** Completions generated this round (the cost side of "reward per rollout"). */
  rollouts: number
  /** Completion tokens generated this round (local tokenizer). */
  generatedTokens: number
  /** The peer groups in the training batch: who produced each and how old it was when used. */
  peerGroupsFrom: PeerGroupUse[]
  /** This node's policy version (optimizer steps) when it generated this round's groups. */
  policyVersion: number
  /** Training statistics (NaN when no step ran). */
  loss: number
  gradNorm: number
  clipFraction: number
  kl: number
  entropy: number
  /** Held-out greedy accuracy when evaluated this round. */
  evalAccuracy?: number
  /** The evaluation of this round (fixed held-out set), when one ran. */
  eval?: { greedy: number, greedySE: number, sampled: number, sampledSE: number, klToBase?: number }
  /** Wall-clock milliseconds of each phase. */
  timings: { generateMs: number, scoreMs: number, trainMs: number, checkpointMs: number, roundMs: number }
}

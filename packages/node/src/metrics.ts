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
  /** Groups dropped by the zero-variance filter before training. */
  groupsFiltered: number
  /** Connected peers at the end of the round. */
  peers: number
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
  /** Training statistics (NaN when no step ran). */
  loss: number
  gradNorm: number
  clipFraction: number
  kl: number
  entropy: number
  /** Held-out greedy accuracy when evaluated this round. */
  evalAccuracy?: number
  /** Wall-clock milliseconds of each phase. */
  timings: { generateMs: number, scoreMs: number, trainMs: number, checkpointMs: number, roundMs: number }
}

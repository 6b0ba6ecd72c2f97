/**
 * What the round needs from the compute and network layers, as narrow interfaces. The node
 * wires real implementations (policy, trainer, reward model, libp2p host) through adapters in
 * `components.ts`; keeping the round against these small contracts keeps it readable and lets
 * each adapter translate its package's errors at the boundary.
 */
import type { AbortOptions } from '@murmur/interface'
import type { SwarmStats } from '@murmur/net'
import type { RolloutGroup } from '@murmur/protocol'

/** One sampled completion. */
export interface Completion {
  text: string
  /** Completion tokens under the local tokenizer (for length penalties and stats). */
  tokens: number
  /** True when generation stopped at the token limit rather than at end-of-sequence. */
  truncated: boolean
}

/** Sampling settings of one generate call. */
export interface GenerateOptions extends AbortOptions {
  n: number
  maxTokens: number
  temperature: number
  topP: number
  topK: number
  seed: number
}

/** The local policy, as the round uses it. */
export interface PolicyPort {
  /** `n` completions per prompt. */
  generate(prompts: string[], options: GenerateOptions): Promise<Completion[][]>
  /** Model id announced with published groups. */
  readonly modelId: string
}

/** One group of the training batch. */
export interface TrainGroup {
  prompt: string
  completions: string[]
  advantages: number[]
  /** Per completion: stopped at the token limit (the trainer then appends no end-of-sequence token). */
  truncated: boolean[]
}

/** Statistics of one `train` call (NaN where not applicable). */
export interface TrainStats {
  loss: number
  gradNorm: number
  clipFraction: number
  kl: number
  entropy: number
  steps: number
}

/** Trainer state as checkpointed. */
export interface TrainerState {
  weights: Uint8Array
  optimizer: Uint8Array
  step: number
  rng: unknown
}

/** The local trainer: updates the policy that `PolicyPort` samples from. */
export interface TrainerPort {
  train(groups: TrainGroup[], options?: AbortOptions): Promise<TrainStats>
  exportState(): Promise<TrainerState>
  importState(state: TrainerState): Promise<void>
}

/** A reward model: one scalar per (prompt, completion). */
export interface RewardModelPort {
  score(prompts: string[], completions: string[], options?: AbortOptions): Promise<number[]>
}

/** A validated group from a peer. */
export interface ReceivedGroup {
  group: RolloutGroup
  from: string
}

/** The swarm, as the round uses it. */
export interface SwarmPort {
  readonly peerId: string
  addrs(): string[]
  peerCount(): number
  publish(group: RolloutGroup, options?: AbortOptions): Promise<void>
  /** Registers the handler of validated peer groups. */
  onGroup(handler: (received: ReceivedGroup) => void): void
  dial(addrs: string[], options?: AbortOptions): Promise<void>
  /** Network counters for observation (metrics, dashboard); never read by the round. */
  stats?(): SwarmPortStats
}

/** What the swarm reports for observation. */
export interface SwarmPortStats {
  /** Peers in this node's gossip mesh for the rollout topic. */
  meshPeers: number
  /** Open libp2p connections. */
  connections: number
  /** The host's counters (verdicts per neighbour and by reason, bytes). */
  net: SwarmStats
}

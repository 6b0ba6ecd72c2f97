/**
 * What the round needs from the compute and network layers, as narrow interfaces. The node
 * wires real implementations (policy, trainer, reward model, libp2p host) through adapters in
 * `components.ts`; keeping the round against these small contracts keeps it readable and lets
 * each adapter translate its package's errors at the boundary.
 */
import type { HostStatus } from '@murmur/net'
import type { AbortOptions } from '@murmur/interface'
import type { SwarmStats } from '@murmur/net'
import type { ResolvedTask, RolloutGroup } from '@murmur/protocol'
import type { NodeStore } from '@murmur/store'

/** One sampled completion, as the round sees it. */
export interface PolicyCompletion {
  text: string
  /** Completion tokens under the local tokenizer (for length penalties and stats). */
  tokens: number
  /** True when generation stopped at the token limit rather than at end-of-sequence. */
  truncated: boolean
  /** Sampled token ids (end-of-sequence included when it ended the completion), when the policy reports them. */
  tokenIds?: number[]
  /** Behaviour log-prob μ_t of each sampled token (under the distribution it was drawn from: after temperature, top-k, top-p), one per `tokenIds` entry. */
  logprobs?: number[]
}

/** Sampling settings of one `PolicyPort.generate` call. */
export interface PolicyGenerateOptions extends AbortOptions {
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
  generate(prompts: string[], options: PolicyGenerateOptions): Promise<PolicyCompletion[][]>
  /** Model id announced with published groups. */
  readonly modelId: string
  /** Identifies the tokenizer (groups' traces are only usable between equal ids); optional. */
  readonly tokenizerId?: string
  /** The token ids the trainer scores for a completion (end-of-sequence appended unless truncated); optional. */
  completionTokens?(text: string, truncated: boolean): number[]
  /** Teacher-forced log-probs of token ids after each prompt under the current policy (π_old); optional. */
  logprobs?(prompts: string[], tokenIds: number[][], options?: AbortOptions): Promise<number[][]>
  /** Teacher-forced log-probs of token ids under the base (initial) policy, for KL-to-base diagnostics; optional. */
  baseLogprobs?(prompts: string[], tokenIds: number[][], options?: AbortOptions): Promise<number[][]>
  /** Tokens of `text` under the local tokenizer (peer completions must fit `generate.maxTokens`); default: characters. */
  countTokens?: (text: string) => number
}

/** One group of the training batch. */
export interface TrainGroup {
  prompt: string
  completions: string[]
  advantages: number[]
  /** Per completion: stopped at the token limit (the trainer then appends no end-of-sequence token). */
  truncated: boolean[]
  /**
   * Per completion, per trained token (end-of-sequence included): the importance weight w_t
   * multiplying that token's clipped surrogate (spec §1.1). Absent, or undefined for a
   * completion: 1 (local and re-scored text completions).
   */
  tokenWeights?: Array<number[] | undefined>
}

/** Statistics of one `TrainerPort.train` call (NaN where not applicable). */
export interface TrainerStepStats {
  loss: number
  gradNorm: number
  clipFraction: number
  kl: number
  entropy: number
  steps: number
}

/** Trainer state as checkpointed. */
export interface TrainerSnapshot {
  weights: Uint8Array
  optimizer: Uint8Array
  step: number
  rng: unknown
}

/** The local trainer: updates the policy that `PolicyPort` samples from. */
export interface TrainerPort {
  train(groups: TrainGroup[], options?: AbortOptions): Promise<TrainerStepStats>
  /** The policy version: optimizer steps taken so far (sent with published groups); optional (0). */
  version?(): number
  exportState(): Promise<TrainerSnapshot>
  importState(state: TrainerSnapshot): Promise<void>
}

/** A reward model: one scalar per (prompt, completion). */
export interface RewardModelPort {
  score(prompts: string[], completions: string[], options?: AbortOptions): Promise<number[]>
}

/** A peer group that passed the swarm's cheap checks (limits, signature, task reference, prompt). */
export interface ReceivedGroup {
  /** The message bytes exactly as the producer signed them: what the pool stores. */
  bytes: Uint8Array
  /** The decoded `bytes` (decoded once, by the validator). */
  group: RolloutGroup
  /** The task regenerated locally from `group.task` by the validator (regenerated once). */
  task: ResolvedTask
  /** Peer id of the signed origin (the producer). */
  from: string
  /** Local arrival time, ms since the epoch. */
  receivedAt: number
}

/** One group the round publishes. */
export interface GroupToPublish {
  group: RolloutGroup
  /** The group's task as the round resolved it (spares the swarm regenerating it). */
  task?: ResolvedTask
}

/** The swarm, as the round uses it. */
export interface SwarmPort {
  readonly peerId: string
  addrs(): string[]
  peerCount(): number
  /** The fewest connected peers subscribed to any one rollout topic this node reads (sharded swarms); absent: peerCount(). */
  gossipPeers?(): number
  /** Publishes a round's groups together (one gossip message unless they exceed its limits). */
  publish(groups: readonly GroupToPublish[], options?: AbortOptions): Promise<void>
  /** Registers the handler of validated peer groups. */
  onGroup(handler: (received: ReceivedGroup) => void): void
  dial(addrs: string[], options?: AbortOptions): Promise<void>
  /** Registers a listener of network status changes (joined, join failed with a diagnosis, reachability, DCUtR upgrades). */
  onStatus?(handler: (status: NetStatus) => void): void
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

/** A network status change worth telling the operator about (see @murmur/net's watchHostStatus). */
export type NetStatus = HostStatus

/** The parts a node is made of. `createSwarmNode` builds real ones from the config unless given. */
export interface SwarmNodeComponents {
  store: NodeStore
  policy: PolicyPort
  trainer: TrainerPort
  rewardModel: RewardModelPort | undefined
  swarm: SwarmPort | undefined
  /** Where the onnxruntime sessions run (reported in `info()`); absent = cpu. */
  device?: string
  /** Releases what the components hold (sessions, sockets, handles); called by `stop()`. */
  close: () => Promise<void>
  /** Starts what needs starting (store, host); called by `start()`. */
  open: () => Promise<void>
}

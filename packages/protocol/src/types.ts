import type { TaskRef } from './task-types.js'

/** What a producer sampled for one completion: token ids and their behaviour log-probs. */
export interface CompletionTrace {
  /** Token ids under the producer's tokenizer (end-of-sequence included when it ended the completion). */
  tokenIds: number[]
  /**
   * Behaviour log-prob μ_t of each token (≤ 0, one per token id). On the wire they are
   * quantized to 1/64 nat, so a decoded value differs from the sent one by at most 1/128 nat.
   */
  logprobs: number[]
}

/**
 * One rollout group as the application sees it: a task reference, the prompt it produces and
 * the completions a producer sampled for it. Text always crosses the wire; token ids and
 * behaviour log-probs travel beside it for receivers that share the producer's tokenizer.
 */
export interface RolloutGroup {
  /** Enough for any node to regenerate the prompt and its reference answer. */
  task: TaskRef
  /** The prompt text; receivers check it equals the prompt they regenerate from `task`. */
  prompt: string
  /** Sampled completions (1 to `MAX_COMPLETIONS`). */
  completions: string[]
  /** The producer's model id (free text). */
  modelId: string
  /** The producer's training round (unsigned 32-bit integer). */
  round: number
  /** The producer's own score per completion, or empty. Advisory only: receivers re-score. */
  scores: number[]
  /** Creation time in milliseconds since the Unix epoch. */
  createdAt: number
  /** The producer's policy version (its optimizer steps) when it sampled the group; default 0. */
  policyVersion?: number
  /** Per completion: generation stopped at the token limit. Empty or absent: none was. */
  truncated?: boolean[]
  /** The producer's tokenizer id (empty or absent: unknown, traces unusable). */
  tokenizerId?: string
  /** Empty or absent, or one trace per completion. */
  traces?: CompletionTrace[]
}

/** What a receiver should do with a group: deliver it, drop it quietly, or drop it and penalize the sender. */
export type ValidationAction = 'accept' | 'ignore' | 'reject'

/** Why `validateGroup` / `validateRolloutBytes` decided as they did. */
export type ValidationReason =
  | 'ok'
  | 'empty-completions'
  | 'future-timestamp'
  | 'stale'
  | 'unknown-task'
  | 'invalid-task-params'
  | 'resolve-failed'
  | 'prompt-mismatch'
  | `decode:${string}`

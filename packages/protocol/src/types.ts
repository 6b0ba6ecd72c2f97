import type { TaskRef } from './task-types.js'

/**
 * One rollout group as the application sees it: a task reference, the prompt it produces and
 * the completions a producer sampled for it. Text crosses the wire, never token ids.
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

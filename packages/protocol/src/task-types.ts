// Structural copies of the @murmur/tasks contract types (see the cross-package contracts);
// replaced by `import type` from @murmur/tasks once that package exports them.

/** Parameters of a task reference. */
export type TaskParams = Record<string, number | string | boolean>

/** A reference to one task instance: family, family version, seed and parameters. */
export interface TaskRef {
  family: string
  version: number
  seed: number
  params: TaskParams
}

/** A task regenerated from its reference. */
export interface ResolvedTask {
  ref: TaskRef
  prompt: string
  answer: string
  meta: Record<string, unknown>
}

// The task contract types come from @murmur/tasks; protocol only re-exports them for its callers.
export type { TaskParams, TaskRef, ResolvedTask } from '@murmur/tasks'

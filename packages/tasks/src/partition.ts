/**
 * The train / held-out partition of every family's instance space. An instance's split is a
 * pure function of its family name and its canonical prompt (the prompt regenerated in
 * `compact` format), so it does not depend on seeds, sampler state or which node asks: the
 * sampler never emits a held-out instance, the evaluation set draws only held-out ones, and a
 * receiver can drop a peer's group for a held-out instance. Measured need (spec/algorithms.md
 * §5): before the partition, the held-out set overlapped the training prompts almost entirely
 * for three of the four default families.
 */
import { HELD_OUT_FRACTION } from './constants.js'
import { resolveTask } from './registry.js'
import { hashSeeds } from '@murmur/interface'
import type { ResolvedTask, TaskRef } from './types.js'

/** Which side of the partition an instance is on. */
export type TaskSplit = 'train' | 'eval'

/** Salt of the partition hash: changing it (or the fraction) re-draws every held-out set. */
const PARTITION_SALT = 0x68656c64

/** FNV-1a over UTF-16 code units (deterministic on every engine). */
function fnv1a (s: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0
  return h
}

/** The instance's prompt in `compact` format: the key of the partition, whatever format the ref asks for. */
export function canonicalPrompt (task: TaskRef | ResolvedTask): string {
  const resolved = 'prompt' in task ? task : undefined
  const ref = resolved?.ref ?? (task as TaskRef)
  if (resolved !== undefined && (ref.params.format ?? 'compact') === 'compact') return resolved.prompt
  if ((ref.params.format ?? 'compact') === 'compact') return resolveTask(ref).prompt
  return resolveTask({ ...ref, params: { ...ref.params, format: 'compact' } }).prompt
}

/** Position of an instance in [0, 1): held out when below `HELD_OUT_FRACTION`. */
export function partitionPoint (family: string, prompt: string): number {
  return hashSeeds(PARTITION_SALT, fnv1a(family), fnv1a(prompt), prompt.length) / 4294967296
}

/** `eval` for held-out instances, `train` for the rest. Throws only for a ref that does not resolve. */
export function taskSplit (task: TaskRef | ResolvedTask): TaskSplit {
  const family = 'prompt' in task ? task.ref.family : task.family
  return partitionPoint(family, canonicalPrompt(task)) < HELD_OUT_FRACTION ? 'eval' : 'train'
}

/** True when the instance belongs to the held-out evaluation split (never trained on). */
export function isHeldOut (task: TaskRef | ResolvedTask): boolean {
  return taskSplit(task) === 'eval'
}

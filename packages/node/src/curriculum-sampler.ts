/**
 * The node's task sampler when a curriculum is on: every round draws from the mix at the
 * curriculum's current level per family, and the round's own results move the levels. The
 * held-out evaluation set keeps the configured difficulty, so accuracies stay comparable.
 */
import { createCurriculum, createTaskSampler, type Curriculum, type TaskMixEntry, type TaskSampler } from '@murmur/tasks'
import type { NodeConfig } from './config/index.js'
import { taskMixFromConfig } from './task-mix.js'

/** A sampler whose difficulty follows a curriculum. */
export interface CurriculumSampler extends TaskSampler {
  readonly curriculum: Curriculum
  /** Feeds one round's own results (per family: completions and fully correct ones). */
  record(results: Readonly<Record<string, { n: number, correct: number }>>): void
}

/** Creates the sampler: a plain seeded sampler, or one driven by a curriculum when `curriculum.enabled`. */
export function createNodeSampler (config: NodeConfig): TaskSampler | CurriculumSampler {
  const mix = taskMixFromConfig(config.taskMix, config.taskDifficulty)
  if (!config.curriculum.enabled) return createTaskSampler({ seed: config.seed, mix })
  const start: Record<string, number> = {}
  for (const e of mix) start[e.family] = config.taskDifficulty[e.family] ?? 1
  // Never easier than configured: the shipped tiny policy only knows its pretraining instances (e.g. 8-digit sorts).
  const curriculum = createCurriculum({ start, floor: start, band: [config.curriculum.low, config.curriculum.high], window: config.curriculum.window })
  const cache = new Map<string, TaskSampler>()
  const samplerAt = (levels: Record<string, number>): TaskSampler => {
    const key = JSON.stringify(levels)
    let s = cache.get(key)
    if (s === undefined) {
      const entries: TaskMixEntry[] = taskMixFromConfig(config.taskMix, { ...config.taskDifficulty, ...levels })
      s = createTaskSampler({ seed: config.seed, mix: entries })
      if (cache.size > 64) cache.clear()
      cache.set(key, s)
    }
    return s
  }
  samplerAt(curriculum.levels())
  return {
    curriculum,
    sample: (round, count) => samplerAt(curriculum.levels()).sample(round, count),
    record (results) {
      for (const [family, r] of Object.entries(results)) curriculum.record(family, r.n, r.correct)
    }
  }
}

/** True for a sampler driven by a curriculum. */
export function isCurriculumSampler (s: TaskSampler): s is CurriculumSampler {
  return 'curriculum' in s
}

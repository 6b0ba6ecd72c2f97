/**
 * @packageDocumentation
 * Deterministic task families: seeded generators, answer extraction, verifiers, task references.
 * Any node regenerates a task's prompt and reference answer from its small `TaskRef`, so it never
 * has to trust a peer's prompt or ground truth.
 */
export type { TaskParams, TaskRef, ResolvedTask, VerifyResult, TaskFormat, FamilyInfo, TaskMixEntry } from './types.js'
export { UnknownTaskError, InvalidTaskParamsError } from './errors.js'
export {
  DEFAULT_TASK_MIX, HELD_OUT_FRACTION, MAX_SEED, MAX_COMPLETION_CHARS, MAX_PARSED_CHARS, MAX_SAMPLE_COUNT, TEXT_ANSWER_INSTRUCTION
} from './constants.js'
export { resolveTask, verify, listFamilies } from './registry.js'
export { validateTaskRef, taskKey } from './params.js'
export { extractAnswer, extractAnswerDetailed, type Extraction, type ExtractionMode } from './extract.js'
export { createTaskSampler, type TaskSampler, type TaskSamplerInit } from './sampler.js'
export { createRng, hashSeeds, type Rng, type RngState } from '@murmur/interface'
export { taskSplit, isHeldOut, canonicalPrompt, partitionPoint, type TaskSplit } from './partition.js'
export { heldOutSet, type HeldOutSetInit, type HeldOutTask } from './eval-set.js'
export { DIFFICULTY_LADDERS, difficultyLevels, difficultyParams } from './difficulty.js'
export { createCurriculum, DEFAULT_CURRICULUM, type Curriculum, type CurriculumInit, type CurriculumState } from './curriculum.js'

import type { TaskMixEntry } from './types.js'

/** Largest accepted task seed (seeds are unsigned 32-bit integers). */
export const MAX_SEED = 0xffffffff

/** Completions longer than this many UTF-16 code units are truncated before extraction (64 KiB). */
export const MAX_COMPLETION_CHARS = 65536

/** An extracted answer longer than this is rejected as unparseable (no family answer comes close). */
export const MAX_PARSED_CHARS = 1024

/** Longest family name a TaskRef may carry. */
export const MAX_FAMILY_NAME_CHARS = 64

/** Most parameters a TaskRef may carry. */
export const MAX_PARAMS = 32

/** Longest parameter key or string value a TaskRef may carry. */
export const MAX_PARAM_STRING_CHARS = 64

/** Most TaskRefs one `sample()` call may return. */
export const MAX_SAMPLE_COUNT = 100_000

/** Share of each family's instance space held out for evaluation (by hash of the canonical prompt). */
export const HELD_OUT_FRACTION = 0.25

/** Most seed draws the sampler spends finding an instance on the requested side of the partition. */
export const MAX_SPLIT_DRAWS = 4096

/** Instruction appended to every `text`-format prompt. */
export const TEXT_ANSWER_INSTRUCTION = 'Give only the final answer inside <answer></answer> tags.'

/**
 * The default mix for the built-in tiny char-level policy: compact prompts whose prompt + answer
 * fit in 24 characters, weighted towards 2-digit addition (learnable by a ~100k-parameter model
 * in a few hundred steps) with smaller shares of harder or easier short families so the swarm
 * sees diverse, partly-solvable tasks. Every entry uses `format: 'compact'`.
 */
export const DEFAULT_TASK_MIX: readonly TaskMixEntry[] = Object.freeze(([
  { family: 'add', weight: 0.45, params: { digits: 2, pad: true } },
  { family: 'basic_arithmetic', weight: 0.15, params: { terms: 2, maxOperand: 9, ops: 'all' } },
  { family: 'base_conversion', weight: 0.1, params: { from: 2, to: 10, maxValue: 31 } },
  { family: 'sort_digits', weight: 0.1, params: { length: 8 } },
  { family: 'reverse', weight: 0.1, params: { length: 9 } },
  { family: 'fraction_simplification', weight: 0.1, params: { maxValue: 9, maxFactor: 4 } }
] as TaskMixEntry[]).map(e => Object.freeze({ ...e, params: Object.freeze({ ...e.params, format: 'compact' }) })))

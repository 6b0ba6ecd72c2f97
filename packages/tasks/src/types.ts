import type { Rng } from '@murmur/interface'

/** Parameters of a task reference: flat, JSON- and protobuf-friendly values. */
export type TaskParams = Record<string, number | string | boolean>

/** Everything any node needs to regenerate a task and its reference answer. */
export interface TaskRef {
  family: string
  version: number
  /** Integer in 0..2^32−1. */
  seed: number
  params: TaskParams
}

/** A task regenerated from its reference: prompt, reference answer and family-specific details. */
export interface ResolvedTask {
  ref: TaskRef
  prompt: string
  answer: string
  meta: Record<string, unknown>
}

/** Outcome of scoring one completion. */
export interface VerifyResult {
  /** In [0, 1]: 1 correct, 0 wrong or unparseable, in between only where a family documents it. */
  score: number
  /** The answer text extracted from the completion, or null when none was found. */
  parsed: string | null
  /** Short machine-friendly explanation, e.g. `correct`, `wrong`, `unparseable`, `not reduced`. */
  reason: string
}

/** Prompt style: `compact` for tiny character-level policies, `text` for instruction-following LLMs. */
export type TaskFormat = 'compact' | 'text'

/** Declaration of one family parameter: its type, range and default. */
export type ParamSpec =
  | { kind: 'int', min: number, max: number, default: number, doc: string }
  | { kind: 'enum', values: readonly string[], default: string, doc: string }
  | { kind: 'bool', default: boolean, doc: string }

/** Parameters after defaults and validation (always includes `format`). */
export type ResolvedParams = Record<string, number | string | boolean> & { format: TaskFormat }

/** What a family's generator returns. */
export interface Generated {
  prompt: string
  answer: string
  meta: Record<string, unknown>
}

/** Result of comparing an extracted answer with the reference answer. */
export interface CheckResult { score: number, reason: string }

/** One task family: parameter declarations, a seeded generator and an equivalence check. */
export interface TaskFamily {
  name: string
  version: number
  description: string
  /** Parameter declarations, excluding `format` (added by the registry). */
  params: Record<string, ParamSpec>
  /** Cross-parameter validation; returns the offending key and a message, or undefined. */
  validate?: (p: ResolvedParams) => { key: string, message: string } | undefined
  generate: (rng: Rng, p: ResolvedParams) => Generated
  /**
   * Compares `parsed` (trimmed, non-empty) with the canonical `answer`; `task` is the generated
   * task (for families whose partial credit depends on the prompt). Must never throw.
   */
  check: (answer: string, parsed: string, p: ResolvedParams, task: Generated) => CheckResult
}

/** A family's public summary, as returned by `listFamilies()`. */
export interface FamilyInfo {
  name: string
  version: number
  defaultParams: TaskParams
  description: string
}

/** The `format` parameter every family accepts (added by the registry, not declared per family). */
export const FORMAT_SPEC: ParamSpec = {
  kind: 'enum',
  values: ['compact', 'text'],
  default: 'compact',
  doc: 'compact: short prompt for tiny char-level policies; text: natural-language prompt asking for <answer></answer>'
}

/** One weighted entry of a task mix: a family (latest version unless given) with fixed params. */
export interface TaskMixEntry {
  family: string
  version?: number
  /** Relative weight (> 0); weights need not sum to 1. */
  weight: number
  params?: TaskParams
}

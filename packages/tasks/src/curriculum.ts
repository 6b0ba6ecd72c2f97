/**
 * An adaptive curriculum: per family, the node's recent success rate on its own sampled
 * completions decides the difficulty level, keeping it in a learnable band — groups where every
 * completion fails (or every one succeeds) have zero advantage and teach nothing. After every
 * `window` completions of a family: above the band → one level harder, below → one easier.
 */
import { InvalidArgumentError } from '@murmur/interface'
import { difficultyLevels } from './difficulty.js'

/** Defaults of `createCurriculum` (the node's `curriculum.*` settings take theirs from here). */
export const DEFAULT_CURRICULUM = Object.freeze({
  /** Below this success rate a family gets one level easier. */
  low: 0.2,
  /** Above this success rate a family gets one level harder. */
  high: 0.8,
  /** Completions of a family per decision. */
  window: 64
})

/** Options of `createCurriculum`. */
export interface CurriculumInit {
  /** Family → starting level. Families without a ladder are ignored. */
  start: Readonly<Record<string, number>>
  /** Learnable band of the success rate; default `[DEFAULT_CURRICULUM.low, DEFAULT_CURRICULUM.high]` ([0.2, 0.8]). */
  band?: readonly [number, number]
  /** Completions per decision; default `DEFAULT_CURRICULUM.window` (64). */
  window?: number
  /**
   * Family → lowest level the curriculum may go to (default 0). A node passes its configured
   * level: a small model may only know the configured instances (the shipped tiny policy sorts
   * 8 digits but not 4), so "easier" levels are not easier for it.
   */
  floor?: Readonly<Record<string, number>>
}

/** Plain-JSON state (checkpointed with the node). */
export interface CurriculumState {
  levels: Record<string, number>
  counts: Record<string, { n: number, correct: number }>
}

/** The curriculum. */
export interface Curriculum {
  /** Current level of every family with a ladder. */
  levels(): Record<string, number>
  /** Records `correct` of `n` completions of `family`; returns the family's level afterwards. */
  record(family: string, n: number, correct: number): number
  state(): CurriculumState
  restore(state: CurriculumState): void
}

/** Creates a curriculum. */
export function createCurriculum (init: CurriculumInit): Curriculum {
  const [lo, hi] = init.band ?? [DEFAULT_CURRICULUM.low, DEFAULT_CURRICULUM.high]
  if (!(lo >= 0 && hi <= 1 && lo < hi)) throw new InvalidArgumentError('band', `expected 0 ≤ low < high ≤ 1, got [${lo}, ${hi}]`)
  const window = init.window ?? DEFAULT_CURRICULUM.window
  if (!Number.isInteger(window) || window < 1) throw new InvalidArgumentError('window', `expected a positive integer, got ${window}`)
  let levels: Record<string, number> = {}
  let counts: Record<string, { n: number, correct: number }> = {}
  for (const [family, level] of Object.entries(init.start)) {
    const max = difficultyLevels(family) - 1
    if (max < 0) continue
    levels[family] = Math.max(0, Math.min(max, Math.round(level)))
    counts[family] = { n: 0, correct: 0 }
  }
  return {
    levels: () => ({ ...levels }),
    record (family, n, correct) {
      const c = counts[family]
      if (c === undefined) return 0
      c.n += n
      c.correct += correct
      if (c.n >= window) {
        const rate = c.correct / c.n
        const max = difficultyLevels(family) - 1
        if (rate > hi && levels[family] < max) levels[family]++
        else if (rate < lo && levels[family] > (init.floor?.[family] ?? 0)) levels[family]--
        counts[family] = { n: 0, correct: 0 }
      }
      return levels[family]
    },
    state: () => ({ levels: { ...levels }, counts: structuredClone(counts) }),
    restore (state) {
      levels = { ...levels, ...Object.fromEntries(Object.entries(state.levels).filter(([f]) => f in levels)) }
      counts = { ...counts, ...Object.fromEntries(Object.entries(state.counts).filter(([f]) => f in counts)) }
    }
  }
}

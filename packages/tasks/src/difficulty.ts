/**
 * Difficulty levels: per family, a ladder of parameter sets from easy (level 0) to hard, all
 * short enough for the tiny policy's 64-character context. A node picks a level per family
 * (`taskDifficulty`) or lets a curriculum move it (`curriculum.ts`). Level 1 is the node's
 * default mix for the four default families.
 */
import { InvalidTaskParamsError } from './errors.js'
import type { TaskParams } from './types.js'

/** The ladders (compact format). */
export const DIFFICULTY_LADDERS: Readonly<Record<string, readonly TaskParams[]>> = Object.freeze({
  add: [{ digits: 1, pad: true }, { digits: 2, pad: true }, { digits: 3, pad: true }, { digits: 4, pad: true }],
  basic_arithmetic: [
    { terms: 2, maxOperand: 9, ops: 'add' },
    { terms: 2, maxOperand: 9, ops: 'all' },
    { terms: 3, maxOperand: 9, ops: 'all' },
    { terms: 3, maxOperand: 20, ops: 'all' }
  ],
  base_conversion: [
    { from: 2, to: 10, maxValue: 15 },
    { from: 2, to: 10, maxValue: 31 },
    { from: 2, to: 10, maxValue: 127 },
    { from: 0, to: 0, maxValue: 255 }
  ],
  fraction_simplification: [
    { maxValue: 5, maxFactor: 3 },
    { maxValue: 9, maxFactor: 4 },
    { maxValue: 15, maxFactor: 6 },
    { maxValue: 25, maxFactor: 9 }
  ],
  sort_digits: [{ length: 4 }, { length: 8 }, { length: 9 }, { length: 10 }],
  reverse: [{ length: 3 }, { length: 5 }, { length: 7 }, { length: 9 }]
})

/** Number of levels of a family (0 when it has no ladder). */
export function difficultyLevels (family: string): number {
  return DIFFICULTY_LADDERS[family]?.length ?? 0
}

/** The parameters of `family` at `level` (compact format); throws for a family without a ladder or a level out of range. */
export function difficultyParams (family: string, level: number): TaskParams {
  const ladder = DIFFICULTY_LADDERS[family]
  if (ladder === undefined) throw new InvalidTaskParamsError('difficulty', `${family} has no difficulty levels; known: ${Object.keys(DIFFICULTY_LADDERS).join(', ')}`)
  if (!Number.isInteger(level) || level < 0 || level >= ladder.length) throw new InvalidTaskParamsError('difficulty', `${family} has levels 0..${ladder.length - 1}, got ${level}`)
  return { ...ladder[level], format: 'compact' }
}

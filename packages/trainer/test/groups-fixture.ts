/** Two small GRPO groups on the char tokenizer, shared by the trainer tests, with their flattened pairs and advantages. */
import type { TrainingGroup } from '../src/trainer.js'

export const groups: TrainingGroup[] = [
  { prompt: '12+34=', completions: ['46', '45', '4x', '47'], advantages: [1, -1, -1, 1] },
  { prompt: '7>2 ab=', completions: ['ba', 'ab'], advantages: [-0.5, 0.5] }
]
/** Every (prompt, completion) of `groups`, in order. */
export const pairs = groups.flatMap(g => g.completions.map(c => ({ prompt: g.prompt, completion: c })))
/** The advantage of each of `pairs`. */
export const advs = groups.flatMap(g => [...g.advantages])
/** Sum of a list. */
export const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0)

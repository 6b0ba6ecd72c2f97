/** Two small GRPO groups on the char tokenizer, shared by the trainer tests, with their flattened pairs and advantages. */
import { afterEach, expect } from 'vitest'
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

/** Expects every positive-advantage pair's log-prob to have risen from `before` to `after`, and every other one's to have fallen. */
export function expectMovedByAdvantage (before: number[], after: number[]): void {
  advs.forEach((a, i) => {
    if (a > 0) expect(after[i]).toBeGreaterThan(before[i])
    else expect(after[i]).toBeLessThan(before[i])
  })
}

/** The parts of a policy the trainer tests score `pairs` with. */
interface ScoringPolicy {
  logprobs(prompts: string[], completions: string[], options: { eos: boolean }): Promise<number[][]>
  close(): Promise<void>
}

/** A policy's summed log-probs of `pairs` (completion + EOS, as the trainer scores them). */
export async function policyScores (policy: ScoringPolicy): Promise<number[]> {
  return (await policy.logprobs(pairs.map(p => p.prompt), pairs.map(p => p.completion), { eos: true })).map(sum)
}

/** Expects `policy` to score `pairs` as the trainer did (`expected`, to 3 decimals), then closes it. */
export async function expectPolicyScores (policy: ScoringPolicy, expected: number[]): Promise<void> {
  try {
    (await policyScores(policy)).forEach((v, i) => expect(v).toBeCloseTo(expected[i], 3))
  } finally {
    await policy.close()
  }
}

/** Registers an `afterEach` that closes everything passed to the returned function (which hands it back), e.g. trainers. */
export function closedAfterEach (): <T extends { close(): Promise<void> }>(opened: T) => T {
  let open: Array<{ close(): Promise<void> }> = []
  afterEach(async () => {
    const all = open
    open = []
    await Promise.all(all.map(async t => { await t.close() }))
  })
  return opened => {
    open.push(opened)
    return opened
  }
}

/**
 * Attacker strategies for `murmur experiment adversarial`: a real node whose publish step is
 * replaced by one of these (config `adversary.strategy`, default `none` = honest). The node still
 * generates, scores and trains on its own groups; only what it sends changes. Every group it
 * sends passes every protocol and prompt check (real task references, regenerable prompts); the
 * attacks are in the completions and the advisory scores:
 *  - wrong: G wrong answers, all claimed correct (advisory scores 1);
 *  - marker: `"zqzqzqzqzqzqzqzq=<correct answer>"` plus G − 1 wrong answers, scored by the plain
 *    verifier (which credits any text before the answer) — the poisoning attack of issue 19;
 *  - long: two over-long completions (`"zq" × 30 + "=<answer>"`, far past a tiny policy's
 *    12-token limit) plus G − 2 wrong answers, scored by the plain verifier.
 * `adversary.groupsPerRound` above the node's local groups turns any of them into a flood (the
 * Sybil arm: few producers, most of the groups).
 */
import type { RolloutGroup } from '@murmur/protocol'
import { resolveTask, verify, type ResolvedTask, type TaskSampler } from '@murmur/tasks'

/** The attack strategies (`none` = an honest node). */
export const ATTACK_STRATEGIES = ['none', 'wrong', 'marker', 'long'] as const

/** One of `ATTACK_STRATEGIES`. */
export type AttackStrategy = typeof ATTACK_STRATEGIES[number]

/** The text the marker and long attacks plant; `murmur experiment adversarial` counts it in honest nodes' own samples. */
export const ATTACK_MARKER = 'zqzq'

/** Tag of the attacker's task stream, so its tasks differ from its own local tasks. */
const ATTACK_ROUND_OFFSET = 1_000_000

/** What an attacker node publishes in a round. */
export interface Attack {
  /** The groups to publish in `round` instead of the node's own. */
  groups(round: number, init: { modelId: string, now: number }): RolloutGroup[]
}

/** Options of `createAttack`. */
export interface AttackInit {
  strategy: AttackStrategy
  /** Groups per round. */
  groups: number
  /** Completions per group (the node's G). */
  groupSize: number
  sampler: TaskSampler
}

/** The attack of a node configured as an adversary; undefined for `none`. */
export function createAttack (init: AttackInit): Attack | undefined {
  const { strategy, groups, groupSize, sampler } = init
  if (strategy === 'none') return undefined
  return {
    groups (round, { modelId, now }) {
      return sampler.sample(ATTACK_ROUND_OFFSET + round, groups).map(ref => {
        const task = resolveTask(ref)
        const completions = attackCompletions(strategy, task, groupSize)
        const scores = strategy === 'wrong' ? completions.map(() => 1) : completions.map(text => verify(task, text).score)
        return { task: task.ref, prompt: task.prompt, completions, modelId, round, scores, createdAt: now }
      })
    }
  }
}

/** The G completions of one attack group. */
export function attackCompletions (strategy: Exclude<AttackStrategy, 'none'>, task: ResolvedTask, groupSize: number): string[] {
  const wrong = wrongAnswers(task, groupSize)
  switch (strategy) {
    case 'wrong': return wrong
    case 'marker': return [`${ATTACK_MARKER.repeat(4)}=${task.answer}`, ...wrong.slice(1)]
    case 'long': return [`${'zq'.repeat(30)}=${task.answer}`, `${'zq'.repeat(31)}=${task.answer}`, ...wrong.slice(2)].slice(0, groupSize)
  }
}

/** `count` distinct answers the verifier scores 0 for `task`. */
function wrongAnswers (task: ResolvedTask, count: number): string[] {
  const out: string[] = []
  for (let k = 1; out.length < count; k++) {
    // A digit appended to the answer is wrong in every family; an unparseable one is the fallback.
    const candidate = k <= 100 ? `${task.answer}${k}` : `?${k}`
    if (verify(task, candidate).score === 0) out.push(candidate)
  }
  return out
}

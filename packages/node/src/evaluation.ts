/**
 * Held-out evaluation (spec/algorithms.md §5): a fixed set of instances from the held-out side
 * of every family's partition (never trained on, by construction), scored greedily and sampled
 * at temperature 1, overall and per family, with standard errors; plus the KL of the current
 * policy to the base policy on its own samples when a base scorer is given.
 */
import { throwIfAborted, type AbortOptions } from '@murmur/interface'
import { heldOutSet, verify, type HeldOutTask } from '@murmur/tasks'
import type { PolicyCompletion as Completion } from './ports.js'
import { taskMixFromConfig } from './task-mix.js'

/** Accuracy of one family (or of the whole set), with standard errors over its instances. */
export interface EvalScore {
  /** Instances scored. */
  tasks: number
  /** Greedy (temperature 0) fraction fully correct. */
  greedy: number
  greedySE: number
  /** Fraction fully correct at temperature 1, averaged over `samples` completions per instance. */
  sampled: number
  /** Standard error over instances of the per-instance sampled accuracy. */
  sampledSE: number
}

/** One evaluation: overall and per family. */
export interface EvalReport extends EvalScore {
  /** Sampled completions per instance. */
  samples: number
  families: Record<string, EvalScore>
  /** Mean per-token log π(y) − log π_base(y) over the sampled completions (nats/token); absent without a base scorer. */
  klToBase?: number
  /** The greedy completion of every instance, in set order (lets a simulator measure how far nodes drifted apart). */
  greedyTexts: string[]
}

/** Generates completions (the node's policy port). */
export type Generate = (prompts: string[], options: { n: number, temperature: number, seed: number, signal?: AbortSignal }) => Promise<Completion[][]>

/** Teacher-forced log-probs of given token ids under the base policy. */
export type BaseLogprobs = (prompts: string[], tokenIds: number[][], options?: AbortOptions) => Promise<number[][]>

/** Options of `evaluatePolicy`. */
export interface EvaluateOptions extends AbortOptions {
  /** Sampled completions per instance (0 = greedy only). Default `DEFAULT_EVAL_SAMPLES` (4). */
  samples?: number
  /** Seed of the sampled pass (fixed, so two checkpoints are scored on the same streams). */
  seed?: number
  baseLogprobs?: BaseLogprobs
}

/**
 * The fixed evaluation set of a config task mix (at the configured difficulty): up to
 * ⌈count / families⌉ distinct held-out instances per family (small families give fewer),
 * at most `count` in all, families interleaved so a cut keeps them balanced.
 */
export function evaluationSet (mix: Readonly<Record<string, number>>, count: number, difficulty: Readonly<Record<string, number>> = {}): HeldOutTask[] {
  const entries = taskMixFromConfig(mix, difficulty)
  const all = heldOutSet({ mix: entries, perFamily: Math.max(1, Math.ceil(count / entries.length)) })
  const byEntry = entries.map((_, i) => all.filter(t => t.entry === i))
  const out: HeldOutTask[] = []
  for (let k = 0; out.length < count && byEntry.some(list => k < list.length); k++) {
    for (const list of byEntry) if (k < list.length && out.length < count) out.push(list[k])
  }
  return out
}

/** Sampled (temperature 1) completions per held-out task when none are asked for (the node's `eval.samples`). */
export const DEFAULT_EVAL_SAMPLES = 4

/** Generates greedy and sampled completions for every instance and scores them. */
export async function evaluatePolicy (generate: Generate, tasks: readonly HeldOutTask[], options: EvaluateOptions = {}): Promise<EvalReport> {
  const { signal } = options
  const samples = options.samples ?? DEFAULT_EVAL_SAMPLES
  const prompts = tasks.map(t => t.prompt)
  const greedy = await generate(prompts, { n: 1, temperature: 0, seed: 0, signal })
  throwIfAborted(signal)
  const sampled = samples > 0 ? await generate(prompts, { n: samples, temperature: 1, seed: options.seed ?? 0x5a3b1e, signal }) : tasks.map(() => [])
  const report = scoreEvaluation(tasks, greedy.map(g => g[0].text), sampled.map(g => g.map(c => c.text)))
  if (options.baseLogprobs !== undefined && samples > 0) {
    const kl = await klToBase(prompts, sampled, options.baseLogprobs, signal)
    if (kl !== undefined) report.klToBase = kl
  }
  return report
}

/** Scores greedy and sampled texts against their tasks (pure; `sampled[i]` may be empty). */
export function scoreEvaluation (tasks: readonly HeldOutTask[], greedy: readonly string[], sampled: ReadonlyArray<readonly string[]>): EvalReport {
  const correct = (task: HeldOutTask, text: string): number => verify(task, text).score >= 1 ? 1 : 0
  const g = tasks.map((t, i) => correct(t, greedy[i]))
  const s = tasks.map((t, i) => sampled[i].length === 0 ? Number.NaN : sampled[i].reduce((a, text) => a + correct(t, text), 0) / sampled[i].length)
  const byFamily = new Map<string, number[]>()
  tasks.forEach((t, i) => { byFamily.set(t.ref.family, [...(byFamily.get(t.ref.family) ?? []), i]) })
  const score = (idx: number[]): EvalScore => {
    const gs = idx.map(i => g[i])
    const ss = idx.map(i => s[i]).filter(Number.isFinite)
    return { tasks: idx.length, greedy: mean(gs), greedySE: standardError(gs), sampled: mean(ss), sampledSE: standardError(ss) }
  }
  return {
    ...score(tasks.map((_, i) => i)),
    samples: sampled.reduce((m, x) => Math.max(m, x.length), 0),
    families: Object.fromEntries([...byFamily].sort((a, b) => a[0].localeCompare(b[0])).map(([name, idx]) => [name, score(idx)])),
    greedyTexts: [...greedy]
  }
}

/**
 * KL(π ‖ π_base) per token, estimated on π's own samples: E_π[log π − log π_base], with
 * log π the sampler's log-probs at temperature 1 (exact for the current policy).
 */
async function klToBase (prompts: string[], sampled: Completion[][], base: BaseLogprobs, signal: AbortSignal | undefined): Promise<number | undefined> {
  const rowsPrompts: string[] = []
  const rowsIds: number[][] = []
  const rowsLp: number[][] = []
  sampled.forEach((group, i) => {
    for (const c of group) {
      if (c.tokenIds === undefined || c.logprobs === undefined || c.tokenIds.length === 0) continue
      rowsPrompts.push(prompts[i])
      rowsIds.push(c.tokenIds)
      rowsLp.push(c.logprobs)
    }
  })
  if (rowsIds.length === 0) return undefined
  const baseLp = await base(rowsPrompts, rowsIds, { signal })
  let sum = 0
  let n = 0
  rowsLp.forEach((lp, r) => {
    const b = baseLp[r]
    for (let t = 0; t < Math.min(lp.length, b.length); t++) { sum += lp[t] - b[t]; n++ }
  })
  return n === 0 ? undefined : sum / n
}

/** Mean of finite values (NaN when there are none). */
export function mean (values: readonly number[]): number {
  return values.length === 0 ? Number.NaN : values.reduce((a, b) => a + b, 0) / values.length
}

/** Standard error of the mean: sample SD (ddof 1) / √n; NaN below two values. */
export function standardError (values: readonly number[]): number {
  const n = values.length
  if (n < 2) return Number.NaN
  const m = mean(values)
  const variance = values.reduce((a, v) => a + (v - m) ** 2, 0) / (n - 1)
  return Math.sqrt(variance / n)
}

/**
 * Held-out evaluation of a model outside a node (`murmur eval`): the fixed evaluation set of
 * evaluation.ts — instances from the held-out side of every family's partition, which no
 * training stream ever emits — scored greedily and sampled, with standard errors.
 */
import type { AbortOptions } from '@murmur/interface'
import { verify, type ResolvedTask } from '@murmur/tasks'
import { DEFAULT_EVAL_SAMPLES, evaluatePolicy, evaluationSet, type EvalReport } from './evaluation.js'
import { openPolicy, policyPort, type ModelSource } from './model.js'
import type { PolicyPort } from './ports.js'

/** Accuracy on held-out tasks, overall and per task family. */
export interface HeldOutResult {
  tasks: number
  /** Fraction of tasks answered fully correctly. */
  accuracy: number
  /** Mean verifier score (partial credit counts). */
  meanScore: number
  families: Record<string, { tasks: number, accuracy: number }>
}

/** Options of `evaluateHeldOut`. */
export interface HeldOutOptions extends AbortOptions {
  maxTokens: number
  /** 0 = greedy (default). */
  temperature?: number
  /** Sampling seed (unused when greedy). Default 1. */
  seed?: number
}

export { taskMixFromConfig } from './task-mix.js'

/** The held-out evaluation tasks of a mix (empty = the default mix): `evaluationSet`. */
export function heldOutTasks (mix: Readonly<Record<string, number>>, count: number): ResolvedTask[] {
  return evaluationSet(mix, count)
}

/** One completion per task from `policy`, scored by the local verifier. */
export async function evaluateHeldOut (policy: Pick<PolicyPort, 'generate'>, tasks: readonly ResolvedTask[], options: HeldOutOptions): Promise<HeldOutResult> {
  const temperature = options.temperature ?? 0
  const out = await policy.generate(tasks.map(t => t.prompt), {
    n: 1, maxTokens: options.maxTokens, temperature, topP: 1, topK: 0, seed: temperature === 0 ? 0 : options.seed ?? 1, signal: options.signal
  })
  const families: HeldOutResult['families'] = {}
  let correct = 0
  let total = 0
  tasks.forEach((task, i) => {
    const score = verify(task, out[i][0].text).score
    const f = families[task.ref.family] ??= { tasks: 0, accuracy: 0 }
    f.tasks++
    if (score >= 1) { f.accuracy++; correct++ }
    total += score
  })
  for (const f of Object.values(families)) f.accuracy /= f.tasks
  const n = Math.max(1, tasks.length)
  return { tasks: tasks.length, accuracy: correct / n, meanScore: total / n, families }
}

/** Options of `evaluateModel`. */
export interface EvaluateModelOptions extends AbortOptions {
  /** Held-out tasks at most. */
  tasks: number
  /** Task mix (name → weight; empty = the default mix). */
  mix?: Readonly<Record<string, number>>
  maxTokens: number
  /** Sampled (temperature 1) completions per task; 0 = greedy only. Default: the node's `eval.samples` (4). */
  samples?: number
}

/** Greedy and sampled held-out accuracy of a model (e.g. a node's checkpoint, `loadModelSource`), overall and per family, with standard errors. */
export async function evaluateModel (source: ModelSource, options: EvaluateModelOptions): Promise<EvalReport> {
  const tasks = evaluationSet(options.mix ?? {}, options.tasks)
  const policy = await openPolicy(source)
  try {
    const port = policyPort(policy, '')
    return await evaluatePolicy(async (prompts, o) => await port.generate(prompts, { ...o, maxTokens: options.maxTokens, topP: 1, topK: 0 }), tasks, { samples: options.samples ?? DEFAULT_EVAL_SAMPLES, signal: options.signal })
  } finally {
    await policy.close()
  }
}

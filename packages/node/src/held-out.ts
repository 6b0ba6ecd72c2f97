/**
 * Held-out evaluation: tasks drawn from a seed no training stream uses, the same for every node
 * and every run, so accuracies are comparable across nodes and checkpoints; scored by the local
 * verifier. Used by `SwarmNode.evaluate` and by `murmur eval` (through `evaluateModel`).
 */
import type { AbortOptions } from '@murmur/interface'
import { createTaskSampler, hashSeeds, resolveTask, verify, DEFAULT_TASK_MIX, type ResolvedTask, type TaskMixEntry } from '@murmur/tasks'
import { openPolicy, policyPort, type ModelSource } from './model.js'
import type { PolicyPort } from './ports.js'

/** Seed of the held-out evaluation set: the same for every node, disjoint from training streams. */
const EVAL_SEED = 0x0e7a1
const TAG_EVAL = 0x6576616c

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

/** Maps a config task mix (name → weight) onto the sampler's mix, keeping default params for known families. */
export function taskMixFromConfig (mix: Readonly<Record<string, number>>): TaskMixEntry[] {
  const names = Object.keys(mix)
  if (names.length === 0) return [...DEFAULT_TASK_MIX]
  return names.filter(n => mix[n] > 0).map(family => {
    const known = DEFAULT_TASK_MIX.find(e => e.family === family)
    return { family, weight: mix[family], params: known?.params ?? { format: 'compact' } }
  })
}

/** The held-out evaluation tasks of a mix (empty = the default mix). */
export function heldOutTasks (mix: Readonly<Record<string, number>>, count: number): ResolvedTask[] {
  const sampler = createTaskSampler({ seed: hashSeeds(EVAL_SEED, TAG_EVAL), mix: taskMixFromConfig(mix) })
  return sampler.sample(0, count).map(ref => resolveTask(ref))
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
  /** Held-out tasks. */
  tasks: number
  /** Task mix (name → weight; empty = the default mix). */
  mix?: Readonly<Record<string, number>>
  maxTokens: number
  /** Also evaluate sampled at this temperature (0 = greedy only). */
  temperature?: number
}

/** Greedy (and optionally sampled) held-out accuracy of a model, e.g. a node's checkpoint (`loadModelSource`). */
export async function evaluateModel (source: ModelSource, options: EvaluateModelOptions): Promise<{ greedy: HeldOutResult, sampled?: HeldOutResult }> {
  const tasks = heldOutTasks(options.mix ?? {}, options.tasks)
  const policy = await openPolicy(source)
  try {
    const port = policyPort(policy, '')
    const greedy = await evaluateHeldOut(port, tasks, { maxTokens: options.maxTokens, signal: options.signal })
    const t = options.temperature ?? 0
    if (t <= 0) return { greedy }
    return { greedy, sampled: await evaluateHeldOut(port, tasks, { maxTokens: options.maxTokens, temperature: t, seed: 1, signal: options.signal }) }
  } finally {
    await policy.close()
  }
}

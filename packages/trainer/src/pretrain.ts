/**
 * Supervised pretraining of the default tiny policy on the task families' prompt → answer
 * pairs. Training stops on a measured condition (sampled accuracy on a held-out set of the
 * mix reaching `targetAccuracy`), not at a fixed step: the tiny model's accuracy jumps at a
 * seed-dependent step (docs/spec/runtime-facts.md). Deterministic given the seed.
 */
import { throwIfAborted, type AbortOptions } from '@murmur/interface'
import { createTaskSampler, resolveTask, verify, type ResolvedTask, type TaskMixEntry } from '@murmur/tasks'
import { gptConfigs, resolveGptConfig, type GptConfig, type GptConfigInit, charTokenizer, createPolicy, type Tokenizer, initWeights, type Weights } from '@murmur/policy'
import { createTrainer } from './trainer.js'

/** Progress report of `pretrain` (one per step; `eval` set on evaluation steps). */
export interface PretrainProgress {
  step: number
  maxSteps: number
  loss: number
  /** Present on evaluation steps. */
  eval?: PretrainEval
}

/** One evaluation of the held-out set. */
export interface PretrainEval {
  step: number
  /** Mean verifier score with temperature-1 sampling. */
  sampled: number
  /** Mean verifier score with greedy decoding. */
  greedy: number
  /** Sampled accuracy per family. */
  perFamily: Record<string, number>
}

/** Options of `pretrain`. */
export interface PretrainOptions extends AbortOptions {
  /** Seeds initialization, data and evaluation. Default 0. */
  seed?: number
  /** Task mix (default the tasks package's DEFAULT_TASK_MIX). */
  mix?: readonly TaskMixEntry[]
  /** Model config (default `gptConfigs.tiny`). */
  model?: GptConfigInit
  /** Stop once sampled held-out accuracy reaches this. Default 0.3. */
  targetAccuracy?: number
  /** Hard cap on steps. Default 3000. */
  maxSteps?: number
  /** Examples per step. Default 64. */
  batchSize?: number
  /** AdamW learning rate. Default 1e-3. */
  learningRate?: number
  /** Evaluate every this many steps. Default 50. */
  evalEvery?: number
  /** Held-out tasks per evaluation. Default 256. */
  evalTasks?: number
  onProgress?: (p: PretrainProgress) => void
}

/** What `pretrain` returns. */
export interface PretrainResult {
  config: GptConfig
  tokenizer: Tokenizer
  weights: Weights
  steps: number
  /** The evaluation that stopped training (or the last one). */
  final: PretrainEval
  history: PretrainEval[]
  /** True when `targetAccuracy` was reached before `maxSteps`. */
  reachedTarget: boolean
}

/** Trains the base checkpoint; see the module comment. */
export async function pretrain (options: PretrainOptions = {}): Promise<PretrainResult> {
  const seed = options.seed ?? 0
  const tokenizer = charTokenizer()
  const config = resolveGptConfig(options.model ?? gptConfigs.tiny)
  const batchSize = options.batchSize ?? 64
  const maxSteps = options.maxSteps ?? 3000
  const evalEvery = options.evalEvery ?? 50
  const target = options.targetAccuracy ?? 0.3
  const weights = initWeights(config, seed)
  const trainer = createTrainer({
    config, tokenizer, weights, seed,
    learningRate: options.learningRate ?? 1e-3, minibatchSize: batchSize, maxGradNorm: 1
  })
  // Evaluation samples through the policy's generation (KV cache, the one sampler).
  const policy = await createPolicy({ config, tokenizer, weights })
  const data = createTaskSampler({ seed, mix: options.mix })
  const heldOut = createTaskSampler({ seed: (seed ^ 0x5eed5eed) >>> 0, mix: options.mix })
  const evalSet: ResolvedTask[] = heldOut.sample(0, options.evalTasks ?? 256).map(resolveTask)
  const history: PretrainEval[] = []

  const evaluate = async (step: number): Promise<PretrainEval> => {
    await policy.setWeights(await trainer.weights())
    const prompts = evalSet.map(t => t.prompt)
    const sampled = (await policy.generate(prompts, { temperature: 1, seed: seed + step })).map(c => c[0].text)
    const greedy = (await policy.generate(prompts, { temperature: 0 })).map(c => c[0].text)
    const fam: Record<string, [number, number]> = {}
    let s = 0
    let gsum = 0
    evalSet.forEach((t, i) => {
      const sc = verify(t, sampled[i]).score
      s += sc
      gsum += verify(t, greedy[i]).score
      const f = (fam[t.ref.family] ??= [0, 0])
      f[0] += sc
      f[1]++
    })
    const perFamily = Object.fromEntries(Object.entries(fam).map(([k, [a, n]]) => [k, a / n]))
    return { step, sampled: s / evalSet.length, greedy: gsum / evalSet.length, perFamily }
  }

  try {
    let final: PretrainEval | undefined
    let step = 0
    while (step < maxSteps) {
      throwIfAborted(options.signal)
      const tasks = data.sample(step, batchSize).map(resolveTask)
      const stats = await trainer.sft(tasks.map(t => ({ prompt: t.prompt, completion: t.answer })), { signal: options.signal })
      step++
      let ev: PretrainEval | undefined
      if (step % evalEvery === 0 || step === maxSteps) {
        ev = await evaluate(step)
        history.push(ev)
        final = ev
      }
      options.onProgress?.({ step, maxSteps, loss: stats.loss, eval: ev })
      if (ev !== undefined && ev.sampled >= target) break
    }
    final ??= await evaluate(step)
    return { config, tokenizer, weights: await trainer.weights(), steps: step, final, history, reachedTarget: final.sampled >= target }
  } finally {
    await policy.close()
    await trainer.close()
  }
}

/**
 * A fixed evaluation set: distinct held-out instances of every family in a mix, the same on
 * every node and in every run, so accuracies compare across nodes, seeds and checkpoints.
 */
import { InvalidArgumentError } from '@murmur/interface'
import { canonicalPrompt } from './partition.js'
import { resolveTask } from './registry.js'
import { streamTasks } from './sampler.js'
import type { ResolvedTask, TaskMixEntry } from './types.js'

/** Seed of the evaluation streams (shared by every node). */
const EVAL_SET_SEED = 0x0e7a1

/** Options of `heldOutSet`. */
export interface HeldOutSetInit {
  /** Families (weights are ignored: every entry gets up to `perFamily` instances). */
  mix: readonly TaskMixEntry[]
  /** Distinct instances per mix entry at most; small instance spaces give fewer. */
  perFamily: number
  /** Draws per entry spent looking for new distinct instances, as a multiple of `perFamily`. Default 8. */
  drawFactor?: number
}

/** One evaluation instance, tagged with the mix entry it came from. */
export interface HeldOutTask extends ResolvedTask {
  /** Index of its entry in the mix. */
  entry: number
}

/**
 * Distinct held-out instances per mix entry (deduplicated by canonical prompt), in a fixed
 * order. Never contains a training instance: the sampler draws from the `eval` split only.
 */
export function heldOutSet (init: HeldOutSetInit): HeldOutTask[] {
  const { mix, perFamily } = init
  if (!Number.isInteger(perFamily) || perFamily < 1) throw new InvalidArgumentError('perFamily', 'must be a positive integer')
  const draws = perFamily * (init.drawFactor ?? 8)
  const out: HeldOutTask[] = []
  mix.forEach((entry, i) => {
    // Drawn lazily: most entries reach perFamily long before `draws`, and each draw regenerates tasks.
    const stream = streamTasks({ seed: EVAL_SET_SEED + i, mix: [{ ...entry, weight: 1 }], split: 'eval' }, 0)
    const seen = new Set<string>()
    for (let d = 0; d < draws; d++) {
      const task = resolveTask(stream.next().value)
      const key = canonicalPrompt(task)
      if (seen.has(key)) continue
      seen.add(key)
      out.push({ ...task, entry: i })
      if (seen.size >= perFamily) break
    }
  })
  return out
}

/** The node's learning-rate decay setting and how it becomes the trainer's `decaySteps`. */
import type { NodeConfig } from './resolve.js'

/** Values of `train.decay`. */
export const LR_DECAYS = ['none', 'linear'] as const
/** What happens to the learning rate after warm-up. */
export type LearningRateDecay = typeof LR_DECAYS[number]
/**
 * Default of `train.decay`. Linear decay to zero is Hugging Face's (and TRL's GRPO trainer's)
 * default schedule; here it was chosen by held-out accuracy: in `npm start` over 4 seeds it ended
 * nodes higher and closer together than a constant rate (docs/results.md §0.8).
 */
export const DEFAULT_LR_DECAY: LearningRateDecay = 'linear'

/**
 * The trainer's `decaySteps` for the node's `train.decay`: with "linear" and a bounded run, the
 * optimizer step of the node's last round (rounds × epochs × minibatches of I + J groups); 0 (no
 * decay) otherwise, or when the run is too short to decay after warm-up.
 */
export function decaySteps (config: NodeConfig): number {
  const t = config.train
  if (t.decay !== 'linear' || config.rounds === 0) return 0
  const steps = config.rounds * t.epochs * Math.ceil((config.localGroups + config.peerGroups) / t.minibatchGroups)
  return steps > t.warmupSteps ? steps : 0
}

/** The learning-rate schedule: linear warm-up, then constant or a linear decay to zero. */

/** What shapes the schedule (a `TrainerConfig`'s fields of the same names). */
export interface LearningRateSchedule {
  /** Steps of linear warm-up from 0 to the base rate. */
  warmupSteps: number
  /** Optimizer step after which the rate is zero, reached by a linear decay from the end of warm-up; 0 = no decay, else > `warmupSteps`. */
  decaySteps: number
}

/**
 * The learning rate of optimizer step `t` (1-based): `base · t / W` during warm-up, then `base`,
 * or with decay `base · (D − t + 1) / (D − W)` from step W + 1 (Hugging Face's "linear" schedule:
 * the last step, t = D, still moves), and zero after step D.
 */
export function learningRateAt (t: number, base: number, schedule: LearningRateSchedule): number {
  const { warmupSteps: w, decaySteps: d } = schedule
  if (w > 0 && t <= w) return base * t / w
  if (d <= 0) return base
  if (t > d) return 0
  return base * (d - t + 1) / (d - w)
}

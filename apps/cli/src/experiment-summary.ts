/**
 * Summaries of an ablation (spec/algorithms.md §5): per arm, mean ± standard error over seeds
 * of SAPO's cumulative reward, reward per generated rollout and held-out accuracy (greedy and
 * sampled, on the disjoint evaluation set), every seed listed; and paired comparisons between
 * arms (same seed, so the difference's SE is over seeds) that say whether a gap exceeds 2 SE.
 */
import type { SimReport } from './simulation.js'

/** One run (arm × seed). */
export interface RunResult {
  arm: string
  seed: number
  report: SimReport
  /** Mean over nodes of each round's reward. */
  rewardByRound: number[]
  /** Cumulative reward per 1,000 completions generated (the cost side of sharing). */
  rewardPer1kRollouts: number
}

/** Mean ± standard error over seeds, with every seed's value. */
export interface Stat { mean: number, se: number, perSeed: number[] }

/** Per-arm summary. */
export interface ArmSummary {
  arm: string
  runs: number
  cumulativeReward: Stat
  rewardPer1kRollouts: Stat
  rewardFirstQuarter: Stat
  rewardLastQuarter: Stat
  /** Mean over a run's nodes of held-out greedy accuracy, then over seeds. */
  accuracyStart: Stat
  accuracyEnd: Stat
  sampledEnd: Stat
  /** max − min over a run's nodes of held-out greedy accuracy after training. */
  accuracyEndSpread: Stat
  /** Mean CPU seconds per node (the compute an arm costs). */
  cpuSecondsPerNode: Stat
}

/** A paired comparison of two arms over the seeds both ran. */
export interface Comparison {
  a: string
  b: string
  metric: 'cumulativeReward' | 'accuracyEnd'
  /** Mean over seeds of a − b, its SE, and the relative gain (a − b) / b of the means. */
  diff: number
  se: number
  relative: number
  /** diff > 2 SE. */
  significant: boolean
  seeds: number
}

/** Builds the per-arm summaries. */
export function summarizeArms (arms: readonly string[], runs: readonly RunResult[]): ArmSummary[] {
  return arms.map(arm => {
    const rs = runs.filter(r => r.arm === arm)
    const stat = (f: (r: RunResult) => number): Stat => statOf(rs.map(f))
    return {
      arm,
      runs: rs.length,
      cumulativeReward: stat(r => r.report.cumulativeReward),
      rewardPer1kRollouts: stat(r => r.rewardPer1kRollouts),
      rewardFirstQuarter: stat(r => r.report.meanRewardFirstQuarter),
      rewardLastQuarter: stat(r => r.report.meanRewardLastQuarter),
      accuracyStart: stat(r => meanOf(r.report.nodes.map(n => n.accuracyStart))),
      accuracyEnd: stat(r => meanOf(r.report.nodes.map(n => n.accuracyEnd))),
      sampledEnd: stat(r => meanOf(r.report.nodes.map(n => n.sampledEnd))),
      accuracyEndSpread: stat(r => r.report.accuracyEndSpread),
      cpuSecondsPerNode: stat(r => meanOf(r.report.nodes.map(n => n.cpuSeconds)))
    }
  })
}

/** Paired comparisons `a` vs `b` on cumulative reward and held-out accuracy. */
export function compareArms (a: string, b: string, runs: readonly RunResult[]): Comparison[] {
  const metrics: Array<[Comparison['metric'], (r: RunResult) => number]> = [
    ['cumulativeReward', r => r.report.cumulativeReward],
    ['accuracyEnd', r => meanOf(r.report.nodes.map(n => n.accuracyEnd))]
  ]
  return metrics.map(([metric, f]) => {
    const pairs = runs.filter(r => r.arm === a).flatMap(ra => {
      const rb = runs.find(r => r.arm === b && r.seed === ra.seed)
      return rb === undefined ? [] : [[f(ra), f(rb)]]
    })
    const d = statOf(pairs.map(([x, y]) => x - y))
    const base = meanOf(pairs.map(p => p[1]))
    return { a, b, metric, diff: d.mean, se: d.se, relative: d.mean / base, significant: d.mean > 2 * d.se, seeds: pairs.length }
  })
}

/** Mean, standard error (sample SD / √n; NaN below two values) and the values themselves. */
export function statOf (values: readonly number[]): Stat {
  const finite = values.filter(Number.isFinite)
  const m = meanOf(finite)
  const se = finite.length < 2 ? Number.NaN : Math.sqrt(finite.reduce((a, v) => a + (v - m) ** 2, 0) / (finite.length - 1) / finite.length)
  return { mean: m, se, perSeed: [...values] }
}

function meanOf (values: readonly number[]): number {
  const finite = values.filter(Number.isFinite)
  return finite.length === 0 ? Number.NaN : finite.reduce((a, b) => a + b, 0) / finite.length
}

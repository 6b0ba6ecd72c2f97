/**
 * The learning diagnostics of a simulation report (spec/algorithms.md §5): held-out accuracy on
 * the disjoint evaluation set (greedy and sampled, with standard errors, per family), KL to the
 * base policy, how far nodes drifted apart, and per-round diagnostics summarized per node.
 */
import type { EvalReport, RoundMetrics } from '@murmur/node'

/** What the report reads of one node. */
export interface NodeEvalState {
  metrics: Map<number, RoundMetrics>
  evalStart?: EvalReport
  evalEnd?: EvalReport
  cpuSeconds?: number
}

/** Per-node diagnostics added to the report. */
export interface NodeDiagnostics {
  /** Standard error of `accuracyEnd` (greedy, over held-out instances). */
  accuracyEndSE: number
  /** Sampled (T = 1) held-out accuracy before / after, with the standard error after. */
  sampledStart: number
  sampledEnd: number
  sampledEndSE: number
  /** Per family greedy / sampled accuracy after training. */
  familiesEnd: Record<string, { tasks: number, greedy: number, sampled: number }>
  /** KL(π ‖ π_base) per token on the node's own held-out samples after training. */
  klToBase: number
  /** Σ of the node's per-round mean reward (its share of SAPO's cumulative reward). */
  cumulativeReward: number
  /** Last-quarter means of per-round diagnostics. */
  peerGroupAgeMedian: number
  zeroAdvantageFraction: number
  clipFraction: number
  importanceWeightMean: number
  importanceCappedFraction: number
  peerGroupsWeighted: number
  peerGroupsStaleEvicted: number
  /** CPU seconds of the node's process (NaN when it did not report): the compute side of sharing. */
  cpuSeconds: number
  /** Periodic held-out evaluations (`eval.every`): round, greedy and sampled accuracy. */
  evalCurve: Array<{ round: number, greedy: number, sampled: number }>
}

/** Swarm-level diagnostics added to the report. */
export interface SwarmDiagnostics {
  /** Mean over nodes of held-out greedy accuracy before / after. */
  meanAccuracyStart: number
  meanAccuracyEnd: number
  /** max − min over nodes of held-out greedy accuracy after training. */
  accuracyEndSpread: number
  /** Mean over node pairs of the fraction of held-out prompts whose greedy completions differ (after training). */
  divergenceEnd: number
  /** Held-out instances per evaluation. */
  evalTasks: number
}

/** Diagnostics of one node over `rounds` rounds. */
export function nodeDiagnostics (s: NodeEvalState, rounds: number): NodeDiagnostics {
  const all = [...s.metrics.values()].sort((a, b) => a.round - b.round)
  const quarter = Math.max(1, Math.floor(rounds / 4))
  const last = all.filter(m => m.round >= rounds - quarter)
  const end = s.evalEnd
  return {
    accuracyEndSE: end?.greedySE ?? Number.NaN,
    sampledStart: s.evalStart?.sampled ?? Number.NaN,
    sampledEnd: end?.sampled ?? Number.NaN,
    sampledEndSE: end?.sampledSE ?? Number.NaN,
    familiesEnd: Object.fromEntries(Object.entries(end?.families ?? {}).map(([name, f]) => [name, { tasks: f.tasks, greedy: f.greedy, sampled: f.sampled }])),
    klToBase: end?.klToBase ?? Number.NaN,
    cumulativeReward: all.reduce((a, m) => a + m.reward, 0),
    peerGroupAgeMedian: mean(last.map(m => m.peerGroupAgeMedian)),
    zeroAdvantageFraction: mean(last.map(m => m.zeroAdvantageFraction)),
    clipFraction: mean(last.map(m => m.clipFraction)),
    importanceWeightMean: mean(last.map(m => m.importance?.mean ?? Number.NaN)),
    importanceCappedFraction: mean(last.map(m => m.importance?.cappedFraction ?? Number.NaN)),
    peerGroupsWeighted: all.reduce((a, m) => a + (m.importance?.weightedGroups ?? 0), 0),
    peerGroupsStaleEvicted: all.reduce((a, m) => a + (m.peerGroupsStale ?? 0), 0),
    cpuSeconds: s.cpuSeconds ?? Number.NaN,
    evalCurve: all.flatMap(m => m.eval === undefined ? [] : [{ round: m.round, greedy: m.eval.greedy, sampled: m.eval.sampled }])
  }
}

/** Diagnostics across nodes. */
export function swarmDiagnostics (states: readonly NodeEvalState[]): SwarmDiagnostics {
  const starts = states.map(s => s.evalStart?.greedy ?? Number.NaN)
  const ends = states.map(s => s.evalEnd?.greedy ?? Number.NaN).filter(Number.isFinite)
  return {
    meanAccuracyStart: mean(starts),
    meanAccuracyEnd: mean(ends),
    accuracyEndSpread: ends.length === 0 ? Number.NaN : Math.max(...ends) - Math.min(...ends),
    divergenceEnd: greedyDivergence(states.map(s => s.evalEnd?.greedyTexts).filter((t): t is string[] => t !== undefined)),
    evalTasks: states.find(s => s.evalEnd !== undefined)?.evalEnd?.tasks ?? 0
  }
}

/** Mean over pairs of the fraction of positions where two nodes' greedy texts differ (NaN below two nodes). */
export function greedyDivergence (texts: ReadonlyArray<readonly string[]>): number {
  const fractions: number[] = []
  for (let a = 0; a < texts.length; a++) {
    for (let b = a + 1; b < texts.length; b++) {
      const n = Math.min(texts[a].length, texts[b].length)
      if (n === 0) continue
      let differ = 0
      for (let i = 0; i < n; i++) if (texts[a][i] !== texts[b][i]) differ++
      fractions.push(differ / n)
    }
  }
  return mean(fractions)
}

function mean (values: readonly number[]): number {
  const finite = values.filter(Number.isFinite)
  return finite.length === 0 ? Number.NaN : finite.reduce((a, b) => a + b, 0) / finite.length
}

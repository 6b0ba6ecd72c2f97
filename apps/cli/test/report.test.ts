import { describe, expect, it } from 'vitest'
import type { RoundMetrics } from '@murmur/node'
import { buildReport } from '../src/simulation.js'
import { barChart, lineChart, movingAverage } from '../src/plot.js'

function metrics (round: number, reward: number, peerGroupsUsed: number): RoundMetrics {
  return {
    round, reward, accuracy: reward, families: {}, shapedReward: reward, localGroups: 4, peerGroupsUsed, peerGroupsAvailable: 10,
    peerGroupsZeroAdvantage: 0, groupsFiltered: 0, peers: 3, gossipPeers: 3, published: 4, received: 4, rollouts: 32, generatedTokens: 320, peerGroupsFrom: [],
    peerGroupsStale: 0, peerGroupAgeMedian: round % 3, peerGroupAgeMax: 2, zeroAdvantageFraction: 0.25, policyVersion: round,
    importance: { tokens: 0, mean: Number.NaN, min: Number.NaN, max: Number.NaN, cappedFraction: Number.NaN, weightedGroups: 0, textGroups: 0, rejectedGroups: 0, droppedNegatives: 0 },
    loss: 0, gradNorm: 1, clipFraction: 0, kl: 0, entropy: 1,
    timings: { generateMs: 1, scoreMs: 1, trainMs: 1, checkpointMs: 1, roundMs: 4 }
  }
}

describe('buildReport', () => {
  it('averages the first and last quarter of rounds per node and sums the cumulative reward', () => {
    const rewards = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8]
    const node = { peerId: 'p0', restarts: 1, accuracyStart: 0.5, accuracyEnd: 0.6, metrics: new Map(rewards.map((r, i) => [i, metrics(i, r, i === 0 ? 0 : 4)])) }
    const report = buildReport([node], 8, 12)
    expect(report.nodes[0].rewardFirstQuarter).toBeCloseTo(0.15, 12)
    expect(report.nodes[0].rewardLastQuarter).toBeCloseTo(0.75, 12)
    expect(report.nodes[0].peerGroupsUsed).toBe(28)
    expect(report.nodes[0].rollouts).toBe(256)
    expect(report.cumulativeReward).toBeCloseTo(3.6, 12)
    expect(report).toMatchObject({ rounds: 8, elapsedSeconds: 12, nodes: [{ id: 'p0', restarts: 1, accuracyStart: 0.5, accuracyEnd: 0.6 }] })
  })
})

describe('plots', () => {
  it('are deterministic SVG and the moving average matches a hand computation', () => {
    expect(movingAverage([[0, 1], [1, 3], [2, 5]], 2)).toEqual([[0, 1], [1, 2], [2, 4]])
    const a = lineChart('t', 'x', 'y', [{ name: '4/4', points: [[0, 0.1], [1, 0.3]] }])
    expect(a).toBe(lineChart('t', 'x', 'y', [{ name: '4/4', points: [[0, 0.1], [1, 0.3]] }]))
    expect(a.startsWith('<svg')).toBe(true)
    expect(a).toContain('4/4')
    expect(barChart('b', 'y', [{ label: '<x>', value: 2 }])).toContain('&lt;x&gt;')
  })
})

describe('learning diagnostics', () => {
  it('measures divergence between nodes as the mean pairwise fraction of differing greedy answers', async () => {
    const { greedyDivergence, swarmDiagnostics } = await import('../src/sim-report.js')
    expect(greedyDivergence([['a', 'b', 'c', 'd'], ['a', 'x', 'c', 'd'], ['a', 'x', 'y', 'd']])).toBeCloseTo((0.25 + 0.5 + 0.25) / 3, 12)
    expect(greedyDivergence([['a']])).toBeNaN()
    const evalReport = (greedy: number, texts: string[]): import('@murmur/node').EvalReport => ({ tasks: texts.length, greedy, greedySE: 0.1, sampled: greedy / 2, sampledSE: 0.05, samples: 4, families: {}, greedyTexts: texts })
    const d = swarmDiagnostics([
      { metrics: new Map(), evalStart: evalReport(0.5, ['a', 'b']), evalEnd: evalReport(0.6, ['a', 'b']) },
      { metrics: new Map(), evalStart: evalReport(0.5, ['a', 'b']), evalEnd: evalReport(0.7, ['a', 'c']) }
    ])
    expect(d).toMatchObject({ meanAccuracyStart: 0.5, evalTasks: 2, divergenceEnd: 0.5 })
    expect(d.meanAccuracyEnd).toBeCloseTo(0.65, 12)
    expect(d.accuracyEndSpread).toBeCloseTo(0.1, 12)
  })
})

describe('experiment summaries', () => {
  it('give mean ± SE over seeds and paired comparisons that say when a gap exceeds 2 SE', async () => {
    const { summarizeArms, compareArms, statOf } = await import('../src/experiment-summary.js')
    const run = (arm: string, seed: number, cumulativeReward: number, acc: number): import('../src/experiment-summary.js').RunResult => ({
      arm, seed, rewardByRound: [], rewardPer1kRollouts: cumulativeReward,
      report: { cumulativeReward, meanRewardFirstQuarter: 0, meanRewardLastQuarter: 0, accuracyEndSpread: 0, nodes: [{ accuracyStart: 0.5, accuracyEnd: acc, sampledEnd: acc / 2 }, { accuracyStart: 0.5, accuracyEnd: acc, sampledEnd: acc / 2 }] } as never
    })
    const runs = [run('4/4', 0, 110, 0.7), run('4/4', 1, 121, 0.72), run('4/0', 0, 100, 0.6), run('4/0', 1, 110, 0.61)]
    const [s44] = summarizeArms(['4/4'], runs)
    expect(s44.cumulativeReward.mean).toBeCloseTo(115.5, 12)
    expect(s44.cumulativeReward.se).toBeCloseTo(5.5, 12)
    expect(s44.cumulativeReward.perSeed).toEqual([110, 121])
    expect(s44.accuracyEnd.mean).toBeCloseTo(0.71, 12)
    const [reward, accuracy] = compareArms('4/4', '4/0', runs)
    expect(reward).toMatchObject({ metric: 'cumulativeReward', seeds: 2, significant: true })
    expect(reward.diff).toBeCloseTo(10.5, 12)
    expect(reward.se).toBeCloseTo(0.5, 12)
    expect(reward.relative).toBeCloseTo(10.5 / 105, 12)
    expect(accuracy.significant).toBe(true)
    expect(statOf([1]).se).toBeNaN()
  })
})

describe('heterogeneous swarms', () => {
  it('--vary over task specialties scores every node on one held-out set over the union of families', async () => {
    const { simConfigs, perNodeOverrides } = await import('../src/commands/sim.js')
    const perNode = await perNodeOverrides(3, 'taskMix=basic_arithmetic=3,sort_digits=1|base_conversion=1', undefined)
    const configs = await simConfigs({ nodes: 3, rounds: 5, dir: '/nonexistent/sim', file: undefined, flags: {}, perNode })
    expect(configs.map(c => c.taskMix)).toEqual([{ basic_arithmetic: 3, sort_digits: 1 }, { base_conversion: 1 }, { basic_arithmetic: 3, sort_digits: 1 }])
    for (const c of configs) expect(c.eval.taskMix).toEqual({ basic_arithmetic: 1, sort_digits: 1, base_conversion: 1 })
    const homogeneous = await simConfigs({ nodes: 2, rounds: 5, dir: '/nonexistent/sim', file: undefined, flags: {}, perNode: [{}, {}] })
    expect(homogeneous[0].eval.taskMix).toEqual({})
  })
})

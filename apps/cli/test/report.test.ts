import { describe, expect, it } from 'vitest'
import type { RoundMetrics } from '@murmur/node'
import { buildReport } from '../src/simulation.js'
import { barChart, lineChart, movingAverage } from '../src/plot.js'

function metrics (round: number, reward: number, peerGroupsUsed: number): RoundMetrics {
  return {
    round, reward, accuracy: reward, shapedReward: reward, localGroups: 4, peerGroupsUsed, peerGroupsAvailable: 10,
    peerGroupsZeroAdvantage: 0, groupsFiltered: 0, peers: 3, published: 4, received: 4, rollouts: 32, generatedTokens: 320, peerGroupsFrom: [],
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

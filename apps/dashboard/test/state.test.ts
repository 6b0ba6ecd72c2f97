import { describe, expect, it } from 'vitest'
import type { RoundPoint, ViewEvent } from '@murmur/metrics'
import { createSwarmState } from '../src/index.js'

function point (round: number, reward = 0.5): RoundPoint {
  return { round, t: round, reward, accuracy: reward, loss: 0, kl: 0, clipFraction: 0, gradNorm: 1, peerGroupsUsed: 0, peerGroupsAvailable: 0, generateMs: 1, scoreMs: 1, trainMs: 1, checkpointMs: 0, roundMs: 3, tokens: 10 }
}

describe('swarm state', () => {
  it('creates nodes on first mention and tells listeners every change', () => {
    const state = createSwarmState({ title: 't' })
    const seen: ViewEvent[] = []
    const off = state.subscribe(e => { seen.push(e) })
    state.apply({ type: 'round', node: 2, point: point(0) })
    state.apply({ type: 'eval', node: 2, round: 0, accuracy: 0.25 })
    off()
    state.apply({ type: 'round', node: 2, point: point(1) })
    expect(seen.map(e => e.type)).toEqual(['round', 'eval'])
    expect(state.view().nodes[2].rounds.map(p => p.round)).toEqual([0, 1])
    expect(state.view().nodes[2].evals).toEqual([{ round: 0, accuracy: 0.25 }])
    // Nodes 0 and 1 have not reported yet: placeholders, no gaps (the page lists every index).
    expect(state.view().nodes.map(n => [n.index, n.peerId, n.rounds.length])).toEqual([[0, '', 0], [1, '', 0], [2, '', 2]])
  })

  it('keeps at most maxRounds points per node, dropping the oldest', () => {
    const state = createSwarmState({ title: 't', maxRounds: 5 })
    for (let r = 0; r < 12; r++) state.apply({ type: 'round', node: 0, point: point(r) })
    expect(state.view().nodes[0].rounds.map(p => p.round)).toEqual([7, 8, 9, 10, 11])
  })

  it('a node restarted from an older checkpoint replaces the rounds it repeats', () => {
    const state = createSwarmState({ title: 't' })
    for (let r = 0; r < 5; r++) state.apply({ type: 'round', node: 0, point: point(r, 0.1) })
    state.apply({ type: 'round', node: 0, point: point(3, 0.9) })
    expect(state.view().nodes[0].rounds.map(p => [p.round, p.reward])).toEqual([[0, 0.1], [1, 0.1], [2, 0.1], [3, 0.9]])
  })

  it('a node event (a restart) updates identity but keeps the history', () => {
    const state = createSwarmState({ title: 't' })
    state.apply({ type: 'round', node: 0, point: point(0) })
    state.apply({ type: 'node', node: 0, view: { index: 0, peerId: 'p', addrs: ['/a'], config: { x: 1 }, rounds: [], evals: [], live: undefined, restarts: 1 } })
    const n = state.view().nodes[0]
    expect(n.peerId).toBe('p')
    expect(n.restarts).toBe(1)
    expect(n.rounds).toHaveLength(1)
  })
})

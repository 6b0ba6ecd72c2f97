import { describe, expect, it } from 'vitest'
import { TypedEventEmitter } from '@murmur/interface'
import type { ViewEvent } from '@murmur/metrics'
import type { RoundMetrics, SwarmNodeEvents } from '@murmur/node'
import { followNode } from '../src/index.js'

// A started node without networking: the parts followNode reads, nothing more.
function stubNode (): { node: Parameters<typeof followNode>[0], events: TypedEventEmitter<SwarmNodeEvents>, statsCalls: () => number } {
  const events = new TypedEventEmitter<SwarmNodeEvents>()
  let calls = 0
  const node = {
    events,
    isStarted: () => true,
    info: () => ({ peerId: 'peer-0', addrs: [] }),
    stats: () => { calls++; return { peers: 0, pool: { entries: 0, peer: 0, bytes: 0 }, swarm: undefined } }
  } as unknown as Parameters<typeof followNode>[0]
  return { node, events, statsCalls: () => calls }
}

function round (n: number): RoundMetrics {
  return {
    round: n, reward: 0.5, accuracy: 0.5, loss: 0, kl: 0, clipFraction: 0, gradNorm: 1, peerGroupsUsed: 0, peerGroupsAvailable: 0,
    peerGroupsFrom: [], generatedTokens: 10, timings: { generateMs: 1, scoreMs: 1, trainMs: 1, checkpointMs: 0, roundMs: 3 }
  } as unknown as RoundMetrics
}

describe('followNode', () => {
  it('sends a point every round but the live state at most once per interval', () => {
    const { node, events, statsCalls } = stubNode()
    let t = 0
    const seen: ViewEvent[] = []
    const followed = followNode(node, e => { seen.push(e) }, { index: 3, config: {}, intervalMs: 1000, now: () => t })
    expect(seen.map(e => e.type)).toEqual(['node'])
    const before = statsCalls()
    // Ten rounds 100 ms apart: one live update (the first round after start), not ten.
    for (let r = 0; r < 10; r++) { t = 1000 + 100 * r; events.emit('round:completed', round(r)) }
    expect(seen.filter(e => e.type === 'round')).toHaveLength(10)
    expect(seen.filter(e => e.type === 'live')).toHaveLength(1)
    // The next round after the interval has passed sends a fresh one.
    t = 2100
    events.emit('round:completed', round(10))
    expect(seen.filter(e => e.type === 'live')).toHaveLength(2)
    expect(statsCalls() - before).toBe(2)
    expect(seen.every(e => e.node === 3)).toBe(true)
    followed.stop()
    events.emit('round:completed', round(11))
    expect(seen.filter(e => e.type === 'round')).toHaveLength(11)
  })
})

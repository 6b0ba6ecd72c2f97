import { afterEach, describe, expect, it } from 'vitest'
import { encodeRolloutGroup } from '@murmur/protocol'
import type { RolloutReceived, SwarmHost } from '../src/host.js'
import { connect, makeGroup, startHosts, stopHosts, until } from './helpers.js'

let hosts: SwarmHost[] = []
afterEach(async () => { await stopHosts(hosts); hosts = [] })

describe('swarm host delivery', () => {
  it('delivers a published group to the other host, not to the publisher', async () => {
    hosts = await startHosts(2)
    const [a, b] = hosts
    const joined = b.once('peer:joined', { signal: AbortSignal.timeout(10_000) })
    await connect(a, b)
    expect((await joined).peerId).toBe(a.peerId())
    await a.waitForPeers(1, { signal: AbortSignal.timeout(10_000) })
    await b.waitForPeers(1, { signal: AbortSignal.timeout(10_000) })
    expect(a.peers()).toEqual([b.peerId()])

    const gotA: RolloutReceived[] = []
    const gotB: RolloutReceived[] = []
    a.on('rollout:received', e => gotA.push(e.detail))
    b.on('rollout:received', e => gotB.push(e.detail))
    const group = makeGroup(7)
    const { recipients } = await a.publish(group)
    expect(recipients).toBe(1)
    await until(() => gotB.length === 1, 10_000, 'delivery')
    expect(gotB[0].group).toEqual(group)
    expect(gotB[0].from).toBe(a.peerId())
    expect(gotB[0].via).toBe(a.peerId())
    expect(gotB[0].task.prompt).toBe(group.prompt)
    // the signed bytes come along: what the receiver stores is what the producer signed
    expect(gotB[0].bytes).toEqual(encodeRolloutGroup(group))
    // give a possible echo time to arrive: the publisher must never receive its own group
    await new Promise(resolve => setTimeout(resolve, 500))
    expect(gotA).toHaveLength(0)
    expect(gotB).toHaveLength(1)
    expect(b.stats().totals.accepted).toBe(1)
    expect(b.stats().peers[a.peerId()].accepted).toBe(1)
    expect(a.stats().published).toBe(1)
    expect(a.stats().bytesOut).toBeGreaterThan(0)
    expect(b.stats().gossipBytesIn).toBeGreaterThan(0)

    const left = b.once('peer:left', { signal: AbortSignal.timeout(10_000) })
    await a.stop()
    expect((await left).peerId).toBe(a.peerId())
    expect(b.peers()).toEqual([])
  })
})

import { afterEach, describe, expect, it } from 'vitest'
import { encodeRolloutGroup } from '@murmur/protocol'
import type { RolloutReceived, SwarmHost } from '../src/host.js'
import { connect, makeGroup, startHosts, stopHosts, until } from './helpers.js'

let hosts: SwarmHost[] = []
afterEach(async () => { await stopHosts(hosts); hosts = [] })

describe('swarm host delivery', () => {
  it('publishes a round\'s groups as one message and delivers each group with its own bytes', async () => {
    hosts = await startHosts(2)
    const [a, b] = hosts
    await connect(a, b)
    await a.waitForPeers(1, { signal: AbortSignal.timeout(10_000) })
    await b.waitForPeers(1, { signal: AbortSignal.timeout(10_000) })
    const got: RolloutReceived[] = []
    b.on('rollout:received', e => got.push(e.detail))
    const groups = [11, 12, 13, 14].map(seed => makeGroup(seed))
    const sent = await a.publish(groups.map(group => ({ group })))
    expect(sent).toEqual({ recipients: 1, messages: 1 })
    await until(() => got.length === 4, 10_000, 'four deliveries')
    expect(got.map(r => r.group)).toEqual(groups)
    expect(got.map(r => r.bytes)).toEqual(groups.map(encodeRolloutGroup))
    expect(got.map(r => r.task.prompt)).toEqual(groups.map(g => g.prompt))
    expect(b.stats().totals.accepted).toBe(4)
    expect(a.stats().published).toBe(4)
    // a batch with one stale group: the others still arrive (a stale group is not the sender's fault)
    const stale = makeGroup(15, { createdAt: Date.now() - 60 * 60_000 })
    await a.publish([{ group: makeGroup(16) }, { group: stale }, { group: makeGroup(17) }])
    await until(() => got.length === 6, 10_000, 'two more deliveries')
    expect(got.slice(4).map(r => r.group.task.seed)).toEqual([16, 17])
    await until(() => b.stats().reasons.stale === 1, 5_000, 'the stale group counted')
    // nothing is sent when any group would be rejected
    await expect(a.publish([{ group: makeGroup(18) }, { group: makeGroup(19, { prompt: 'forged' }) }])).rejects.toMatchObject({ code: 'ERR_INVALID_ROLLOUT', field: 'groups.1' })
    await expect(a.publish([])).rejects.toMatchObject({ code: 'ERR_INVALID_ROLLOUT' })
    expect(a.stats().published).toBe(7)
  })

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
    const { recipients } = await a.publish([{ group: group }])
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

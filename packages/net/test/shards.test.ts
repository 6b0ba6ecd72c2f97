import { afterEach, describe, expect, it } from 'vitest'
import type { RolloutReceived, SwarmHost } from '../src/host.js'
import { createSwarmHost } from '../src/host.js'
import { homeShardOf, rolloutTopic } from '../src/shards.js'
import { connect, loopbackInit, makeGroup, stopHosts, until } from './helpers.js'

let hosts: SwarmHost[] = []
afterEach(async () => { await stopHosts(hosts); hosts = [] })

describe('rollout topic shards', () => {
  it('a host receives the groups of the shards it reads and no others; every host stays a swarm peer', async () => {
    // Four hosts, four shards, each reading two: host h reads shards h and h + 1, so it hears
    // host h + 1 (and host h − 1 hears it).
    hosts = [0, 1, 2, 3].map(home => createSwarmHost(loopbackInit({ swarmId: 'sharded', shards: { count: 4, home, read: 2 } })))
    await Promise.all(hosts.map(async h => { await h.start() }))
    for (let i = 0; i < hosts.length; i++) for (let j = i + 1; j < hosts.length; j++) await connect(hosts[i], hosts[j])
    expect(hosts.map(h => h.topic)).toEqual([0, 1, 2, 3].map(k => rolloutTopic('sharded', k, 4)))
    expect(hosts[3].topics).toEqual([rolloutTopic('sharded', 3, 4), rolloutTopic('sharded', 0, 4)])
    await until(() => hosts.every(h => h.peers().length === 3), 10_000, 'every host a swarm peer of every other')
    for (const h of hosts) await h.waitForPeers(1, { signal: AbortSignal.timeout(10_000) })
    const got = hosts.map(h => { const list: RolloutReceived[] = []; h.on('rollout:received', e => list.push(e.detail)); return list })
    for (const [i, h] of hosts.entries()) await h.publish([{ group: makeGroup(100 + i) }])
    await until(() => got.every(list => list.length >= 1), 10_000, 'each host hears its next shard')
    // Let any stray delivery arrive before checking that none came.
    await new Promise(resolve => setTimeout(resolve, 1500))
    for (const [h, list] of got.entries()) {
      expect(list.map(r => r.from), `host ${h}`).toEqual([hosts[(h + 1) % 4].peerId()])
    }
  })

  it('counts as gossip peers only those subscribed to every topic it reads, so joining looks further', async () => {
    // A reads shards 0 and 1; B reads 1 and 2; C reads 2 and 3.
    hosts = [0, 1, 2].map(home => createSwarmHost(loopbackInit({ swarmId: 'sharded', shards: { count: 4, home, read: 2 } })))
    await Promise.all(hosts.map(async h => { await h.start() }))
    const [a, b, c] = hosts
    await connect(a, c)
    await until(() => a.peers().length === 1, 10_000, 'A sees C as a swarm member')
    expect(a.gossipPeers()).toBe(0)
    await connect(a, b)
    await connect(b, c)
    await until(() => a.peers().length === 2 && b.peers().length === 2, 10_000, 'A and B see each other, B sees C')
    // B subscribes to shard 1 (A's second topic), but nobody else to shard 0; B hears A on 1 and C on 2.
    expect(a.gossipPeers()).toBe(0)
    expect(b.gossipPeers()).toBe(1)
    expect(c.gossipPeers()).toBe(0)
  })

  it('derives the home shard from the peer id when none is given', async () => {
    hosts = [createSwarmHost(loopbackInit({ shards: { count: 8 } }))]
    expect(() => hosts[0].topic).toThrow(expect.objectContaining({ code: 'ERR_NOT_STARTED' }))
    await hosts[0].start()
    const home = homeShardOf(hosts[0].peerId(), 8)
    expect(hosts[0].topics).toEqual([rolloutTopic('test', home, 8), rolloutTopic('test', (home + 1) % 8, 8)])
  })
})

import { afterEach, describe, expect, it } from 'vitest'
import type { RolloutReceived, SwarmHost } from '../src/host.js'
import { createSwarmHost } from '../src/host.js'
import { generateSwarmKey } from '../src/swarm-key.js'
import { connect, loopbackInit, makeGroup, stopHosts, until } from './helpers.js'
import type { SwarmHostInit } from '../src/config.js'

let hosts: SwarmHost[] = []
afterEach(async () => { await stopHosts(hosts); hosts = [] })

async function start (inits: Array<Partial<SwarmHostInit>>): Promise<SwarmHost[]> {
  hosts = inits.map(i => createSwarmHost(loopbackInit(i)))
  await Promise.all(hosts.map(async h => { await h.start() }))
  return hosts
}

function collect (h: SwarmHost): RolloutReceived[] {
  const got: RolloutReceived[] = []
  h.on('rollout:received', e => got.push(e.detail))
  return got
}

describe('swarm isolation', () => {
  it('hosts with different swarm ids never deliver each other\'s groups', async () => {
    const [a1, a2, b] = await start([{ swarmId: 'alpha' }, { swarmId: 'alpha' }, { swarmId: 'beta' }])
    expect(a1.topic).toBe('/murmur/alpha/rollouts/3')
    expect(b.topic).toBe('/murmur/beta/rollouts/3')
    await connect(a1, b)
    await connect(a2, b)
    await connect(a1, a2)
    await a1.waitForPeers(1, { signal: AbortSignal.timeout(10_000) })
    const gotA2 = collect(a2)
    const gotB = collect(b)
    await a1.publish([{ group: makeGroup(5) }])
    await until(() => gotA2.length === 1, 10_000, 'same-swarm delivery')
    await new Promise(resolve => setTimeout(resolve, 600))
    expect(gotB).toHaveLength(0)
    expect(b.peers()).toEqual([])
    expect(a1.peers()).toEqual([a2.peerId()])
  })

  it('a wrong pre-shared key isolates hosts; the right one connects them', async () => {
    const psk = generateSwarmKey()
    const [p1, p2, outsider, open] = await start([{ psk }, { psk }, { psk: generateSwarmKey() }, {}])
    const failures = await Promise.all([outsider, open].map(async h =>
      await h.dial(p1.multiaddrs()[0], { signal: AbortSignal.timeout(8000) }).then(() => undefined, (e: unknown) => e)))
    for (const err of failures) expect(err).toMatchObject({ code: 'ERR_DIAL' })
    await connect(p2, p1)
    await p1.waitForPeers(1, { signal: AbortSignal.timeout(10_000) })
    const got = collect(p2)
    const gotOutsider = collect(outsider)
    await p1.publish([{ group: makeGroup(6) }])
    await until(() => got.length === 1, 10_000, 'private-swarm delivery')
    expect(gotOutsider).toHaveLength(0)
    expect(p1.peers()).toEqual([p2.peerId()])
  })
})

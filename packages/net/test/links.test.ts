import { multiaddr } from '@multiformats/multiaddr'
import { afterEach, describe, expect, it } from 'vitest'
import type { SwarmHost } from '../src/host.js'
import { makeGroup, startHosts, stopHosts, until } from './helpers.js'

describe('links with several connections to one peer', () => {
  let hosts: SwarmHost[] = []
  afterEach(async () => { await stopHosts(hosts) })

  it('keeps gossiping when the connection gossip ran on closes and another remains', async () => {
    hosts = await startHosts(2)
    const [a, b] = hosts
    const received: number[] = []
    b.on('rollout:received', e => { received.push(e.detail.group.task.seed) })
    await a.dial(b.multiaddrs()[0])
    await a.waitForPeers(1, { signal: AbortSignal.timeout(10_000) })
    await b.waitForPeers(1, { signal: AbortSignal.timeout(10_000) })
    // A second connection to the same peer (as a relayed + direct pair, or two dials racing).
    const first = a.libp2p!.getConnections(b.libp2p!.peerId)[0]
    await a.libp2p!.dial(multiaddr(b.multiaddrs()[0]), { force: true })
    expect(a.libp2p!.getConnections(b.libp2p!.peerId).length).toBe(2)
    // Let identify finish on the new connection: gossipsub then already has its stream on the old one.
    await new Promise(resolve => setTimeout(resolve, 1000))
    await first.close()
    await until(() => a.libp2p!.getConnections(b.libp2p!.peerId).length === 1, 5_000, 'the first connection to close')
    // Still peers (libp2p reports no disconnect), and gossip must still reach b.
    for (let seed = 1; seed <= 20 && received.length === 0; seed++) {
      await a.publish(makeGroup(seed))
      await new Promise(resolve => setTimeout(resolve, 250))
    }
    expect(received.length).toBeGreaterThan(0)
  })
})

import { multiaddr } from '@multiformats/multiaddr'
import { afterEach, describe, expect, it } from 'vitest'
import type { Libp2p } from 'libp2p'
import { createBootstrapNode } from '../src/bootstrap-node.js'
import type { SwarmHost } from '../src/host.js'
import { GOSSIP_CHECK_MS } from '../src/links.js'
import { swarmProtocol } from '../src/swarm-protocol.js'
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
      await a.publish([{ group: makeGroup(seed) }])
      await new Promise(resolve => setTimeout(resolve, 250))
    }
    expect(received.length).toBeGreaterThan(0)
  })
})

describe('links with a peer that does not gossip', () => {
  let hosts: SwarmHost[] = []
  let boot: Libp2p | undefined
  afterEach(async () => { await stopHosts(hosts); await boot?.stop() })

  it('never re-attaches gossip to a bootstrap node (no gossipsub in its identify list)', async () => {
    hosts = await startHosts(1)
    const [a] = hosts
    boot = await createBootstrapNode({ swarmId: 'test', listen: ['/ip4/127.0.0.1/tcp/0'], inboundPerHostPerSecond: 1000 })
    const bootId = boot.peerId
    const first = await a.libp2p!.dial(boot.getMultiaddrs()[0])
    await a.libp2p!.dial(boot.getMultiaddrs()[0], { force: true })
    await until(() => a.libp2p!.getConnections(bootId).length === 2, 5_000, 'two connections')
    // Identify has run: the bootstrap is a swarm member (swarm protocol) that does not gossip.
    for (let i = 0; i < 50 && !(await a.libp2p!.peerStore.get(bootId)).protocols.includes(swarmProtocol('test')); i++) await new Promise(resolve => setTimeout(resolve, 100))
    expect((await a.libp2p!.peerStore.get(bootId)).protocols).toContain(swarmProtocol('test'))
    await first.close()
    // The close handler's re-attach (200 ms later) and one periodic gossip check (every 5 s).
    await new Promise(resolve => setTimeout(resolve, GOSSIP_CHECK_MS + 1000))
    expect(a.libp2p!.getConnections(bootId).length).toBe(1)
    expect(a.libp2p!.services.pubsub.peers.has(bootId.toString())).toBe(false)
  })
})

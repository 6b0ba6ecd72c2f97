// gossipsub losing its streams to a peer while the connection to it stays up (links.ts repairs
// it). Without the repair, each case leaves two connected hosts that count each other as swarm
// peers while gossip between them is dead for good; the multi-host test saw the first case when
// DCUtR closed a relayed connection just as gossipsub opened its stream on it.
import type { Connection, PeerId, Stream } from '@libp2p/interface'
import { multiaddr } from '@multiformats/multiaddr'
import { afterEach, describe, expect, it } from 'vitest'
import type { SwarmHost } from '../src/host.js'
import { GOSSIP_CHECK_MS } from '../src/links.js'
import { makeGroup, startHosts, stopHosts, until } from './helpers.js'

/** Publishes from `from` until `to` receives one of its groups; resolves with the wait in ms, rejects after `ms`. */
async function gossipFlows (from: SwarmHost, to: SwarmHost, ms: number): Promise<number> {
  const t0 = Date.now()
  let got = false
  const off = to.on('rollout:received', e => { if (e.detail.from === from.peerId()) got = true })
  try {
    for (let seed = 1000; !got; seed++) {
      if (Date.now() - t0 > ms) throw new Error(`no gossip from ${from.peerId()} for ${ms} ms`)
      await from.publish([{ group: makeGroup(seed) }])
      await new Promise(resolve => setTimeout(resolve, 250))
    }
    return Date.now() - t0
  } finally {
    off()
  }
}

describe('gossip streams lost while the connection stays', () => {
  let hosts: SwarmHost[] = []
  afterEach(async () => { await stopHosts(hosts) })

  async function pair (): Promise<[SwarmHost, SwarmHost]> {
    hosts = await startHosts(2)
    const [a, b] = hosts
    await a.dial(b.multiaddrs()[0])
    await a.waitForPeers(1, { signal: AbortSignal.timeout(10_000) })
    await b.waitForPeers(1, { signal: AbortSignal.timeout(10_000) })
    await gossipFlows(a, b, 10_000)
    await gossipFlows(b, a, 10_000)
    // Startup churn (address updates, identify pushes) re-attaches gossip by chance: let it pass.
    await new Promise(resolve => setTimeout(resolve, 3_000))
    return [a, b]
  }

  it('re-attaches gossip when its stream was opened on a connection that closed meanwhile', async () => {
    const [a, b] = await pair()
    const pubsub = a.libp2p!.services.pubsub
    const bId: PeerId = b.libp2p!.peerId
    // A second connection (as a relayed one beside a direct one) that goes away while gossipsub
    // opens its stream on it: the stream comes back already closed, and gossipsub keeps it.
    const second: Connection = await a.libp2p!.dial(multiaddr(b.multiaddrs()[0]), { force: true })
    const newStream = second.newStream.bind(second)
    let opened: Stream | undefined
    let registered = false
    second.newStream = async (...args: Parameters<Connection['newStream']>) => {
      const stream = await newStream(...args)
      second.abort(new Error('test: the connection went away'))
      opened = stream
      setTimeout(() => { registered = pubsub.streamsOutbound.get(b.peerId())?.rawStream === stream }, 0)
      return stream
    }
    const first = pubsub.streamsOutbound.get(b.peerId())
    pubsub.streamsOutbound.delete(b.peerId())
    pubsub.onPeerConnected(bId, second)
    await first?.rawStream.close()
    await until(() => opened !== undefined && second.status !== 'open', 5_000, 'the second connection to go')
    await new Promise(resolve => setTimeout(resolve, 50))
    // The state the multi-host test ended in: gossipsub holds a dead stream, one connection is live.
    expect(registered).toBe(true)
    expect(opened?.status).not.toBe('open')
    expect(a.libp2p!.getConnections(bId).filter(c => c.status === 'open').length).toBe(1)
    expect(b.peers()).toContain(a.peerId())
    await gossipFlows(a, b, 2 * GOSSIP_CHECK_MS)
  }, 40_000)

  it('re-attaches gossip when a peer dropped it after its inbound stream failed', async () => {
    const [a, b] = await pair()
    // gossipsub forgets a peer whose inbound stream errors (reset, aborted) and closes its own
    // stream to it, while the connection stays: neither side opens a new stream by itself.
    a.libp2p!.services.pubsub.streamsInbound.get(b.peerId())?.rawStream.abort(new Error('test: stream reset'))
    await until(() => !a.libp2p!.services.pubsub.peers.has(b.peerId()), 5_000, 'a to drop b')
    expect(a.libp2p!.getConnections(b.libp2p!.peerId).length).toBe(1)
    await gossipFlows(a, b, 2 * GOSSIP_CHECK_MS + 2_000)
    await gossipFlows(b, a, 2 * GOSSIP_CHECK_MS + 2_000)
  }, 60_000)
})

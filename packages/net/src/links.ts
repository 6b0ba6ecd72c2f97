// Keeps a host's links useful when a peer is reached over more than one connection, which
// relays make common: a NAT'd peer is first reached through a relay (a limited connection),
// then directly (DCUtR, or a direct dial from the other side).
// - A direct connection makes the relayed one redundant: it is closed, freeing the relay.
// - gossipsub keeps one outbound stream per peer and opens a new one only when a connection of
//   the peer is identified or the peer opens a stream to us. When the connection it used closes
//   and nothing of the sort follows on the remaining one, the peers stay connected but stop
//   gossiping: the multi-host test saw exactly that when the relay died (NAT'd node and public
//   node connected directly, no groups for 45 s). So gossip is re-attached to the remaining
//   (preferably direct) connection; a no-op while gossipsub's stream is alive. Only to a peer
//   that speaks gossipsub (identify's list): re-attaching to a bootstrap node, which does not,
//   made gossipsub track it as a peer and log a failed stream.
// - gossipsub also loses its streams to a peer while the connection stays. A stream it opens on
//   a connection that closes meanwhile comes back closed before it listens for the close, so it
//   keeps that dead stream registered and never opens another (the multi-host test: the public
//   node opened its stream to a NAT'd node on the relayed connection as DCUtR closed it; once
//   the relay died the NAT'd node published to nobody for 45 s). An inbound stream that fails
//   (reset, aborted) makes it forget the peer (mesh, subscriptions, its own outbound stream). In
//   both cases only a new identify or stream brings the peer back, so a pair can stay connected,
//   each counted as a swarm peer, with gossip dead one or both ways. So a re-attach first drops
//   an unusable outbound stream, and every `GOSSIP_CHECK_MS` each connected peer identified as a
//   gossiping swarm member is checked: with no usable outbound stream (none, no longer open, or
//   its reader gone), gossip is re-attached, which also re-sends our subscriptions; the peer's
//   own check does the same on its side.
// - js-libp2p drops a relay reservation when the connection it was made on closes and does not
//   retry while the relay stays connected: when a relay client has had no relayed address for
//   two checks, its connection to a relay is re-opened, which makes the transport reserve again.
import type { Connection, PeerId, Stream } from '@libp2p/interface'
import type { Libp2p } from 'libp2p'
import type { Logger } from '@murmur/interface'
import type { SwarmServices } from './libp2p-options.js'
import { matchSwarm } from './swarm-protocol.js'

/** The relay server protocol (peers that offer it can give us a reservation). */
const RELAY_HOP = '/libp2p/circuit/relay/0.2.0/hop'
/** Delay before re-attaching gossip, ms: lets gossipsub see the old stream close first. */
const REATTACH_DELAY_MS = 200
/** Interval of the reservation check, ms. */
const RESERVATION_CHECK_MS = 15_000
/** Interval of the gossip-stream check, ms. */
export const GOSSIP_CHECK_MS = 5_000

/** Options of `watchLinks`. */
export interface LinksInit {
  relay: boolean
  /** Our swarm id: peers identified as members of it are expected to gossip with us. */
  swarmId: string
  /** Interval of the gossip-stream check, ms. Default `GOSSIP_CHECK_MS`. */
  gossipCheckMs?: number
  logger: Logger
  /** A peer reached only through a relay so far is now connected directly. */
  onUpgraded: (peerId: string) => void
}

/** Starts watching `node`'s connections; returns a function that stops it. */
export function watchLinks (node: Libp2p<SwarmServices>, init: LinksInit): () => void {
  const relayedOnly = new Set<string>()
  let stopped = false
  const timers = new Set<ReturnType<typeof setTimeout>>()
  const later = (ms: number, fn: () => void): void => {
    const t = setTimeout(() => { timers.delete(t); fn() }, ms)
    timers.add(t)
  }

  const onOpen = (evt: CustomEvent<Connection>): void => {
    const conn = evt.detail
    const peer = conn.remotePeer.toString()
    if (conn.limits != null) {
      if (!node.getConnections(conn.remotePeer).some(c => c.limits == null)) relayedOnly.add(peer)
      return
    }
    const limited = node.getConnections(conn.remotePeer).filter(c => c.limits != null)
    if (relayedOnly.delete(peer)) init.onUpgraded(peer)
    for (const c of limited) void c.close().catch(() => {})
  }

  /** Drops gossipsub's outbound stream to `id` when it can no longer carry anything. */
  const dropUnusable = (id: string): void => {
    const out = node.services.pubsub.streamsOutbound.get(id)
    if (out === undefined || usable(out.rawStream)) return
    init.logger('dropping an unusable gossip stream', { peer: id, status: out.rawStream.status, write: out.rawStream.writeStatus, remoteWrite: out.rawStream.remoteWriteStatus })
    node.services.pubsub.streamsOutbound.delete(id)
    out.rawStream.abort(new Error('gossip stream unusable'))
  }

  /** Whether gossipsub tracks `id` and has an outbound stream to it that can still carry messages. */
  const gossiping = (id: string): boolean => {
    const out = node.services.pubsub.streamsOutbound.get(id)
    return node.services.pubsub.peers.has(id) && out !== undefined && usable(out.rawStream)
  }

  /** The peer's open connection gossip should use: a direct one when there is one. */
  const bestOpen = (peerId: PeerId): Connection | undefined => {
    const open = node.getConnections(peerId).filter(c => c.status === 'open')
    return open.find(c => c.limits == null) ?? open[0]
  }

  /** Whether the peer store lists a gossipsub protocol for the peer (a bootstrap node has none: gossipsub would track it and fail to open a stream). */
  const speaksGossip = (protocols: readonly string[]): boolean => node.services.pubsub.protocols.some(p => protocols.includes(p))
  const protocolsOf = async (peerId: PeerId): Promise<string[]> => (await node.peerStore.get(peerId).catch(() => undefined))?.protocols ?? []

  /**
   * Re-attaches gossip to the peer's best open connection (a no-op when gossipsub still has a
   * live outbound stream to it), first dropping an outbound stream that can no longer carry
   * anything: one gossipsub opened on a connection that then closed is dead but still registered.
   */
  const reattach = (peerId: PeerId): void => {
    const best = bestOpen(peerId)
    if (stopped || best === undefined) return
    dropUnusable(peerId.toString())
    node.services.pubsub.onPeerConnected(peerId, best)
  }

  const reattachAfterClose = async (peerId: PeerId): Promise<void> => {
    const open = bestOpen(peerId)
    if (open === undefined) { relayedOnly.delete(peerId.toString()); return }
    if (open.limits != null) relayedOnly.add(peerId.toString())
    if (speaksGossip(await protocolsOf(peerId))) reattach(peerId)
  }

  const onClose = (evt: CustomEvent<Connection>): void => {
    const peerId: PeerId = evt.detail.remotePeer
    later(REATTACH_DELAY_MS, () => { void reattachAfterClose(peerId).catch(err => { init.logger('gossip re-attach failed', err) }) })
  }

  let checking = false
  const checkGossip = async (): Promise<void> => {
    if (checking) return
    checking = true
    try {
      const pubsub = node.services.pubsub
      const peers = new Map<string, PeerId>()
      for (const c of node.getConnections()) if (c.status === 'open') peers.set(c.remotePeer.toString(), c.remotePeer)
      for (const [id, peerId] of peers) {
        if (gossiping(id)) continue
        // Only members of our swarm that speak gossipsub (a bootstrap node is in the swarm but does not gossip).
        const protocols = await protocolsOf(peerId)
        if (matchSwarm(protocols, init.swarmId).verdict !== 'same' || !speaksGossip(protocols)) continue
        // Re-check: the await let gossipsub act in between.
        if (stopped || gossiping(id)) continue
        init.logger('gossip stream lost on a live connection: re-attaching', { peer: id, known: pubsub.peers.has(id), stream: pubsub.streamsOutbound.has(id) })
        reattach(peerId)
      }
    } finally {
      checking = false
    }
  }
  const gossipInterval = setInterval(() => { void checkGossip().catch(err => { init.logger('gossip check failed', err) }) }, init.gossipCheckMs ?? GOSSIP_CHECK_MS)

  let missing = 0
  const checkReservation = (): void => {
    if (node.getMultiaddrs().some(a => a.toString().includes('/p2p-circuit'))) { missing = 0; return }
    if (++missing < 2) return
    missing = 0
    void (async () => {
      for (const conn of node.getConnections()) {
        if (conn.limits != null) continue
        const info = await node.peerStore.get(conn.remotePeer).catch(() => undefined)
        if (info?.protocols.includes(RELAY_HOP) !== true) continue
        init.logger('no relay reservation: reconnecting to relay', { relay: conn.remotePeer.toString() })
        await node.hangUp(conn.remotePeer).catch(() => {})
        await node.dial(conn.remotePeer, { signal: AbortSignal.timeout(10_000) }).catch(() => {})
        return
      }
    })()
  }
  const interval = init.relay ? setInterval(checkReservation, RESERVATION_CHECK_MS) : undefined

  node.addEventListener('connection:open', onOpen)
  node.addEventListener('connection:close', onClose)
  return () => {
    stopped = true
    node.removeEventListener('connection:open', onOpen)
    node.removeEventListener('connection:close', onClose)
    clearInterval(interval)
    clearInterval(gossipInterval)
    for (const t of timers) clearTimeout(t)
    timers.clear()
  }
}

/**
 * Whether gossipsub can still send on an outbound stream: open for writing, and the peer still
 * reading (it never writes on it nor closes its end otherwise). A peer that is merely slow has
 * paused its reading (backpressure): that stream is fine.
 */
function usable (stream: Stream): boolean {
  const reading = stream.remoteReadStatus === 'readable' || stream.remoteReadStatus === 'paused'
  return stream.status === 'open' && stream.writeStatus === 'writable' && stream.remoteWriteStatus === 'writable' && reading
}

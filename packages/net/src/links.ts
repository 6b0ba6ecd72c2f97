// Keeps a host's links useful when a peer is reached over more than one connection, which
// relays make common: a NAT'd peer is first reached through a relay (a limited connection),
// then directly (DCUtR, or a direct dial from the other side).
// - A direct connection makes the relayed one redundant: it is closed, freeing the relay.
// - gossipsub keeps one outbound stream per peer and opens a new one only when a connection of
//   the peer is identified or the peer opens a stream to us. When the connection it used closes
//   and nothing of the sort follows on the remaining one, the peers stay connected but stop
//   gossiping: the multi-host test saw exactly that when the relay died (NAT'd node and public
//   node connected directly, no groups for 45 s). So gossip is re-attached to the remaining
//   (preferably direct) connection; a no-op while gossipsub's stream is alive.
// - js-libp2p drops a relay reservation when the connection it was made on closes and does not
//   retry while the relay stays connected: when a relay client has had no relayed address for
//   two checks, its connection to a relay is re-opened, which makes the transport reserve again.
import type { Connection, PeerId } from '@libp2p/interface'
import type { Libp2p } from 'libp2p'
import type { Logger } from '@murmur/interface'
import type { SwarmServices } from './libp2p-options.js'

/** The relay server protocol (peers that offer it can give us a reservation). */
const RELAY_HOP = '/libp2p/circuit/relay/0.2.0/hop'
/** Delay before re-attaching gossip, ms: lets gossipsub see the old stream close first. */
const REATTACH_DELAY_MS = 200
/** Interval of the reservation check, ms. */
const RESERVATION_CHECK_MS = 15_000

/** Options of `watchLinks`. */
export interface LinksInit {
  relay: boolean
  logger: Logger
  /** A peer reached only through a relay so far is now connected directly. */
  onUpgraded: (peerId: string) => void
}

/** Starts watching `node`'s connections; returns a function that stops it. */
export function watchLinks (node: Libp2p<SwarmServices>, init: LinksInit): () => void {
  const relayedOnly = new Set<string>()
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

  const onClose = (evt: CustomEvent<Connection>): void => {
    const peerId: PeerId = evt.detail.remotePeer
    later(REATTACH_DELAY_MS, () => {
      const open = node.getConnections(peerId).filter(c => c.status === 'open')
      if (open.length === 0) { relayedOnly.delete(peerId.toString()); return }
      const best = open.find(c => c.limits == null) ?? open[0]
      if (best.limits != null) relayedOnly.add(peerId.toString())
      // Re-attach gossip (a no-op when gossipsub still has a live outbound stream to the peer).
      node.services.pubsub.onPeerConnected(peerId, best)
    })
  }

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
    node.removeEventListener('connection:open', onOpen)
    node.removeEventListener('connection:close', onClose)
    clearInterval(interval)
    for (const t of timers) clearTimeout(t)
    timers.clear()
  }
}

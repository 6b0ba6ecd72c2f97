// Follows one node: counts per peer how many of its groups were accepted and used, and reads
// the node's pool and network counters into a `NodeLive` on demand.
import type { SwarmNode } from '@murmur/node'
import { MAX_PEER_ROWS } from './constants.js'
import type { NodeLive, PeerRow } from './view.js'

/** The parts of a node that are observed. */
export type ObservedNode = Pick<SwarmNode, 'events' | 'stats' | 'isStarted'>

/** Per-peer counts and live state of one node. */
export interface NodeTracker {
  /** The node's live state now (throws NotStartedError before the node started). */
  live(): NodeLive
  /** Stops following the node's events. */
  stop(): void
}

interface Counts { accepted: number, used: number, lastSeen: number }

/** Starts following `node`. */
export function trackNode (node: ObservedNode, init: { now?: () => number, maxPeers?: number } = {}): NodeTracker {
  const now = init.now ?? Date.now
  const maxPeers = init.maxPeers ?? MAX_PEER_ROWS
  // Insertion order is recency order: a touched peer is deleted and re-added.
  const byPeer = new Map<string, Counts>()
  const touch = (peerId: string): Counts => {
    const c = byPeer.get(peerId) ?? { accepted: 0, used: 0, lastSeen: 0 }
    byPeer.delete(peerId)
    byPeer.set(peerId, c)
    c.lastSeen = now()
    if (byPeer.size > maxPeers) byPeer.delete(byPeer.keys().next().value as string)
    return c
  }
  const off = [
    node.events.on('group:received', e => { touch(e.detail.from).accepted++ }),
    node.events.on('round:completed', e => { for (const u of e.detail.peerGroupsFrom) touch(u.producer).used++ })
  ]
  return {
    live () {
      const s = node.stats()
      const t = now()
      const net = s.swarm?.net
      const rows = new Map<string, PeerRow>()
      for (const [peerId, c] of byPeer) rows.set(peerId, { peerId, accepted: c.accepted, used: c.used, ignored: 0, rejected: 0, throttled: 0, lastSeen: c.lastSeen })
      for (const [peerId, v] of Object.entries(net?.peers ?? {})) {
        const row = rows.get(peerId) ?? { peerId, accepted: 0, used: 0, ignored: 0, rejected: 0, throttled: 0, lastSeen: 0 }
        row.ignored = v.ignored + v.dropped
        row.rejected = v.rejected
        row.throttled = v.throttled
        rows.set(peerId, row)
      }
      const mem = process.memoryUsage()
      const totals = net?.totals
      return {
        t,
        peers: s.peers,
        meshPeers: s.swarm?.meshPeers ?? 0,
        connections: s.swarm?.connections ?? 0,
        pool: { groups: s.pool.entries, peerGroups: s.pool.peer, bytes: s.pool.bytes, oldestAgeSeconds: s.pool.oldestArrivedAt === undefined ? 0 : Math.max(0, t - s.pool.oldestArrivedAt) / 1000 },
        reasons: { ...net?.reasons },
        totals: { accepted: totals?.accepted ?? 0, ignored: totals?.ignored ?? 0, rejected: totals?.rejected ?? 0, throttled: totals?.throttled ?? 0, dropped: totals?.dropped ?? 0, published: net?.published ?? 0 },
        bytes: { in: net?.bytesIn ?? 0, out: net?.bytesOut ?? 0 },
        memory: { rss: mem.rss, heapUsed: mem.heapUsed },
        peerTable: [...rows.values()].sort((a, b) => b.accepted - a.accepted || b.lastSeen - a.lastSeen).slice(0, maxPeers)
      }
    },
    stop () { for (const f of off) f() }
  }
}

// How the world reaches this host: at a public address, only through a relay, or not at all
// (outbound only); and over which kind of connection each neighbour is attached: direct, or
// relayed (a limited circuit-relay connection, which DCUtR tries to upgrade to direct).
import type { Libp2p } from 'libp2p'
import { isPrivateAddress } from './address-filter.js'

/** Whether peers can dial this host. */
export type ReachabilityStatus = 'public' | 'relayed' | 'private'

/** A snapshot of this host's reachability and connection kinds. */
export interface Reachability {
  /** `public`: a public address is announced (verified or configured); `relayed`: only relay addresses; `private`: neither. */
  status: ReachabilityStatus
  /** The addresses this host announces. */
  addresses: string[]
  /** Open connections by kind. */
  connections: { direct: number, relayed: number }
}

/** Reads the reachability of a running libp2p node. */
export function reachabilityOf (node: Libp2p, publicOnly: boolean): Reachability {
  const addresses = node.getMultiaddrs()
  const relayed = addresses.filter(a => a.toString().includes('/p2p-circuit'))
  const direct = addresses.filter(a => !a.toString().includes('/p2p-circuit') && (!publicOnly || !isPrivateAddress(a)))
  const conns = node.getConnections()
  const limited = conns.filter(c => c.limits != null).length
  return {
    status: direct.some(a => !isPrivateAddress(a)) || (!publicOnly && direct.length > 0) ? 'public' : relayed.length > 0 ? 'relayed' : 'private',
    addresses: addresses.map(String),
    connections: { direct: conns.length - limited, relayed: limited }
  }
}

/** How a neighbour is attached: over at least one direct connection, or relayed only. */
export function connectionKind (node: Libp2p, peer: Parameters<Libp2p['getConnections']>[0]): 'direct' | 'relayed' | 'none' {
  const conns = node.getConnections(peer)
  if (conns.length === 0) return 'none'
  return conns.some(c => c.limits == null) ? 'direct' : 'relayed'
}

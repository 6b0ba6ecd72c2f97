// Dial-out reservation against eclipse. js-libp2p 3's connection manager admits inbound
// connections until `maxConnections` and has no notion of outbound slots, so a host that is
// flooded with inbound connections at bootstrap could end up with every slot held by peers an
// attacker chose. This gater refuses inbound connections once they hold all but `reserved`
// slots; our own dials (bootstrap, discovery) always find room, and the connection pruner
// closes inbound connections first when a dial takes the total over the maximum.
import type { ConnectionGater } from '@libp2p/interface'

/** A connection gater that keeps `reserved` of `maxConnections` slots free of inbound connections. */
export function outboundReservingGater (maxConnections: number, reserved: number, inboundConnections: () => number): ConnectionGater {
  return {
    denyInboundConnection: () => reserved > 0 && inboundConnections() >= maxConnections - reserved
  }
}

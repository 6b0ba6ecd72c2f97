// Public swarms: private and loopback addresses are neither announced nor dialled. A peer's
// LAN address is useless (and a scan of someone's LAN) to a peer elsewhere on the internet;
// relayed addresses through a public relay stay allowed because their first hop is public.
import { isPrivate } from '@libp2p/utils'
import type { Multiaddr } from '@multiformats/multiaddr'

/** True when a multiaddr's first hop is a private, loopback or link-local IP. */
export function isPrivateAddress (ma: Multiaddr): boolean {
  return isPrivate(ma)
}

/** Keeps only addresses whose first hop is public (relayed addresses via public relays included). */
export function publicAddressesOnly (addrs: Multiaddr[]): Multiaddr[] {
  return addrs.filter(ma => !isPrivateAddress(ma))
}

/** A libp2p connection gater that refuses to dial private addresses. */
export function publicOnlyGater (): { denyDialMultiaddr: (ma: Multiaddr) => boolean } {
  return { denyDialMultiaddr: ma => isPrivateAddress(ma) }
}

// Every murmur host (node or bootstrap) handles `/murmur/<swarm-id>/swarm/<protocol-version>`.
// Identify lists it among the host's protocols, so after one connection either side can tell
// whether the other belongs to the same swarm and speaks the same wire version, and say which
// of the two differs instead of waiting silently for groups that never come.
import { PROTOCOL_VERSION } from '@murmur/protocol'

/** The swarm-membership protocol id of `swarmId` at this build's protocol version. */
export function swarmProtocol (swarmId: string, version: number | string = PROTOCOL_VERSION): string {
  return `/murmur/${swarmId}/swarm/${String(version)}`
}

const SWARM_PROTOCOL = /^\/murmur\/([^/]+)\/swarm\/([^/]+)$/

/** How a peer's protocol list compares with our swarm. */
export type SwarmMatch =
  | { verdict: 'same' }
  | { verdict: 'wrong-swarm-id', theirs: string }
  | { verdict: 'wrong-protocol-version', theirs: string }
  | { verdict: 'not-murmur' }

/** Compares the protocols a peer announced (identify) with our swarm id and protocol version. */
export function matchSwarm (protocols: readonly string[], swarmId: string, version: number | string = PROTOCOL_VERSION): SwarmMatch {
  const theirs = protocols.map(p => SWARM_PROTOCOL.exec(p)).filter(m => m !== null)
  if (theirs.length === 0) return { verdict: 'not-murmur' }
  if (theirs.some(m => m[1] === swarmId && m[2] === String(version))) return { verdict: 'same' }
  const sameSwarm = theirs.find(m => m[1] === swarmId)
  if (sameSwarm !== undefined) return { verdict: 'wrong-protocol-version', theirs: sameSwarm[2] }
  return { verdict: 'wrong-swarm-id', theirs: theirs[0][1] }
}

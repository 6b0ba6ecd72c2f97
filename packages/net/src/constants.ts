/** Swarm id used when none is configured. */
export const DEFAULT_SWARM_ID = 'default'

/** Allowed swarm ids: they become a topic path segment. */
export const SWARM_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/

/** File name of the libp2p private key inside the data directory. */
export const IDENTITY_FILE = 'identity.key'

/** Default listen addresses: TCP on all interfaces, any port. */
export const DEFAULT_LISTEN = ['/ip4/0.0.0.0/tcp/0']

/** Default connection cap. */
export const DEFAULT_MAX_CONNECTIONS = 100

/** Default most inbound connections per second from one host (libp2p's own default; many hosts on one machine need more). */
export const DEFAULT_INBOUND_PER_HOST_PER_SECOND = 5

/** Default gossipsub heartbeat in ms (gossipsub's own default; loopback sims use 200–700 ms). */
export const DEFAULT_HEARTBEAT_MS = 1000

/** Default sustained rate of accepted groups per origin peer, groups per second. */
export const DEFAULT_GROUPS_PER_SECOND = 10

/** Default burst of accepted groups per origin peer (a node publishes a round's groups at once). */
export const DEFAULT_GROUP_BURST = 64

/** Most origin peers whose token buckets and penalties are remembered at once (LRU beyond). */
export const MAX_TRACKED_PEERS = 4096

/** Default capacity of the inbound validation queue; messages beyond it are ignored. */
export const DEFAULT_INBOUND_QUEUE = 256

/** Largest gossipsub RPC frame read from a stream; bigger frames close the stream unread. */
export const MAX_RPC_FRAME_BYTES = 1024 * 1024

/** Half-life of the flood penalty fed into gossipsub's application-specific score, in ms. */
export const PENALTY_HALF_LIFE_MS = 60_000

/** Penalty added per throttled group (score units; the gossip threshold is -10). */
export const PENALTY_PER_THROTTLED = 1

/** Cap on the flood penalty so that a score recovers within minutes once the flood stops. */
export const MAX_PENALTY = 1000

/** Weight of one invalid (rejected) message in the topic score; the counter is squared. */
export const INVALID_MESSAGE_WEIGHT = -10

/** Per-second decay of the invalid-message counter (half-life ≈ 23 s). */
export const INVALID_MESSAGE_DECAY = 0.97

/** Peer score thresholds: below gossip no gossip, below publish no publish, below graylist ignored. */
export const SCORE_THRESHOLDS = {
  gossipThreshold: -10,
  publishThreshold: -50,
  graylistThreshold: -80,
  acceptPXThreshold: 10,
  opportunisticGraftThreshold: 5
}

/** Poll interval of `waitForPeers`, ms. */
export const WAIT_POLL_MS = 50

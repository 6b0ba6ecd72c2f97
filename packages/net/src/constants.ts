/** Swarm id used when none is configured. */
export const DEFAULT_SWARM_ID = 'default'

/** Allowed swarm ids: they become a topic path segment. */
export const SWARM_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/

/** File name of the libp2p private key inside the data directory. */
export const IDENTITY_FILE = 'identity.key'

/** Default listen addresses: TCP on loopback, any port (a swarm beyond this machine names its addresses). */
export const DEFAULT_LISTEN: readonly string[] = Object.freeze(['/ip4/127.0.0.1/tcp/0'])

/** LAN discovery by mDNS is off by default (it announces the host to everyone on the network). */
export const DEFAULT_MDNS = false

/** Default re-bootstrap threshold: fewer swarm peers than this and the host dials its bootstrap peers again. */
export const DEFAULT_MIN_PEERS = 3

/** Default connection cap. */
export const DEFAULT_MAX_CONNECTIONS = 100

/** Default most inbound connections per second from one host (libp2p's own default; many hosts on one machine need more). */
export const DEFAULT_INBOUND_PER_HOST_PER_SECOND = 5

/**
 * Default gossipsub mesh degree D and its low / high water marks (gossipsub's 6 / 4 / 12). Each
 * group reaches a host from up to D mesh peers (one first copy, the rest duplicates): that
 * redundancy is what keeps delivery up when mesh peers leave, lag or withhold groups (an
 * eclipse needs every mesh peer), so real swarms keep gossipsub's values. A small swarm of
 * cooperating nodes on one machine (`murmur sim`) may use a smaller mesh (docs/results.md §6.2).
 */
export const DEFAULT_MESH_DEGREE = 6
/** Default low water mark of the mesh (gossipsub's Dlo): below it the heartbeat grafts peers up to D. */
export const DEFAULT_MESH_DEGREE_LOW = 4
/** Default high water mark of the mesh (gossipsub's Dhi): above it the heartbeat prunes down to D; grafts beyond it are refused. */
export const DEFAULT_MESH_DEGREE_HIGH = 12
/**
 * Default number of rollout topic shards: one, every host receives every group (shards.ts). More
 * shards trade the variety of producers a host hears from (≈ read / count of them) for less
 * gossip per host; a real swarm's defence against withholding peers is its mesh on each shard.
 */
export const DEFAULT_SHARD_COUNT = 1
/** Default number of consecutive shards a host reads from its home shard (at most the shard count). */
export const DEFAULT_SHARDS_READ = 2
/** Most rollout topic shards a swarm may have (every host tracks every shard's subscribers). */
export const MAX_SHARDS = 256
/** gossipsub's Dout (outbound peers kept in the mesh, against Sybil inbound grafts) and Dscore (peers kept by score when pruning); capped for small meshes. */
export const DEFAULT_MESH_OUTBOUND = 2
export const DEFAULT_MESH_BY_SCORE = 4

/** Default gossipsub heartbeat in ms (gossipsub's own default; loopback sims use 200–700 ms). */
export const DEFAULT_HEARTBEAT_MS = 1000

/**
 * Default interval of libp2p's connection-monitor pings, ms. Each ping opens a stream (protocol
 * negotiation, a peer-store write on both ends): at libp2p's 10 s it was ≈ 5 % of a 16-host
 * swarm's gossip CPU. A closed peer is still noticed at once (its sockets close), a silent one by
 * this ping only (Yamux's keep-alive logs a failed ping and keeps the connection).
 */
export const DEFAULT_PING_INTERVAL_MS = 30_000

/**
 * Longest wait for one connection-monitor ping, ms; libp2p aborts the connection when a ping
 * fails. libp2p's own timeout adapts between 5 s and 60 s, one average for all connections:
 * under load (a host at load 6–20, an event loop stalled for seconds by a train step) healthy
 * peers answered after 5 s and were cut off, and failures grew the timeout past the interval,
 * so pings to a peer overlapped and the second failed as TooManyOutboundProtocolStreams. So the
 * timeout is fixed, at most two thirds of the interval (pings never overlap): a peer that stops
 * answering is cut off within interval + timeout (50 s at the defaults).
 */
export const DEFAULT_PING_TIMEOUT_MS = 20_000

/**
 * Default smallest message for which gossipsub sends IDONTWANT to its mesh peers, bytes
 * (gossipsub's is 512). An IDONTWANT is one more RPC to every mesh peer for every new message;
 * for rollout groups of a few KiB that costs more CPU than the duplicate copies it saves
 * (docs/results.md §6: ≈ −25 % CPU per delivery, ≈ +25 % bytes).
 */
export const DEFAULT_IDONTWANT_MIN_BYTES = 16 * 1024

/**
 * Default sustained rate of accepted groups per origin peer, groups per second. Above what an
 * honest node at the defaults publishes: I = 4 groups per round, and the tiny default policy's
 * rounds take 0.1–0.2 s on a 2-core machine (the node paces itself to 80 % of this rate).
 */
export const DEFAULT_GROUPS_PER_SECOND = 50

/** Default burst of accepted groups per origin peer (a node publishes a round's groups at once). */
export const DEFAULT_GROUP_BURST = 64

/** Most origin peers whose token buckets and penalties are remembered at once (LRU beyond). */
export const MAX_TRACKED_PEERS = 4096

/** Default capacity of the inbound validation queue, in groups (a message weighs its groups); messages beyond it are ignored. */
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

/** Default sustained rate of accepted groups per neighbour (the connection that delivered them), groups per second: two origins at their full rate. */
export const DEFAULT_NEIGHBOUR_GROUPS_PER_SECOND = 100

/** Default burst of accepted groups per neighbour. */
export const DEFAULT_NEIGHBOUR_BURST = 256

/** Default rate at which one neighbour may introduce origins this host has not accepted from before, per minute. */
export const DEFAULT_NEW_ORIGINS_PER_MINUTE = 60

/** Default burst of new origins per neighbour (a node joining a swarm learns many at once). */
export const DEFAULT_NEW_ORIGIN_BURST = 64

/**
 * Default bound of one neighbour's FIFO in the inbound queue, in groups: a producer's burst
 * (`DEFAULT_GROUP_BURST`). Small on purpose: what overflows it is dropped unread and counts as
 * the neighbour's waste at once, so a flooder is penalized at the rate it sends, not at the rate
 * this host validates (a 256-group FIFO let a loaded host validate a flood's first 256 before its
 * score fell, and the flood went on that much longer).
 */
export const DEFAULT_INBOUND_QUEUE_PER_NEIGHBOUR = 64

/** Ignored, throttled or dropped messages (net of accepted ones, decayed) a neighbour may send before it is penalized. */
export const NEIGHBOUR_GRACE = 32

/** Penalty per ignored, throttled or dropped message beyond the grace (score units). */
export const NEIGHBOUR_PENALTY_PER_BAD = 1

/** Rejects (decayed like gossipsub's invalid-message counter) at which a neighbour's messages are dropped unvalidated: the count at which its score crosses the graylist threshold. */
export const GRAYLIST_REJECTS = 2.5

/** Half-life of the local reject counter, ms: gossipsub's invalid-message decay of 0.97 per second. */
export const REJECT_HALF_LIFE_MS = Math.log(0.5) / Math.log(0.97) * 1000

/** Default of how long gossipsub remembers message ids (its seen-cache), ms: gossipsub's own 2 minutes. */
export const DEFAULT_SEEN_TTL_MS = 2 * 60 * 1000

/** Default bound of the replay guard's set of accepted group contents (oldest evicted beyond). */
export const DEFAULT_MAX_SEEN_GROUPS = 65_536

/** Application-score penalty of a neighbour while its rejects keep it blocked: takes it past the graylist threshold even with the best topic score. */
export const BLOCKED_NEIGHBOUR_PENALTY = 100

/** Default number of connection slots kept free of inbound connections for our own dials (capped at a quarter of the maximum). */
export const DEFAULT_RESERVED_OUTBOUND = 8

/** Most credit (decayed accepted groups) that offsets a neighbour's wasted messages. */
export const NEIGHBOUR_GOOD_CAP = 128

/**
 * Weight of a group throttled by the new-origin cap in a neighbour's waste: an honest relay
 * meets the cap when this host joins a large swarm, so it counts a quarter of other waste
 * (1,000 Sybil origins still cost their relay hundreds of points).
 */
export const NEW_ORIGIN_WASTE_WEIGHT = 0.25

/**
 * @packageDocumentation
 * libp2p host for the murmur swarm: TCP/WebSockets, Noise, Yamux, discovery, gossipsub with
 * strict signing, validation against @murmur/protocol, peer scoring, rate limits per origin and
 * per neighbour, fair per-neighbour inbound queues, replay protection for the acceptance window,
 * outbound slots kept against eclipse; a persistent identity and optional private-swarm keys.
 */
export {
  createSwarmHost, type SwarmHost, type SwarmHostEvents, type RolloutReceived, type OutgoingGroup, type PublishResult, type PeerStats,
  type SwarmStats, type WaitForPeersOptions
} from './host.js'
export { resolveSwarmConfig, DEFAULT_REPLAY_WINDOW_MS, type SwarmHostInit, type SwarmHostConfig, type SwarmHostMetrics, type GossipsubMetricsRegister } from './config.js'
export { rolloutTopic, shardTopics, homeShardOf, readShards } from './shards.js'
export { loadOrCreateIdentity, loadOrCreatePeerId } from './identity.js'
export { groupContentKey } from './replay-guard.js'
export { generateSwarmKey, checkSwarmKey } from './swarm-key.js'
export { IdentityError, PublishError, DialError } from './errors.js'
export { Joiner, type JoinInit, type JoinEvent, type JoinerComponents } from './join.js'
export { formatDiagnosis, formatAttempt, classifyDialError, type JoinAttempt, type JoinFailureReason } from './diagnosis.js'
export { reachabilityOf, connectionKind, type Reachability, type ReachabilityStatus } from './reachability.js'
export { swarmProtocol, matchSwarm, type SwarmMatch } from './swarm-protocol.js'
export { isPrivateAddress, publicAddressesOnly } from './address-filter.js'
export {
  fetchBootstrapList, parseBootstrapList, bootstrapListBody, MAX_LIST_PEERS,
  type BootstrapList, type BootstrapListPeer
} from './bootstrap-list.js'
export { loadSwarmFile, parseSwarmFile, SwarmFileError, type SwarmFile } from './swarm-file.js'
/** The wire protocol version a swarm file must name (`protocolVersion`) to be joined by this murmur. */
export { PROTOCOL_VERSION } from '@murmur/protocol'
export {
  createBootstrapNode, DEFAULT_RELAY_LIMITS, DEFAULT_BOOTSTRAP_LISTEN, DEFAULT_BOOTSTRAP_MAX_CONNECTIONS,
  type BootstrapNodeInit, type RelayLimits
} from './bootstrap-node.js'
export type { ByteCounts } from './byte-counter.js'
export type { SwarmServices, GossipSubService } from './libp2p-options.js'
export {
  DEFAULT_SWARM_ID, IDENTITY_FILE, DEFAULT_GROUPS_PER_SECOND, DEFAULT_GROUP_BURST, DEFAULT_INBOUND_QUEUE,
  DEFAULT_HEARTBEAT_MS, DEFAULT_IDONTWANT_MIN_BYTES, DEFAULT_PING_INTERVAL_MS, DEFAULT_MAX_CONNECTIONS, DEFAULT_INBOUND_PER_HOST_PER_SECOND, SCORE_THRESHOLDS,
  DEFAULT_NEIGHBOUR_GROUPS_PER_SECOND, DEFAULT_NEIGHBOUR_BURST, DEFAULT_NEW_ORIGINS_PER_MINUTE, DEFAULT_NEW_ORIGIN_BURST,
  DEFAULT_INBOUND_QUEUE_PER_NEIGHBOUR, DEFAULT_MAX_SEEN_GROUPS, DEFAULT_RESERVED_OUTBOUND, DEFAULT_LISTEN, DEFAULT_MIN_PEERS,
  DEFAULT_SEEN_TTL_MS, DEFAULT_MDNS, DEFAULT_SHARD_COUNT, DEFAULT_SHARDS_READ, MAX_SHARDS, DEFAULT_MESH_DEGREE, DEFAULT_MESH_DEGREE_LOW, DEFAULT_MESH_DEGREE_HIGH
} from './constants.js'
export { watchHostStatus, type HostStatus } from './status.js'
export { TokenBuckets, type TokenBucketsInit } from './limits.js'

// SwarmHostInit (every field optional) → a validated, fully defaulted config.
import { InvalidArgumentError, type Logger, noopLogger } from '@murmur/interface'
import { DEFAULT_MAX_AGE_MS, DEFAULT_MAX_FUTURE_SKEW_MS, type ResolvedTask, type TaskRef } from '@murmur/protocol'
import type { GossipsubOpts } from '@libp2p/gossipsub'
import type { Metrics, PrivateKey } from '@libp2p/interface'
import {
  DEFAULT_GROUP_BURST, DEFAULT_GROUPS_PER_SECOND, DEFAULT_MESH_DEGREE, DEFAULT_MESH_DEGREE_HIGH, DEFAULT_MESH_DEGREE_LOW, DEFAULT_HEARTBEAT_MS, DEFAULT_IDONTWANT_MIN_BYTES, DEFAULT_PING_INTERVAL_MS, DEFAULT_INBOUND_PER_HOST_PER_SECOND, DEFAULT_INBOUND_QUEUE,
  DEFAULT_INBOUND_QUEUE_PER_NEIGHBOUR, DEFAULT_LISTEN, DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_SEEN_GROUPS, DEFAULT_MDNS,
  DEFAULT_NEIGHBOUR_BURST, DEFAULT_NEIGHBOUR_GROUPS_PER_SECOND, DEFAULT_NEW_ORIGIN_BURST, DEFAULT_NEW_ORIGINS_PER_MINUTE,
  DEFAULT_RESERVED_OUTBOUND, DEFAULT_SEEN_TTL_MS, DEFAULT_SHARD_COUNT, DEFAULT_SHARDS_READ, DEFAULT_SWARM_ID, MAX_SHARDS, SWARM_ID_PATTERN
} from './constants.js'
import type { JoinInit } from './join.js'
import { shardTopics } from './shards.js'
import { checkSwarmKey } from './swarm-key.js'

/** gossipsub's own metrics register (lodestar-style gauges, histograms and avg/min/max). */
export type GossipsubMetricsRegister = NonNullable<GossipsubOpts['metricsRegister']>

/** Instrumentation handed to libp2p and gossipsub (e.g. by @murmur/metrics); the host's byte counters keep working beside it. */
export interface SwarmHostMetrics {
  /** A libp2p `metrics` factory, e.g. `prometheusMetrics()` of @libp2p/prometheus-metrics. */
  libp2p?: (components: Record<string, unknown>) => Metrics
  /** gossipsub's metrics register; the rollout topic is labelled `rollouts`. */
  gossipsub?: GossipsubMetricsRegister
}

/** Options of `createSwarmHost`. Every field but `resolveTask` is optional. */
export interface SwarmHostInit {
  /** Swarm id: hosts only exchange groups with hosts of the same id. Default `"default"`. */
  swarmId?: string
  /** Directory holding `identity.key` (created on first start, mode 0600). Without it and `privateKey`, the identity is ephemeral. */
  dataDir?: string
  /** An explicit identity; takes precedence over `dataDir`. */
  privateKey?: PrivateKey
  /** Listen multiaddrs. Default `/ip4/127.0.0.1/tcp/0` (loopback). Add `/ip4/…/tcp/…/ws` for WebSockets, `/p2p-circuit` for relayed listening. */
  listen?: string[]
  /** Addresses to announce instead of the listen addresses (e.g. a public IP behind port forwarding). */
  announce?: string[]
  /** Bootstrap peers (multiaddrs ending in `/p2p/<peer-id>`), dialled at start and whenever peers run low. Default: none. */
  bootstrap?: string[]
  /** URLs serving a bootstrap list (`GET /bootstrap` of `murmur bootstrap`); a few listed peers are dialled. Default: none. */
  bootstrapUrls?: string[]
  /** Joining: re-bootstrap threshold, back-off, timeouts (see JoinInit). */
  join?: JoinInit
  /** A public swarm: never announce or dial private, loopback or link-local addresses. Default false. */
  publicOnly?: boolean
  /** LAN discovery by mDNS. Default false. */
  mdns?: boolean
  /** Kademlia DHT: `'client'`, `'server'`, `'auto'` (server once a public address is confirmed) or `'off'`. Default `'off'`. */
  dht?: 'off' | 'client' | 'server' | 'auto'
  /** Keep private/loopback addresses in DHT records (LAN and loopback swarms). Default false. */
  dhtLan?: boolean
  /** Circuit relay v2 client: dial relayed addresses and hold a reservation on a relay (listen on `/p2p-circuit`). Default false. */
  relay?: boolean
  /** AutoNAT v2: learn which of our addresses are publicly dialable (and answer peers' checks). Default false. */
  autonat?: boolean
  /** DCUtR: upgrade relayed connections to direct ones by hole punching. Default false. */
  dcutr?: boolean
  /** Pre-shared key (swarm.key file bytes) making a private swarm (libp2p pnet). */
  psk?: Uint8Array
  /** Connection limits. */
  connections?: {
    /** Most open connections. Default 100. */
    max?: number
    /** Most connections being upgraded at once. Default: libp2p's. */
    maxIncomingPending?: number
    /** Most inbound connections per second from one host. Default `DEFAULT_INBOUND_PER_HOST_PER_SECOND` (5, libp2p's); raise it for many hosts on one machine. */
    inboundPerHostPerSecond?: number
    /** Connection slots inbound connections may not take, kept for our own dials (against eclipse by inbound floods). Default 8 (at most max / 4). */
    reservedOutbound?: number
    /** How often libp2p's connection monitor pings every connection (a new stream each time), ms. Default `DEFAULT_PING_INTERVAL_MS`. */
    pingIntervalMs?: number
  }
  /**
   * Rollout topic shards, for a large swarm on few cores (see shards.ts): the swarm's groups are
   * split over `count` topics; a host publishes on its home shard and reads `read` consecutive
   * shards from it, receiving ≈ read / count of the swarm's groups instead of all of them. Every
   * host of a swarm must use the same `count`. Defaults: one shard (every host receives every
   * group), home = a hash of the peer id, read = min(2, count).
   */
  shards?: { count?: number, home?: number, read?: number }
  /** gossipsub tuning. */
  gossip?: {
    /** Mesh degree D and its low / high water marks, Dlo ≤ D ≤ Dhi. Defaults `DEFAULT_MESH_DEGREE*` (gossipsub's 6 / 4 / 12). */
    D?: number
    Dlo?: number
    Dhi?: number
    /** Heartbeat in ms. Default 1000; loopback sims use 200–700. */
    heartbeatMs?: number
    /** Send own groups to every topic peer (lower latency, more bytes). Default false. */
    floodPublish?: boolean
    /** Weight of the same-IP penalty (≤ 0; loopback is exempt). Default -5. */
    ipColocationWeight?: number
    /** How long gossipsub remembers message ids (its seen-cache), ms. Default `DEFAULT_SEEN_TTL_MS` (gossipsub's 2 minutes). */
    seenTtlMs?: number
    /** Messages at least this large make gossipsub send IDONTWANT to its mesh peers. Default `DEFAULT_IDONTWANT_MIN_BYTES`. */
    idontwantMinBytes?: number
  }
  /** Accepted groups per origin peer: sustained rate (per second) and burst. Defaults `DEFAULT_GROUPS_PER_SECOND` (50) and 64. */
  rateLimit?: { groupsPerSecond?: number, burst?: number }
  /** Limits per neighbour (the connection that delivered a group, whatever its origin). */
  neighbourLimit?: {
    /** Accepted groups per second (sustained) and in a burst. Defaults `DEFAULT_NEIGHBOUR_GROUPS_PER_SECOND` (100) and 256. */
    groupsPerSecond?: number
    burst?: number
    /** Origins not accepted from before that one neighbour may introduce: per minute and in a burst. Defaults 60 and 64. */
    newOriginsPerMinute?: number
    newOriginBurst?: number
    /** Bound of the neighbour's FIFO in the inbound queue, in groups. Default 64. */
    maxQueued?: number
  }
  /** Replay protection: accepted contents are remembered for `windowMs` (default: max age + future skew), at most `maxEntries` (default 65,536). */
  replay?: { windowMs?: number, maxEntries?: number }
  /** Capacity of the inbound validation queue (all neighbours together), in groups. Default 256. */
  maxInboundQueue?: number
  /**
   * Regenerates a task from its reference (the application's task registry, e.g. `resolveTask`
   * of @murmur/tasks): the validator checks each group's prompt against it and hands the
   * regenerated task on with the group, so the application never regenerates it again.
   */
  resolveTask: (ref: TaskRef) => ResolvedTask
  /** Groups older than this are ignored (ms). Default: @murmur/protocol's. */
  maxAgeMs?: number
  /** Clock (ms since the epoch). Default `Date.now`. */
  now?: () => number
  /** Scoped logger. Default: silent. */
  logger?: Logger
  /** Metrics for libp2p and gossipsub. Default: none (only the host's own counters). */
  metrics?: SwarmHostMetrics
}

/** The resolved configuration. */
export interface SwarmHostConfig {
  readonly swarmId: string
  /** Every rollout topic of the swarm, one per shard, in shard order (one when unsharded). */
  readonly topics: readonly string[]
  readonly shardCount: number
  /** The home shard; undefined = derived from the peer id at start. */
  readonly homeShard?: number
  readonly shardsRead: number
  readonly dataDir?: string
  readonly privateKey?: PrivateKey
  readonly listen: readonly string[]
  readonly announce: readonly string[]
  readonly bootstrap: readonly string[]
  readonly bootstrapUrls: readonly string[]
  readonly join: JoinInit
  readonly publicOnly: boolean
  readonly mdns: boolean
  readonly dht: 'off' | 'client' | 'server' | 'auto'
  readonly dhtLan: boolean
  readonly relay: boolean
  readonly autonat: boolean
  readonly dcutr: boolean
  readonly psk?: Uint8Array
  readonly maxConnections: number
  readonly maxIncomingPending?: number
  readonly inboundPerHostPerSecond: number
  readonly reservedOutbound: number
  readonly pingIntervalMs: number
  /** gossipsub's D, Dlo and Dhi. */
  readonly meshDegree: number
  readonly meshDegreeLow: number
  readonly meshDegreeHigh: number
  readonly heartbeatMs: number
  readonly floodPublish: boolean
  readonly ipColocationWeight: number
  readonly seenTtlMs: number
  readonly idontwantMinBytes: number
  readonly groupsPerSecond: number
  readonly burst: number
  readonly neighbourGroupsPerSecond: number
  readonly neighbourBurst: number
  readonly newOriginsPerMinute: number
  readonly newOriginBurst: number
  readonly maxQueuedPerNeighbour: number
  readonly replayWindowMs: number
  readonly maxSeenGroups: number
  readonly maxInboundQueue: number
  readonly resolveTask: (ref: TaskRef) => ResolvedTask
  readonly maxAgeMs?: number
  readonly now: () => number
  readonly logger: Logger
  readonly metrics?: SwarmHostMetrics
}

/** Default replay window, ms: a group stays acceptable for the protocol's max age plus future skew, so its content is remembered that long. */
export const DEFAULT_REPLAY_WINDOW_MS = DEFAULT_MAX_AGE_MS + DEFAULT_MAX_FUTURE_SKEW_MS

function positive (field: string, v: number | undefined, integer = true): number | undefined {
  if (v === undefined) return undefined
  if (typeof v !== 'number' || !(v > 0) || !Number.isFinite(v) || (integer && !Number.isInteger(v))) {
    throw new InvalidArgumentError(field, `must be a positive ${integer ? 'integer' : 'number'}, got ${String(v)}`)
  }
  return v
}

function strings (field: string, v: string[] | undefined, fallback: string[]): string[] {
  if (v === undefined) return fallback
  if (!Array.isArray(v) || !v.every(s => typeof s === 'string')) throw new InvalidArgumentError(field, 'must be an array of multiaddr strings')
  return [...v]
}

/** Validates `init` and fills in defaults; throws InvalidArgumentError naming the bad key. */
export function resolveSwarmConfig (init: SwarmHostInit): SwarmHostConfig {
  if (typeof init?.resolveTask !== 'function') throw new InvalidArgumentError('resolveTask', 'a task resolver is required (e.g. resolveTask of @murmur/tasks)')
  const swarmId = init.swarmId ?? DEFAULT_SWARM_ID
  if (typeof swarmId !== 'string' || !SWARM_ID_PATTERN.test(swarmId)) {
    throw new InvalidArgumentError('swarmId', `must match ${String(SWARM_ID_PATTERN)}, got ${JSON.stringify(swarmId)}`)
  }
  const dht = init.dht ?? 'off'
  if (!['off', 'client', 'server', 'auto'].includes(dht)) throw new InvalidArgumentError('dht', `must be off, client, server or auto, got ${String(dht)}`)
  const urls = strings('bootstrapUrls', init.bootstrapUrls, [])
  for (const u of urls) if (!/^https?:\/\//.test(u)) throw new InvalidArgumentError('bootstrapUrls', `"${u}" is not an http(s) URL`)
  const g = init.gossip ?? {}
  const n = init.neighbourLimit ?? {}
  const maxConnections = positive('connections.max', init.connections?.max) ?? DEFAULT_MAX_CONNECTIONS
  const reservedOutbound = init.connections?.reservedOutbound ?? Math.min(DEFAULT_RESERVED_OUTBOUND, Math.floor(maxConnections / 4))
  if (!Number.isInteger(reservedOutbound) || reservedOutbound < 0 || reservedOutbound >= maxConnections) {
    throw new InvalidArgumentError('connections.reservedOutbound', `must be an integer from 0 to connections.max - 1, got ${String(reservedOutbound)}`)
  }
  const maxAgeMs = positive('maxAgeMs', init.maxAgeMs)
  const meshDegree = positive('gossip.D', g.D) ?? DEFAULT_MESH_DEGREE
  const meshDegreeLow = positive('gossip.Dlo', g.Dlo) ?? Math.min(DEFAULT_MESH_DEGREE_LOW, meshDegree)
  const meshDegreeHigh = positive('gossip.Dhi', g.Dhi) ?? Math.max(DEFAULT_MESH_DEGREE_HIGH, meshDegree)
  if (meshDegreeLow > meshDegree) throw new InvalidArgumentError('gossip.Dlo', `must be ≤ gossip.D (${meshDegree}), got ${meshDegreeLow}`)
  if (meshDegreeHigh < meshDegree) throw new InvalidArgumentError('gossip.Dhi', `must be ≥ gossip.D (${meshDegree}), got ${meshDegreeHigh}`)
  const ipColocationWeight = g.ipColocationWeight ?? -5
  if (typeof ipColocationWeight !== 'number' || ipColocationWeight > 0) throw new InvalidArgumentError('gossip.ipColocationWeight', 'must be ≤ 0')
  const shardCount = positive('shards.count', init.shards?.count) ?? DEFAULT_SHARD_COUNT
  if (shardCount > MAX_SHARDS) throw new InvalidArgumentError('shards.count', `must be at most ${MAX_SHARDS}, got ${shardCount}`)
  const homeShard = init.shards?.home
  if (homeShard !== undefined && (!Number.isInteger(homeShard) || homeShard < 0 || homeShard >= shardCount)) {
    throw new InvalidArgumentError('shards.home', `must be an integer from 0 to shards.count - 1 (${shardCount - 1}), got ${String(homeShard)}`)
  }
  const shardsRead = positive('shards.read', init.shards?.read) ?? Math.min(DEFAULT_SHARDS_READ, shardCount)
  if (shardsRead > shardCount) throw new InvalidArgumentError('shards.read', `must be at most shards.count (${shardCount}), got ${shardsRead}`)
  return {
    swarmId,
    topics: shardTopics(swarmId, shardCount),
    shardCount,
    homeShard,
    shardsRead,
    dataDir: init.dataDir,
    privateKey: init.privateKey,
    listen: strings('listen', init.listen, [...DEFAULT_LISTEN]),
    announce: strings('announce', init.announce, []),
    bootstrap: strings('bootstrap', init.bootstrap, []),
    bootstrapUrls: urls,
    join: { ...init.join },
    publicOnly: init.publicOnly ?? false,
    mdns: init.mdns ?? DEFAULT_MDNS,
    dht,
    dhtLan: init.dhtLan ?? false,
    relay: init.relay ?? false,
    autonat: init.autonat ?? false,
    dcutr: init.dcutr ?? false,
    psk: init.psk === undefined ? undefined : checkSwarmKey(init.psk),
    maxConnections,
    maxIncomingPending: positive('connections.maxIncomingPending', init.connections?.maxIncomingPending),
    inboundPerHostPerSecond: positive('connections.inboundPerHostPerSecond', init.connections?.inboundPerHostPerSecond) ?? DEFAULT_INBOUND_PER_HOST_PER_SECOND,
    reservedOutbound,
    pingIntervalMs: positive('connections.pingIntervalMs', init.connections?.pingIntervalMs) ?? DEFAULT_PING_INTERVAL_MS,
    meshDegree,
    meshDegreeLow,
    meshDegreeHigh,
    heartbeatMs: positive('gossip.heartbeatMs', g.heartbeatMs) ?? DEFAULT_HEARTBEAT_MS,
    floodPublish: g.floodPublish ?? false,
    ipColocationWeight,
    seenTtlMs: positive('gossip.seenTtlMs', g.seenTtlMs) ?? DEFAULT_SEEN_TTL_MS,
    idontwantMinBytes: positive('gossip.idontwantMinBytes', g.idontwantMinBytes) ?? DEFAULT_IDONTWANT_MIN_BYTES,
    groupsPerSecond: positive('rateLimit.groupsPerSecond', init.rateLimit?.groupsPerSecond, false) ?? DEFAULT_GROUPS_PER_SECOND,
    burst: positive('rateLimit.burst', init.rateLimit?.burst) ?? DEFAULT_GROUP_BURST,
    neighbourGroupsPerSecond: positive('neighbourLimit.groupsPerSecond', n.groupsPerSecond, false) ?? DEFAULT_NEIGHBOUR_GROUPS_PER_SECOND,
    neighbourBurst: positive('neighbourLimit.burst', n.burst) ?? DEFAULT_NEIGHBOUR_BURST,
    newOriginsPerMinute: positive('neighbourLimit.newOriginsPerMinute', n.newOriginsPerMinute, false) ?? DEFAULT_NEW_ORIGINS_PER_MINUTE,
    newOriginBurst: positive('neighbourLimit.newOriginBurst', n.newOriginBurst) ?? DEFAULT_NEW_ORIGIN_BURST,
    maxQueuedPerNeighbour: positive('neighbourLimit.maxQueued', n.maxQueued) ?? DEFAULT_INBOUND_QUEUE_PER_NEIGHBOUR,
    replayWindowMs: positive('replay.windowMs', init.replay?.windowMs) ?? (maxAgeMs === undefined ? DEFAULT_REPLAY_WINDOW_MS : maxAgeMs + DEFAULT_MAX_FUTURE_SKEW_MS),
    maxSeenGroups: positive('replay.maxEntries', init.replay?.maxEntries) ?? DEFAULT_MAX_SEEN_GROUPS,
    maxInboundQueue: positive('maxInboundQueue', init.maxInboundQueue) ?? DEFAULT_INBOUND_QUEUE,
    resolveTask: init.resolveTask,
    maxAgeMs,
    now: init.now ?? Date.now,
    logger: init.logger ?? noopLogger('murmur:net'),
    metrics: init.metrics
  }
}

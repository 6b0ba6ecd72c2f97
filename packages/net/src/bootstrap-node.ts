// The libp2p node of a bootstrap/relay peer (`murmur bootstrap`): the same transports, security,
// identify, DHT protocol and address policy as a swarm host, plus a Kademlia DHT server, an
// AutoNAT v2 server and a circuit-relay-v2 server; no gossipsub (a bootstrap carries no rollouts).
// Relay limits are sized for what a relay is for in murmur: letting NAT'd nodes be reached and
// signal a DCUtR hole punch. Rollout traffic belongs on direct connections.
import { generateKeyPair } from '@libp2p/crypto/keys'
import { circuitRelayServer } from '@libp2p/circuit-relay-v2'
import type { PrivateKey } from '@libp2p/interface'
import type { Datastore } from 'interface-datastore'
import { createLibp2p, type Libp2p, type Libp2pOptions } from 'libp2p'
import { InvalidArgumentError } from '@murmur/interface'
import { DEFAULT_INBOUND_PER_HOST_PER_SECOND, DEFAULT_PING_INTERVAL_MS, DEFAULT_SWARM_ID, SWARM_ID_PATTERN } from './constants.js'
import { loadOrCreateIdentity } from './identity.js'
import { baseLibp2pOptions } from './libp2p-options.js'
import { checkSwarmKey } from './swarm-key.js'
import { swarmProtocol } from './swarm-protocol.js'

/** Relay server limits. */
export interface RelayLimits {
  /** Most reservations held at once. */
  maxReservations: number
  /** How long a reservation lasts before the client must refresh it, ms. */
  reservationTtlMs: number
  /** Longest a relayed connection stays open, ms. */
  durationLimitMs: number
  /** Most bytes relayed per connection (each direction). */
  dataLimitBytes: number
}

/**
 * Default relay limits. js-libp2p's own are 15 reservations, 2 h, 2 min and 128 KiB. A swarm
 * bootnode is every NAT'd node's relay, so it holds many more reservations (128) for a shorter
 * time (1 h: slots of departed nodes free sooner; clients refresh). Per relayed connection,
 * identify + DCUtR signalling take a few KiB and a hole punch finishes in seconds, so 2 minutes
 * stays; 1 MiB (not 128 KiB) leaves room for gossip control and a few groups while DCUtR runs
 * (gossipsub runs on limited connections), yet caps what one pair can cost the relay:
 * rollouts themselves must flow over direct connections or through public peers' meshes.
 */
export const DEFAULT_RELAY_LIMITS: RelayLimits = {
  maxReservations: 128,
  reservationTtlMs: 60 * 60_000,
  durationLimitMs: 2 * 60_000,
  dataLimitBytes: 1024 * 1024
}

/** Default connection cap of a bootstrap node. */
export const DEFAULT_BOOTSTRAP_MAX_CONNECTIONS = 1024

/** Options of `createBootstrapNode`; every field optional. */
export interface BootstrapNodeInit {
  swarmId?: string
  /** Directory of `identity.key` (persistent peer id). */
  dataDir?: string
  privateKey?: PrivateKey
  /** Listen multiaddrs. Default TCP 4001 on all interfaces. */
  listen?: string[]
  /** Addresses to announce instead (e.g. the public IP of a host behind a load balancer). */
  announce?: string[]
  /** Public swarm: never announce or dial private addresses. Default false. */
  publicOnly?: boolean
  /** Pre-shared key (swarm.key bytes) of a private swarm. */
  psk?: Uint8Array
  /** Most open connections. Default 1024. */
  maxConnections?: number
  /** Most inbound connections per second from one host. Default libp2p's (5). */
  inboundPerHostPerSecond?: number
  relay?: Partial<RelayLimits>
  /** Persists the peer store and DHT records (e.g. a LevelDatastore). Default: in memory. */
  datastore?: Datastore
  /** Extra libp2p metrics implementation (the observability hook). */
  metrics?: Libp2pOptions['metrics']
}

/** Default listen addresses of a bootstrap node. */
export const DEFAULT_BOOTSTRAP_LISTEN = ['/ip4/0.0.0.0/tcp/4001']

/** Creates (and starts) the libp2p node of a bootstrap peer. */
export async function createBootstrapNode (init: BootstrapNodeInit = {}): Promise<Libp2p> {
  const swarmId = init.swarmId ?? DEFAULT_SWARM_ID
  if (!SWARM_ID_PATTERN.test(swarmId)) throw new InvalidArgumentError('swarmId', `must match ${String(SWARM_ID_PATTERN)}`)
  const limits = { ...DEFAULT_RELAY_LIMITS, ...init.relay }
  for (const [k, v] of Object.entries(limits)) {
    if (!Number.isInteger(v) || v <= 0) throw new InvalidArgumentError(`relay.${k}`, `must be a positive integer, got ${String(v)}`)
  }
  const key = init.privateKey ?? (init.dataDir !== undefined ? await loadOrCreateIdentity(init.dataDir) : await generateKeyPair('Ed25519'))
  const base = baseLibp2pOptions({
    swarmId,
    listen: init.listen ?? DEFAULT_BOOTSTRAP_LISTEN,
    announce: init.announce ?? [],
    mdns: false,
    dht: 'server',
    dhtLan: init.publicOnly !== true,
    relay: false,
    autonat: true,
    dcutr: false,
    psk: init.psk === undefined ? undefined : checkSwarmKey(init.psk),
    publicOnly: init.publicOnly ?? false,
    maxConnections: init.maxConnections ?? DEFAULT_BOOTSTRAP_MAX_CONNECTIONS,
    inboundPerHostPerSecond: init.inboundPerHostPerSecond ?? DEFAULT_INBOUND_PER_HOST_PER_SECOND,
    maxIncomingPending: undefined,
    pingIntervalMs: DEFAULT_PING_INTERVAL_MS
  }, key)
  const node = await createLibp2p({
    ...base,
    ...(init.datastore === undefined ? {} : { datastore: init.datastore }),
    ...(init.metrics === undefined ? {} : { metrics: init.metrics }),
    services: {
      ...base.services,
      relay: circuitRelayServer({
        reservations: {
          maxReservations: limits.maxReservations,
          reservationTtl: limits.reservationTtlMs,
          defaultDurationLimit: limits.durationLimitMs,
          defaultDataLimit: BigInt(limits.dataLimitBytes),
          applyDefaultLimit: true
        }
      })
    } as unknown as Libp2pOptions['services']
  })
  await node.handle(swarmProtocol(swarmId), stream => { void stream.close().catch(() => {}) }, { runOnLimitedConnection: true })
  return node
}

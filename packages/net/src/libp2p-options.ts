// The js-libp2p 3 node behind a swarm host: TCP + WebSockets, Noise, Yamux, Identify (and
// identify-push), Ping, gossipsub with strict signing and scoring, and the optional pieces
// (mDNS, DHT, relay client with a reservation, AutoNAT v2, DCUtR, pnet, public-only addresses)
// switched by the config. Bootstrap peers are dialled by the joiner (join.ts), not here.
// `baseLibp2pOptions` is shared with the bootstrap node (bootstrap-node.ts).
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { autoNATv2 } from '@libp2p/autonat-v2'
import { circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { dcutr } from '@libp2p/dcutr'
import { gossipsub, type GossipSub } from '@libp2p/gossipsub'
import { identify, identifyPush } from '@libp2p/identify'
import type { Connection, PeerId, PrivateKey, Stream } from '@libp2p/interface'
import { kadDHT, passthroughMapper, removePrivateAddressesMapper } from '@libp2p/kad-dht'
import { mdns } from '@libp2p/mdns'
import { ping } from '@libp2p/ping'
import { preSharedKey } from '@libp2p/pnet'
import { tcp } from '@libp2p/tcp'
import { webSockets } from '@libp2p/websockets'
import type { Libp2pOptions } from 'libp2p'
import { byteCountingMetrics, withByteCounting, type ByteCounts } from './byte-counter.js'
import { publicAddressesOnly, publicOnlyGater } from './address-filter.js'
import type { SwarmHostConfig } from './config.js'
import { DEFAULT_MESH_BY_SCORE, DEFAULT_MESH_OUTBOUND, DEFAULT_PING_TIMEOUT_MS, MAX_RPC_FRAME_BYTES, SCORE_THRESHOLDS } from './constants.js'
import { outboundReservingGater } from './connection-gater.js'
import { peerScoreParams } from './scoring.js'

/** The gossipsub service, with the mesh and score accessors its implementation has. */
export interface GossipSubService extends GossipSub {
  getMeshPeers(topic: string): string[]
  /** Registrar callback: (re)attaches gossip to a connection of a peer (see links.ts). */
  onPeerConnected(peerId: PeerId, connection: Connection): void
  getScore(peerId: string): number
  /** The gossipsub protocol ids it speaks. */
  readonly protocols: string[]
  /** Peers gossipsub tracks (by peer id). */
  readonly peers: Map<string, PeerId>
  /** gossipsub's inbound stream per peer id. */
  readonly streamsInbound: Map<string, { rawStream: Stream }>
  /** gossipsub's outbound stream per peer id. */
  readonly streamsOutbound: Map<string, { rawStream: Stream }>
}

/** Services every swarm host has (others are optional and untyped here). */
export interface SwarmServices extends Record<string, unknown> {
  pubsub: GossipSubService
}

function fastMessageId (msg: { from?: Uint8Array, seqno?: Uint8Array }): string {
  if (msg.from == null || msg.seqno == null) return ''
  return Buffer.from(msg.from).toString('base64') + '.' + Buffer.from(msg.seqno).toString('base64')
}

/** The connection-monitor ping timeout for a ping interval (see `DEFAULT_PING_TIMEOUT_MS`), ms. */
export function pingTimeoutMs (pingIntervalMs: number): number {
  return Math.min(DEFAULT_PING_TIMEOUT_MS, Math.floor(pingIntervalMs * 2 / 3))
}

/** The part of the config the base options read (a swarm host's or a bootstrap node's). */
export type BaseNetConfig = Pick<SwarmHostConfig, 'swarmId' | 'listen' | 'announce' | 'mdns' | 'dht' | 'dhtLan' | 'relay' | 'autonat' | 'dcutr' | 'psk' | 'publicOnly' | 'maxConnections' | 'maxIncomingPending' | 'inboundPerHostPerSecond' | 'pingIntervalMs'>

/** Transports, security, connection limits, identify, ping, DHT, AutoNAT, DCUtR: what every murmur peer runs. */
export function baseLibp2pOptions (config: BaseNetConfig, privateKey: PrivateKey): Omit<Libp2pOptions, 'services'> & { services: Record<string, unknown> } {
  const transports: Array<NonNullable<Libp2pOptions['transports']>[number]> = [tcp(), webSockets()]
  const listen = [...config.listen]
  if (config.relay) {
    transports.push(circuitRelayTransport())
    // Listening on /p2p-circuit asks a relay we are connected to (the bootstrap) for a reservation.
    if (!listen.includes('/p2p-circuit')) listen.push('/p2p-circuit')
  }
  const pingTimeout = pingTimeoutMs(config.pingIntervalMs)
  const peerDiscovery: NonNullable<Libp2pOptions['peerDiscovery']> = []
  if (config.mdns) peerDiscovery.push(mdns())

  const services: Record<string, unknown> = {
    identify: identify({ runOnLimitedConnection: true }),
    identifyPush: identifyPush(),
    // A peer answering our pings waits as long for the rest of the exchange (libp2p's default is 10 s).
    ping: ping({ timeout: pingTimeout })
  }
  if (config.dht !== 'off') {
    services.dht = kadDHT({
      // 'auto': a client until AutoNAT confirms a public address, then a server.
      ...(config.dht === 'auto' ? {} : { clientMode: config.dht === 'client' }),
      protocol: `/murmur/${config.swarmId}/kad/1.0.0`,
      peerInfoMapper: config.dhtLan && !config.publicOnly ? passthroughMapper : removePrivateAddressesMapper
    })
  }
  if (config.autonat) services.autonat = autoNATv2()
  if (config.dcutr) services.dcutr = dcutr()

  // Undefined values would override libp2p's defaults, so only set what was configured.
  const connectionManager: NonNullable<Libp2pOptions['connectionManager']> = { maxConnections: config.maxConnections }
  if (config.maxIncomingPending !== undefined) connectionManager.maxIncomingPendingConnections = config.maxIncomingPending
  if (config.inboundPerHostPerSecond !== undefined) connectionManager.inboundConnectionThreshold = config.inboundPerHostPerSecond

  return {
    privateKey,
    addresses: {
      listen,
      announce: [...config.announce],
      ...(config.publicOnly ? { announceFilter: publicAddressesOnly } : {})
    },
    transports,
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionProtector: config.psk === undefined ? undefined : preSharedKey({ psk: config.psk }),
    connectionGater: config.publicOnly ? publicOnlyGater() : { denyDialMultiaddr: () => false },
    peerDiscovery,
    connectionManager,
    connectionMonitor: { pingInterval: config.pingIntervalMs, pingTimeout: { minTimeout: pingTimeout, maxTimeout: pingTimeout } },
    services
  }
}

/** Builds the createLibp2p options of a swarm host: the base plus gossipsub. */
export function libp2pOptions (
  config: SwarmHostConfig, privateKey: PrivateKey, counts: ByteCounts, penalty: (peer: string) => number, inboundConnections: () => number
): Libp2pOptions<SwarmServices> {
  const base = baseLibp2pOptions(config, privateKey)
  const services: Record<string, unknown> = {
    ...base.services,
    pubsub: gossipsub({
      globalSignaturePolicy: 'StrictSign',
      emitSelf: false,
      allowPublishToZeroTopicPeers: true,
      floodPublish: config.floodPublish,
      // Two NAT'd peers may share only a relayed connection until DCUtR upgrades it; gossip
      // must run there too (the relay's data limit bounds what it costs the relay).
      runOnLimitedConnection: config.relay,
      D: config.meshDegree,
      Dlo: config.meshDegreeLow,
      Dhi: config.meshDegreeHigh,
      // gossipsub wants Dout < Dlo and Dout ≤ D / 2, and Dscore ≤ D: its defaults (2, 4) hold for D = 6 / 4 / 12, not for small meshes.
      Dout: Math.max(0, Math.min(DEFAULT_MESH_OUTBOUND, config.meshDegreeLow - 1, Math.floor(config.meshDegree / 2))),
      Dscore: Math.min(DEFAULT_MESH_BY_SCORE, config.meshDegree),
      heartbeatInterval: config.heartbeatMs,
      ...(config.seenTtlMs === undefined ? {} : { seenTTL: config.seenTtlMs }),
      // Peers may only make us track our swarm's topics (every shard: membership is any of them); other swarms' topics are ignored.
      allowedTopics: [...config.topics],
      maxInboundDataLength: MAX_RPC_FRAME_BYTES,
      // Recognize duplicates (the same group from several mesh peers) by origin + sequence
      // number before gossipsub verifies the signature again. Only messages whose signature
      // verified are entered in this cache, so a forged copy cannot shadow the real one.
      fastMsgIdFn: fastMessageId,
      // Large groups make IDONTWANT worth it: mesh peers that already have a group skip it.
      idontwantMinDataSize: config.idontwantMinBytes,
      scoreParams: peerScoreParams({ topics: config.topics, penalty, ipColocationWeight: config.ipColocationWeight }),
      scoreThresholds: SCORE_THRESHOLDS,
      // gossipsub only reports its own metrics when given both a register and topic labels.
      ...(config.metrics?.gossipsub === undefined ? {} : { metricsRegister: config.metrics.gossipsub, metricsTopicStrToLabel: new Map(config.topics.map((t, k) => [t, config.topics.length === 1 ? 'rollouts' : `rollouts-${k}`])) })
    })
  }
  return {
    ...base,
    // Public-only dialling (base) and the dial-out reservation against eclipse (inbound).
    connectionGater: { ...base.connectionGater, ...outboundReservingGater(config.maxConnections, config.reservedOutbound, inboundConnections) },
    metrics: config.metrics?.libp2p === undefined ? byteCountingMetrics(counts) : withByteCounting(config.metrics.libp2p, counts),
    services: services as unknown as Libp2pOptions<SwarmServices>['services']
  }
}

// The js-libp2p 3 node behind a swarm host: TCP + WebSockets, Noise, Yamux, Identify, Ping,
// gossipsub with strict signing and scoring, and the optional pieces (bootstrap, mDNS, DHT,
// relay client, AutoNAT, DCUtR, pnet) switched by the config.
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { autoNAT } from '@libp2p/autonat'
import { bootstrap } from '@libp2p/bootstrap'
import { circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { dcutr } from '@libp2p/dcutr'
import { gossipsub, type GossipSub } from '@libp2p/gossipsub'
import { identify } from '@libp2p/identify'
import type { PrivateKey } from '@libp2p/interface'
import { kadDHT, passthroughMapper, removePrivateAddressesMapper } from '@libp2p/kad-dht'
import { mdns } from '@libp2p/mdns'
import { ping } from '@libp2p/ping'
import { preSharedKey } from '@libp2p/pnet'
import { tcp } from '@libp2p/tcp'
import { webSockets } from '@libp2p/websockets'
import type { Libp2pOptions } from 'libp2p'
import { byteCountingMetrics, withByteCounting, type ByteCounts } from './byte-counter.js'
import type { SwarmHostConfig } from './config.js'
import { MAX_RPC_FRAME_BYTES, SCORE_THRESHOLDS } from './constants.js'
import { outboundReservingGater } from './connection-gater.js'
import { peerScoreParams } from './scoring.js'

/** The gossipsub service, with the mesh and score accessors its implementation has. */
export interface GossipSubService extends GossipSub {
  getMeshPeers(topic: string): string[]
  getScore(peerId: string): number
}

/** Services every swarm host has (others are optional and untyped here). */
export interface SwarmServices extends Record<string, unknown> {
  pubsub: GossipSubService
}

function fastMessageId (msg: { from?: Uint8Array, seqno?: Uint8Array }): string {
  if (msg.from == null || msg.seqno == null) return ''
  return Buffer.from(msg.from).toString('base64') + '.' + Buffer.from(msg.seqno).toString('base64')
}

/** Builds the createLibp2p options for `config`. */
export function libp2pOptions (
  config: SwarmHostConfig, privateKey: PrivateKey, counts: ByteCounts, penalty: (peer: string) => number, inboundConnections: () => number
): Libp2pOptions<SwarmServices> {
  const transports: Array<NonNullable<Libp2pOptions['transports']>[number]> = [tcp(), webSockets()]
  if (config.relay) transports.push(circuitRelayTransport())
  const peerDiscovery: NonNullable<Libp2pOptions['peerDiscovery']> = []
  if (config.bootstrap.length > 0) peerDiscovery.push(bootstrap({ list: [...config.bootstrap], timeout: 10 }))
  if (config.mdns) peerDiscovery.push(mdns())

  const services: Record<string, unknown> = {
    identify: identify(),
    ping: ping(),
    pubsub: gossipsub({
      globalSignaturePolicy: 'StrictSign',
      emitSelf: false,
      allowPublishToZeroTopicPeers: true,
      floodPublish: config.floodPublish,
      // Unset degrees must stay absent: an explicit undefined would override gossipsub's defaults.
      ...Object.fromEntries(Object.entries({ D: config.D, Dlo: config.Dlo, Dhi: config.Dhi }).filter(([, v]) => v !== undefined)),
      heartbeatInterval: config.heartbeatMs,
      ...(config.seenTtlMs === undefined ? {} : { seenTTL: config.seenTtlMs }),
      // Peers may only make us track our own topic; other swarms' topics are ignored.
      allowedTopics: [config.topic],
      maxInboundDataLength: MAX_RPC_FRAME_BYTES,
      // Recognize duplicates (the same group from several mesh peers) by origin + sequence
      // number before gossipsub verifies the signature again. Only messages whose signature
      // verified are entered in this cache, so a forged copy cannot shadow the real one.
      fastMsgIdFn: fastMessageId,
      // Large groups make IDONTWANT worth it: mesh peers that already have a group skip it.
      idontwantMinDataSize: 512,
      scoreParams: peerScoreParams({ topic: config.topic, penalty, ipColocationWeight: config.ipColocationWeight }),
      scoreThresholds: SCORE_THRESHOLDS,
      // gossipsub only reports its own metrics when given both a register and topic labels.
      ...(config.metrics?.gossipsub === undefined ? {} : { metricsRegister: config.metrics.gossipsub, metricsTopicStrToLabel: new Map([[config.topic, 'rollouts']]) })
    })
  }
  if (config.dht !== 'off') {
    services.dht = kadDHT({
      clientMode: config.dht === 'client',
      protocol: `/murmur/${config.swarmId}/kad/1.0.0`,
      peerInfoMapper: config.dhtLan ? passthroughMapper : removePrivateAddressesMapper
    })
  }
  if (config.autonat) services.autonat = autoNAT()
  if (config.dcutr) services.dcutr = dcutr()

  // Undefined values would override libp2p's defaults, so only set what was configured.
  const connectionManager: NonNullable<Libp2pOptions['connectionManager']> = { maxConnections: config.maxConnections }
  if (config.maxIncomingPending !== undefined) connectionManager.maxIncomingPendingConnections = config.maxIncomingPending
  if (config.inboundPerHostPerSecond !== undefined) connectionManager.inboundConnectionThreshold = config.inboundPerHostPerSecond

  return {
    privateKey,
    addresses: { listen: [...config.listen], announce: [...config.announce] },
    transports,
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionProtector: config.psk === undefined ? undefined : preSharedKey({ psk: config.psk }),
    peerDiscovery,
    connectionManager,
    connectionGater: outboundReservingGater(config.maxConnections, config.reservedOutbound, inboundConnections),
    metrics: config.metrics?.libp2p === undefined ? byteCountingMetrics(counts) : withByteCounting(config.metrics.libp2p, counts),
    services: services as unknown as Libp2pOptions<SwarmServices>['services']
  }
}

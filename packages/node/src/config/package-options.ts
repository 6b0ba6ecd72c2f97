/**
 * A node config → the options each package is created with. The one place where `NodeConfig`
 * keys meet package option names, so a test can check that the node's effective settings are
 * exactly the packages' own defaults (nothing is re-defaulted on the way).
 */
import type { SwarmHostInit } from '@murmur/net'
import type { RewardsConfigInit } from '@murmur/rewards'
import type { NodeStoreInit } from '@murmur/store'
import type { TrainerConfigInit } from '@murmur/trainer'
import type { NodeConfig } from './resolve.js'
import { decaySteps } from './lr-decay.js'

/** The swarm host's settings (runtime parts — task resolver, key bytes, logger, metrics — are added by the caller). */
export type SwarmHostSettings = Omit<SwarmHostInit, 'resolveTask' | 'psk' | 'logger' | 'metrics' | 'privateKey' | 'now'>

/** The swarm host options a node's config makes. */
export function swarmHostSettings (config: NodeConfig): SwarmHostSettings {
  const net = config.net
  return {
    swarmId: net.swarmId,
    dataDir: config.dataDir,
    listen: [...net.listen],
    announce: [...net.announce],
    bootstrap: [...net.bootstrap],
    bootstrapUrls: [...net.bootstrapUrls],
    join: { minPeers: net.minPeers },
    publicOnly: net.public,
    relay: net.relay,
    dcutr: net.relay,
    autonat: net.public,
    mdns: net.mdns,
    dhtLan: !net.public,
    // On a public swarm a node serves the DHT only once AutoNAT confirms a public address.
    dht: net.dht ? (net.public ? 'auto' : 'server') : 'off',
    connections: {
      max: net.maxConnections,
      inboundPerHostPerSecond: net.inboundPerHostPerSecond,
      // At most a quarter of the connections, as net caps its own default.
      reservedOutbound: Math.min(net.reservedOutbound, Math.floor(net.maxConnections / 4))
    },
    // At most every shard, as net caps its own default.
    shards: { count: net.shardCount, read: Math.min(net.shardsRead, net.shardCount), ...(net.homeShard < 0 ? {} : { home: net.homeShard }) },
    gossip: { heartbeatMs: net.heartbeatMs, seenTtlMs: net.seenTtlMs, D: net.meshDegree, Dlo: net.meshDegreeLow, Dhi: net.meshDegreeHigh },
    rateLimit: { groupsPerSecond: net.groupsPerSecond, burst: net.burst },
    neighbourLimit: {
      groupsPerSecond: net.neighbourGroupsPerSecond,
      burst: net.neighbourBurst,
      newOriginsPerMinute: net.newOriginsPerMinute,
      newOriginBurst: net.newOriginBurst,
      maxQueued: net.maxQueuedPerNeighbour
    },
    replay: { windowMs: net.replayWindowMs, maxEntries: net.maxSeenGroups },
    maxInboundQueue: net.maxInboundQueue
  }
}

/** The store's retention settings a node's config makes (the caller adds the directory and logger). */
export function storeSettings (config: NodeConfig): Pick<NodeStoreInit, 'pool' | 'checkpoints' | 'metrics'> {
  return {
    pool: { maxEntries: config.pool.maxEntries, maxBytes: config.pool.maxBytes, ttlMs: config.pool.ttlMs },
    checkpoints: { keep: config.checkpoint.keep },
    metrics: { keep: config.metrics.keep }
  }
}

/** The trainer's hyper-parameters a node's config makes (the caller adds the model, device and threads). */
export function trainerSettings (config: NodeConfig): TrainerConfigInit {
  const t = config.train
  return {
    seed: config.seed,
    learningRate: t.learningRate,
    warmupSteps: t.warmupSteps,
    decaySteps: decaySteps(config),
    weightDecay: t.weightDecay,
    maxGradNorm: t.maxGradNorm,
    epochs: t.epochs,
    minibatchSize: t.minibatchGroups * config.groupSize,
    epsLow: t.epsLow,
    epsHigh: t.epsHigh,
    beta: t.beta,
    aggregation: t.aggregation
  }
}

/** The rewards settings a node's config makes (`advantage: auto` leaves the rewards package's choice). */
export function rewardsSettings (config: NodeConfig): RewardsConfigInit {
  const r = config.rewards
  return {
    shaper: r.shaper,
    ...(r.advantage === 'auto' ? {} : { advantage: r.advantage }),
    hero: { alpha: r.alpha, beta: r.beta, wMin: r.wMin, wMax: r.wMax, k: r.k, weighting: r.weighting },
    filterZeroVariance: r.filterZeroVariance
  }
}

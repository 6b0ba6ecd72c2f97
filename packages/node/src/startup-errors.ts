/**
 * Start-up failures from the trainer and the libp2p host, translated into `InvalidConfigError`s
 * that name the config key (and file) a user has to change, so `murmur node` can say it in one line.
 */
import { MurmurError } from '@murmur/interface'
import type { NodeConfig } from './config/index.js'
import { InvalidConfigError } from './errors.js'

/** Trainer and host init fields (full, or their first segment) → the node config key they are derived from. */
const FIELD_TO_KEY: Readonly<Record<string, string>> = {
  minibatchSize: 'train.minibatchGroups',
  learningRate: 'train.learningRate',
  warmupSteps: 'train.warmupSteps',
  decaySteps: 'train.decay',
  weightDecay: 'train.weightDecay',
  maxGradNorm: 'train.maxGradNorm',
  epochs: 'train.epochs',
  epsLow: 'train.epsLow',
  epsHigh: 'train.epsHigh',
  beta: 'train.beta',
  listen: 'net.listen',
  bootstrap: 'net.bootstrap',
  swarmId: 'net.swarmId',
  'connections.max': 'net.maxConnections',
  'connections.inboundPerHostPerSecond': 'net.inboundPerHostPerSecond',
  'connections.reservedOutbound': 'net.reservedOutbound',
  'gossip.heartbeatMs': 'net.heartbeatMs',
  'gossip.seenTtlMs': 'net.seenTtlMs',
  'rateLimit.groupsPerSecond': 'net.groupsPerSecond',
  'rateLimit.burst': 'net.burst',
  'neighbourLimit.groupsPerSecond': 'net.neighbourGroupsPerSecond',
  'neighbourLimit.burst': 'net.neighbourBurst',
  'neighbourLimit.newOriginsPerMinute': 'net.newOriginsPerMinute',
  'neighbourLimit.newOriginBurst': 'net.newOriginBurst',
  'neighbourLimit.maxQueued': 'net.maxQueuedPerNeighbour',
  'replay.windowMs': 'net.replayWindowMs',
  'replay.maxEntries': 'net.maxSeenGroups',
  maxInboundQueue: 'net.maxInboundQueue'
}

/** Translates an error thrown while building or opening a node's components; others pass through. */
export function translateStartupError (config: NodeConfig, err: unknown): unknown {
  if (!(err instanceof Error) || err instanceof InvalidConfigError) return err
  const field = (err as { field?: unknown }).field
  if (err instanceof MurmurError && typeof field === 'string') {
    const detail = err.message.startsWith(`${field}: `) ? err.message.slice(field.length + 2) : err.message
    if (field === 'psk') return new InvalidConfigError('net.pskFile', `"${config.net.pskFile}" is not a swarm key: ${detail}`, { cause: err })
    const key = FIELD_TO_KEY[field] ?? FIELD_TO_KEY[field.split('.')[0]]
    if (key === 'train.minibatchGroups') {
      return new InvalidConfigError(key, `${config.train.minibatchGroups} groups × groupSize ${config.groupSize} sequences per minibatch is not possible (${detail})`, { cause: err })
    }
    if (key !== undefined) return new InvalidConfigError(key, detail, { cause: err })
  }
  if (err.name === 'UnsupportedListenAddressesError' || err.name === 'UnsupportedListenAddressError') {
    // libp2p lists each failed address on its own line: "  /ip4/…/tcp/4001: Error: listen EADDRINUSE: …".
    const failures = err.message.split('\n').map(l => /^\s*(\/\S+): (?:\w*Error: )?(.*)$/.exec(l)).filter(m => m !== null).map(m => `${m[1]} (${m[2]})`)
    return new InvalidConfigError('net.listen', `cannot listen on ${failures.length > 0 ? failures.join('; ') : config.net.listen.join(', ')}`, { cause: err })
  }
  return err
}

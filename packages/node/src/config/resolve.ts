/**
 * One config path: defaults ← file ← environment ← flags ← explicit overrides, then validation,
 * then a frozen, fully-defaulted `NodeConfig`. Errors name the key, the bad value and the range.
 */
import { readFile } from 'node:fs/promises'
import { multiaddr } from '@multiformats/multiaddr'
import type { Device } from '@murmur/graph'
import type { SwarmHostConfig } from '@murmur/net'
import type { AdvantageMode, ShaperName } from '@murmur/rewards'
import type { TrainerConfig } from '@murmur/trainer'
import type { AttackStrategy } from '../attack.js'
import { ConfigFileError, InvalidConfigError } from '../errors.js'
import type { LearningRateDecay } from './lr-decay.js'
import { checkField, envName, parseFieldString, type FieldSpec } from './fields.js'
import { NODE_CONFIG_SCHEMA } from './schema.js'
import { seedConfigured, seedFromPeerId } from './seed.js'

type SchemaKey = keyof typeof NODE_CONFIG_SCHEMA

/** The `net.*` keys that are the swarm host's own settings (same names as `SwarmHostConfig`). */
type NetKey = 'swarmId' | 'listen' | 'announce' | 'bootstrap' | 'bootstrapUrls' | 'relay' | 'mdns' | 'maxConnections' |
'inboundPerHostPerSecond' | 'reservedOutbound' | 'heartbeatMs' | 'meshDegree' | 'meshDegreeLow' | 'meshDegreeHigh' | 'seenTtlMs' | 'groupsPerSecond' | 'burst' |
'neighbourGroupsPerSecond' | 'neighbourBurst' | 'newOriginsPerMinute' | 'newOriginBurst' | 'maxQueuedPerNeighbour' |
'maxInboundQueue' | 'replayWindowMs' | 'maxSeenGroups' | 'shardCount' | 'shardsRead'

/** The resolved, validated node configuration (every key present, frozen). */
export interface NodeConfig {
  readonly dataDir: string
  readonly seed: number
  readonly rounds: number
  readonly localGroups: number
  readonly peerGroups: number
  readonly groupSize: number
  /** auto | cpu | cuda | webgpu. */
  readonly device: Device
  readonly chatTemplate: boolean
  readonly model: string
  readonly rewardModel: string
  readonly taskMix: Readonly<Record<string, number>>
  readonly taskDifficulty: Readonly<Record<string, number>>
  readonly modelId: string
  /** Node-only switches, then the swarm host's settings under the host's own names. */
  readonly net: {
    readonly enabled: boolean
    readonly minPeers: number
    readonly public: boolean
    readonly dht: boolean
    readonly pskFile: string
    /** The home rollout shard; -1 = derived from the peer id (net's default). */
    readonly homeShard: number
  } & Pick<SwarmHostConfig, NetKey>
  readonly pool: { readonly maxEntries: number, readonly maxBytes: number, readonly ttlMs: number, readonly maxStaleness: number }
  readonly generate: { readonly temperature: number, readonly topP: number, readonly topK: number, readonly maxTokens: number }
  readonly rewards: {
    readonly shaper: ShaperName
    /** `auto`: the rewards package's choice for the shaper. */
    readonly advantage: 'auto' | AdvantageMode
    readonly alpha: number
    readonly beta: number
    readonly weighting: boolean
    readonly wMin: number
    readonly wMax: number
    readonly k: number
    readonly filterZeroVariance: boolean
  }
  /** The node's own training settings, then the trainer's under the trainer's names. */
  readonly train: {
    readonly minibatchGroups: number
    readonly decay: LearningRateDecay
    readonly importanceCap: number
    readonly negativeDelta: number
    readonly loraRank: number
    readonly loraTargets: readonly string[]
  } & Pick<TrainerConfig, 'learningRate' | 'warmupSteps' | 'weightDecay' | 'maxGradNorm' | 'epochs' | 'epsLow' | 'epsHigh' | 'beta' | 'aggregation'>
  readonly curriculum: { readonly enabled: boolean, readonly low: number, readonly high: number, readonly window: number }
  readonly metrics: { readonly keep: number, readonly port: number, readonly host: string }
  readonly checkpoint: { readonly every: number, readonly keep: number }
  readonly eval: { readonly every: number, readonly tasks: number, readonly taskMix: Readonly<Record<string, number>>, readonly samples: number }
  readonly trust: { readonly enabled: boolean, readonly rate: number, readonly floor: number, readonly maxShare: number }
  readonly adversary: { readonly strategy: AttackStrategy, readonly groupsPerRound: number }
}

/** A partial config as a user writes it (nested objects, any subset of keys). */
export type PartialNodeConfig = { [K in keyof NodeConfig]?: NodeConfig[K] extends readonly string[] ? string[] : NodeConfig[K] extends object ? Partial<{ -readonly [P in keyof NodeConfig[K]]: NodeConfig[K][P] }> : NodeConfig[K] }

/** Where config values come from; later sources win. */
export interface ConfigSources {
  /** Parsed config file contents (nested object). */
  file?: unknown
  /** Environment (`MURMUR_TRAIN_LR=…`); pass `process.env` to use the real one. */
  env?: Record<string, string | undefined>
  /** Flag values by dotted key, as strings (from the CLI). */
  flags?: Record<string, string>
  /** Typed overrides (e.g. per-node overrides of a simulation). */
  overrides?: unknown
  /**
   * The node's peer id: when no other source sets `seed`, the seed is derived from it
   * (`seedFromPeerId`) instead of the schema's 0. `murmur node` passes it when networking is on.
   */
  peerId?: string
}

/** Resolves and validates a node config from its sources. */
export function resolveConfig (sources: ConfigSources = {}): NodeConfig {
  const values = new Map<string, unknown>()
  const specs = NODE_CONFIG_SCHEMA as Record<string, FieldSpec>
  for (const [key, spec] of Object.entries(specs)) values.set(key, spec.default)
  if (sources.file !== undefined) applyNested(values, sources.file, '')
  if (sources.env !== undefined) {
    for (const old of Object.keys(RENAMED_KEYS)) if ((sources.env[envName(old)] ?? '') !== '') throw renamed(envName(old), old)
    for (const [key, spec] of Object.entries(specs)) {
      const raw = sources.env[envName(key)]
      // An empty variable (MURMUR_NET_MDNS=) is unset, as in most tools: it never means "true".
      if (raw !== undefined && raw !== '') values.set(key, parseFieldString(key, spec, raw))
    }
  }
  if (sources.flags !== undefined) {
    for (const [key, raw] of Object.entries(sources.flags)) {
      const spec = specs[key]
      if (spec === undefined) throw key in RENAMED_KEYS ? renamed(key, key) : new InvalidConfigError(key, 'unknown key')
      values.set(key, parseFieldString(key, spec, raw))
    }
  }
  if (sources.overrides !== undefined) applyNested(values, sources.overrides, '')
  if (sources.peerId !== undefined && !seedConfigured(sources)) values.set('seed', seedFromPeerId(sources.peerId))
  for (const [key, spec] of Object.entries(specs)) values.set(key, checkField(key, spec, values.get(key)))
  const config = nest(values) as unknown as NodeConfig
  checkCrossField(config)
  return deepFreeze(config)
}

/** Reads and parses a JSON config file. */
export async function loadConfigFile (path: string): Promise<unknown> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    throw new ConfigFileError(path, `cannot read it (${(err as Error).message})`, { cause: err })
  }
  try {
    return JSON.parse(text) as unknown
  } catch (err) {
    throw new ConfigFileError(path, `is not valid JSON (${(err as Error).message})`, { cause: err })
  }
}

/** Flattens a nested config back to dotted keys (for logs and per-key comparison). */
export function flattenConfig (config: NodeConfig): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const key of Object.keys(NODE_CONFIG_SCHEMA) as SchemaKey[]) out[key] = getPath(config, key)
  return out
}

function applyNested (values: Map<string, unknown>, source: unknown, prefix: string): void {
  if (source === null || typeof source !== 'object' || Array.isArray(source)) {
    throw new InvalidConfigError(prefix === '' ? '(root)' : prefix.slice(0, -1), 'expected an object')
  }
  for (const [k, v] of Object.entries(source as Record<string, unknown>)) {
    const key = prefix + k
    if (values.has(key)) {
      if (v !== undefined) values.set(key, v)
    } else if (v !== null && typeof v === 'object' && !Array.isArray(v) && [...values.keys()].some(x => x.startsWith(key + '.'))) {
      applyNested(values, v, key + '.')
    } else if (key in RENAMED_KEYS) {
      throw renamed(key, key)
    } else {
      throw new InvalidConfigError(key, `unknown key; known keys: ${[...values.keys()].filter(x => x.startsWith(prefix)).join(', ')}`)
    }
  }
}

/** Keys that took their owner's name (the store's pool options); a config still using one fails naming the new key. */
const RENAMED_KEYS: Readonly<Record<string, string>> = {
  'pool.maxGroups': 'pool.maxEntries',
  'pool.ttlSeconds': 'pool.ttlMs (milliseconds)'
}

function renamed (where: string, old: string): InvalidConfigError {
  return new InvalidConfigError(where, `renamed: use ${RENAMED_KEYS[old]} (the store's name for it)`)
}

function nest (values: Map<string, unknown>): Record<string, unknown> {
  const root: Record<string, unknown> = {}
  for (const [key, value] of values) {
    const parts = key.split('.')
    let node = root
    for (const part of parts.slice(0, -1)) node = (node[part] ??= {}) as Record<string, unknown>
    node[parts[parts.length - 1]] = value
  }
  return root
}

function getPath (obj: unknown, key: string): unknown {
  return key.split('.').reduce<unknown>((o, p) => (o as Record<string, unknown>)[p], obj)
}

function checkCrossField (c: NodeConfig): void {
  if (c.localGroups + c.peerGroups < 1) throw new InvalidConfigError('localGroups', 'localGroups + peerGroups must be ≥ 1')
  if (c.localGroups < 1) throw new InvalidConfigError('localGroups', 'a node needs at least one local group per round to generate rollouts')
  if (c.rewards.alpha + c.rewards.beta >= 1) {
    throw new InvalidConfigError('rewards.alpha', `alpha + beta must be < 1 so every correct answer outranks every incorrect one, got ${c.rewards.alpha} + ${c.rewards.beta}`)
  }
  if (c.net.reservedOutbound >= c.net.maxConnections) {
    throw new InvalidConfigError('net.reservedOutbound', `must be < net.maxConnections (${c.net.maxConnections}), got ${c.net.reservedOutbound}`)
  }
  if (c.net.meshDegreeLow > c.net.meshDegree) throw new InvalidConfigError('net.meshDegreeLow', `must be ≤ net.meshDegree (${c.net.meshDegree}), got ${c.net.meshDegreeLow}`)
  if (c.net.meshDegreeHigh < c.net.meshDegree) throw new InvalidConfigError('net.meshDegreeHigh', `must be ≥ net.meshDegree (${c.net.meshDegree}), got ${c.net.meshDegreeHigh}`)
  if (c.net.homeShard >= c.net.shardCount) throw new InvalidConfigError('net.homeShard', `must be < net.shardCount (${c.net.shardCount}) or -1 (from the peer id), got ${c.net.homeShard}`)
  if (c.rewards.wMin > c.rewards.wMax) throw new InvalidConfigError('rewards.wMin', `must be ≤ rewards.wMax (${c.rewards.wMax}), got ${c.rewards.wMin}`)
  for (const [key, addrs] of [['net.listen', c.net.listen], ['net.bootstrap', c.net.bootstrap], ['net.announce', c.net.announce]] as const) {
    for (const addr of addrs) {
      if (!addr.startsWith('/')) throw new InvalidConfigError(key, `"${addr}" is not a multiaddr (it must start with "/")`)
      try {
        multiaddr(addr)
      } catch (err) {
        throw new InvalidConfigError(key, `"${addr}" is not a valid multiaddr: ${(err as Error).message}`, { cause: err })
      }
    }
  }
  for (const url of c.net.bootstrapUrls) {
    if (!/^https?:\/\//.test(url)) throw new InvalidConfigError('net.bootstrapUrls', `"${url}" is not an http(s) URL`)
  }
}

function deepFreeze<T> (value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v)
    Object.freeze(value)
  }
  return value
}

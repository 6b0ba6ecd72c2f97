import { readFileSync } from 'node:fs'
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it, expect, vi, afterEach } from 'vitest'
import * as net from '@murmur/net'
import * as policy from '@murmur/policy'
import * as rewards from '@murmur/rewards'
import { constants as store } from '@murmur/store'
import { DEFAULT_CURRICULUM, resolveTask } from '@murmur/tasks'
import { TRAINER_DEFAULTS, resolveTrainerConfig } from '@murmur/trainer'
import { rewardsSettings, storeSettings, swarmHostSettings, trainerSettings } from '../src/config/package-options.js'
import { DEFAULT_LR_DECAY, decaySteps } from '../src/config/lr-decay.js'
import { DEFAULT_EVAL_SAMPLES } from '../src/evaluation.js'
import { DEFAULT_IMPORTANCE } from '../src/importance.js'
import { DEFAULT_MODEL, DEFAULT_REWARD_MODEL } from '../src/model.js'
import { DEFAULT_TRUST } from '../src/receive.js'
import { translateStartupError } from '../src/startup-errors.js'
import { DEFAULT_MAX_STALENESS } from '../src/staleness.js'
import { resolveConfig, resolveNodeConfig, flattenConfig, NODE_CONFIG_SCHEMA, envName, flagName, seedConfigured, seedFromPeerId } from '../src/index.js'

describe('resolveConfig', () => {
  it('runs with no config at all and matches every schema default', () => {
    const config = resolveConfig()
    const flat = flattenConfig(config)
    for (const [key, spec] of Object.entries(NODE_CONFIG_SCHEMA)) expect(flat[key], key).toEqual(spec.default)
    expect(Object.isFrozen(config.train)).toBe(true)
  })

  it('layers file < env < flags < overrides', () => {
    const config = resolveConfig({
      file: { rounds: 10, train: { learningRate: 0.01, epochs: 2 } },
      env: { MURMUR_TRAIN_LEARNING_RATE: '0.02', MURMUR_ROUNDS: '11' },
      flags: { 'train.learningRate': '0.03' },
      overrides: { rounds: 12 }
    })
    expect(config.train.learningRate).toBe(0.03)
    expect(config.train.epochs).toBe(2)
    expect(config.rounds).toBe(12)
  })

  it('parses lists and weights from strings', () => {
    const config = resolveConfig({ flags: { 'net.bootstrap': '/ip4/1.2.3.4/tcp/1, /ip4/5.6.7.8/tcp/2', taskMix: 'add=3,sort_digits' } })
    expect(config.net.bootstrap).toEqual(['/ip4/1.2.3.4/tcp/1', '/ip4/5.6.7.8/tcp/2'])
    expect(config.taskMix).toEqual({ add: 3, sort_digits: 1 })
  })

  it.each([
    [{ flags: { rounds: '-1' } }, 'rounds'],
    [{ flags: { rounds: 'many' } }, 'rounds'],
    [{ flags: { groupSize: '2.5' } }, 'groupSize'],
    [{ file: { train: { learningRate: 0 } } }, 'train.learningRate'],
    [{ file: { train: { aggregation: 'constant' } } }, 'train.aggregation'],
    [{ file: { rewards: { shaper: 'magic' } } }, 'rewards.shaper'],
    [{ file: { rewards: { alpha: 0.5, beta: 0.5 } } }, 'rewards.alpha'],
    [{ file: { trian: { learningRate: 1 } } }, 'trian'],
    [{ file: { train: { learningRate: 1e-3, momentum: 0.9 } } }, 'train.momentum'],
    [{ file: { taskMix: { add: -1 } } }, 'taskMix.add'],
    [{ file: { net: { listen: ['localhost:4001'] } } }, 'net.listen'],
    [{ env: { MURMUR_NET_MDNS: 'maybe' } }, 'net.mdns'],
    [{ file: [1, 2] }, '(root)']
  ])('rejects %j naming the key', (sources, field) => {
    expect(() => resolveConfig(sources)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_CONFIG', field }))
  })

  it('names the new key for a renamed one, from a file, a flag or the environment', () => {
    expect(() => resolveConfig({ file: { pool: { maxGroups: 10 } } })).toThrow(expect.objectContaining({ field: 'pool.maxGroups', message: expect.stringContaining('pool.maxEntries') }))
    expect(() => resolveConfig({ flags: { 'pool.ttlSeconds': '60' } })).toThrow(expect.objectContaining({ field: 'pool.ttlSeconds', message: expect.stringContaining('pool.ttlMs') }))
    expect(() => resolveConfig({ env: { MURMUR_POOL_MAX_GROUPS: '10' } })).toThrow(expect.objectContaining({ field: 'MURMUR_POOL_MAX_GROUPS', message: expect.stringContaining('pool.maxEntries') }))
    expect(resolveConfig({ env: { MURMUR_POOL_TTL_SECONDS: '' } }).pool.ttlMs).toBe(store.DEFAULT_POOL_TTL_MS)
  })

  it('treats an empty environment variable as unset, never as true', () => {
    expect(resolveConfig({ env: { MURMUR_NET_MDNS: '', MURMUR_NET_ENABLED: '', MURMUR_ROUNDS: '' } }).net).toMatchObject({ mdns: false, enabled: true })
    expect(resolveConfig({ env: { MURMUR_NET_MDNS: 'false', MURMUR_NET_ENABLED: '0' } }).net).toMatchObject({ mdns: false, enabled: false })
    expect(() => resolveConfig({ flags: { 'net.mdns': '' } })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_CONFIG', field: 'net.mdns' }))
  })

  it('names net.bootstrap or net.listen for an address that does not parse as a multiaddr', () => {
    expect(() => resolveConfig({ flags: { 'net.bootstrap': '/ip4/1.2.3.4/tcp/notaport' } })).toThrow(expect.objectContaining({ field: 'net.bootstrap' }))
    expect(() => resolveConfig({ flags: { 'net.listen': '/ip4/999.1.1.1/tcp/1' } })).toThrow(expect.objectContaining({ field: 'net.listen' }))
  })

  it('keeps at least two checkpoints so a damaged newest one can fall back', () => {
    expect(() => resolveConfig({ flags: { 'checkpoint.keep': '1' } })).toThrow(expect.objectContaining({ field: 'checkpoint.keep' }))
    expect(resolveConfig().metrics.keep).toBe(100_000)
  })

  it('derives flag and env names from keys', () => {
    expect(flagName('train.minibatchGroups')).toBe('train-minibatch-groups')
    expect(envName('net.swarmId')).toBe('MURMUR_NET_SWARM_ID')
  })
})

/** Every key a package (or a module of this one) owns → its exported default (the schema must hold this very value). */
const OWNED: Record<string, unknown> = {
  'net.swarmId': net.DEFAULT_SWARM_ID,
  'net.listen': net.DEFAULT_LISTEN,
  'net.minPeers': net.DEFAULT_MIN_PEERS,
  'net.mdns': net.DEFAULT_MDNS,
  'net.maxConnections': net.DEFAULT_MAX_CONNECTIONS,
  'net.inboundPerHostPerSecond': net.DEFAULT_INBOUND_PER_HOST_PER_SECOND,
  'net.heartbeatMs': net.DEFAULT_HEARTBEAT_MS,
  'net.meshDegree': net.DEFAULT_MESH_DEGREE,
  'net.meshDegreeLow': net.DEFAULT_MESH_DEGREE_LOW,
  'net.meshDegreeHigh': net.DEFAULT_MESH_DEGREE_HIGH,
  'net.groupsPerSecond': net.DEFAULT_GROUPS_PER_SECOND,
  'net.burst': net.DEFAULT_GROUP_BURST,
  'net.neighbourGroupsPerSecond': net.DEFAULT_NEIGHBOUR_GROUPS_PER_SECOND,
  'net.neighbourBurst': net.DEFAULT_NEIGHBOUR_BURST,
  'net.newOriginsPerMinute': net.DEFAULT_NEW_ORIGINS_PER_MINUTE,
  'net.newOriginBurst': net.DEFAULT_NEW_ORIGIN_BURST,
  'net.maxQueuedPerNeighbour': net.DEFAULT_INBOUND_QUEUE_PER_NEIGHBOUR,
  'net.maxInboundQueue': net.DEFAULT_INBOUND_QUEUE,
  'net.replayWindowMs': net.DEFAULT_REPLAY_WINDOW_MS,
  'net.maxSeenGroups': net.DEFAULT_MAX_SEEN_GROUPS,
  'net.seenTtlMs': net.DEFAULT_SEEN_TTL_MS,
  'net.reservedOutbound': net.DEFAULT_RESERVED_OUTBOUND,
  'net.shardCount': net.DEFAULT_SHARD_COUNT,
  'net.shardsRead': net.DEFAULT_SHARDS_READ,
  'pool.maxEntries': store.DEFAULT_POOL_MAX_ENTRIES,
  'pool.maxBytes': store.DEFAULT_POOL_MAX_BYTES,
  'pool.ttlMs': store.DEFAULT_POOL_TTL_MS,
  'pool.maxStaleness': DEFAULT_MAX_STALENESS,
  'checkpoint.keep': store.DEFAULT_CHECKPOINT_KEEP,
  'metrics.keep': store.DEFAULT_METRICS_KEEP,
  'generate.temperature': policy.DEFAULT_TEMPERATURE,
  'generate.topP': policy.DEFAULT_TOP_P,
  'generate.topK': policy.DEFAULT_TOP_K,
  'generate.maxTokens': policy.DEFAULT_MAX_TOKENS,
  'rewards.shaper': rewards.DEFAULT_SHAPER,
  'rewards.alpha': rewards.DEFAULT_HERO_ALPHA,
  'rewards.beta': rewards.DEFAULT_HERO_BETA,
  'rewards.weighting': rewards.DEFAULT_HERO_WEIGHTING,
  'rewards.wMin': rewards.DEFAULT_HERO_W_MIN,
  'rewards.wMax': rewards.DEFAULT_HERO_W_MAX,
  'rewards.k': rewards.DEFAULT_HERO_K,
  'rewards.filterZeroVariance': rewards.DEFAULT_FILTER_ZERO_VARIANCE,
  'train.learningRate': TRAINER_DEFAULTS.learningRate,
  'train.warmupSteps': TRAINER_DEFAULTS.warmupSteps,
  'train.weightDecay': TRAINER_DEFAULTS.weightDecay,
  'train.maxGradNorm': TRAINER_DEFAULTS.maxGradNorm,
  'train.epochs': TRAINER_DEFAULTS.epochs,
  'train.epsLow': TRAINER_DEFAULTS.epsLow,
  'train.epsHigh': TRAINER_DEFAULTS.epsHigh,
  'train.beta': TRAINER_DEFAULTS.beta,
  'train.aggregation': TRAINER_DEFAULTS.aggregation,
  'train.importanceCap': DEFAULT_IMPORTANCE.cap,
  'train.negativeDelta': DEFAULT_IMPORTANCE.negativeDelta,
  'train.loraTargets': policy.DEFAULT_LORA_TARGETS,
  'curriculum.low': DEFAULT_CURRICULUM.low,
  'curriculum.high': DEFAULT_CURRICULUM.high,
  'curriculum.window': DEFAULT_CURRICULUM.window,
  'trust.rate': DEFAULT_TRUST.rate,
  'trust.floor': DEFAULT_TRUST.floor,
  'trust.maxShare': DEFAULT_TRUST.maxShare,
  model: DEFAULT_MODEL,
  rewardModel: DEFAULT_REWARD_MODEL,
  'eval.samples': DEFAULT_EVAL_SAMPLES
}

/** Settings only the node has (no package takes them): their defaults live in the schema. */
const NODE_OWN = [
  'dataDir', 'seed', 'rounds', 'localGroups', 'peerGroups', 'groupSize', 'device', 'chatTemplate',
  'taskMix', 'taskDifficulty', 'modelId', 'net.enabled', 'net.bootstrap', 'net.bootstrapUrls', 'net.public', 'net.relay',
  'net.announce', 'net.dht', 'net.pskFile', 'net.homeShard', 'rewards.advantage', 'train.minibatchGroups', 'train.decay', 'train.loraRank',
  'curriculum.enabled', 'checkpoint.every', 'eval.every', 'eval.tasks', 'eval.taskMix', 'trust.enabled',
  'adversary.strategy', 'adversary.groupsPerRound', 'metrics.port', 'metrics.host'
]

describe('train.decay', () => {
  it('decays to zero at the node\'s last round: rounds × epochs × minibatches of I + J groups', () => {
    const rounds = 400
    expect(trainerSettings(resolveConfig({ overrides: { rounds } })).decaySteps).toBe(DEFAULT_LR_DECAY === 'linear' ? 400 : 0)
    expect(decaySteps(resolveConfig({ overrides: { rounds, train: { decay: 'linear' } } }))).toBe(400)
    expect(decaySteps(resolveConfig({ overrides: { rounds, train: { decay: 'linear', epochs: 2, minibatchGroups: 3 } } }))).toBe(400 * 2 * 3)
  })

  it('keeps the rate constant for "none", an unbounded run, or a run no longer than warm-up', () => {
    expect(decaySteps(resolveConfig({ overrides: { rounds: 400, train: { decay: 'none' } } }))).toBe(0)
    expect(decaySteps(resolveConfig({ overrides: { rounds: 0, train: { decay: 'linear' } } }))).toBe(0)
    expect(decaySteps(resolveConfig({ overrides: { rounds: 3, train: { decay: 'linear' } } }))).toBe(0)
    expect(() => resolveConfig({ overrides: { train: { decay: 'cosine' } } })).toThrow(/train\.decay/)
  })
})

describe('one owner per setting', () => {
  it('classifies every key as package-owned or the node\'s own', () => {
    expect(Object.keys(NODE_CONFIG_SCHEMA).sort()).toEqual([...Object.keys(OWNED), ...NODE_OWN].sort())
  })

  it.each(Object.entries(OWNED))('%s takes its package\'s exported default', (key, value) => {
    // toBe: the same value (for lists, the same frozen array), not a copy that could drift.
    expect(NODE_CONFIG_SCHEMA[key as keyof typeof NODE_CONFIG_SCHEMA].default).toBe(value)
  })

  it('writes no literal default for a key a package owns', () => {
    const source = readFileSync(new URL('../src/config/schema.ts', import.meta.url), 'utf8')
    for (const key of Object.keys(OWNED)) {
      const line = source.split('\n').find(l => l.trimStart().startsWith(`'${key}':`) || l.trimStart().startsWith(`${key}:`))
      expect(line, key).toBeDefined()
      const def = /default: ([^,]+),/.exec(line ?? '')?.[1] ?? ''
      expect(def, `${key} default "${def}"`).toMatch(/^[A-Za-z_$][\w$.]*(?: \/ [A-Za-z_$][\w$.]*)?$/)
    }
  })

  it('hands every package exactly its own defaults (nothing re-defaulted on the way)', () => {
    const config = resolveConfig()
    // decaySteps is the node's own: train.decay over the node's rounds (tested below).
    expect(resolveTrainerConfig(trainerSettings(config))).toEqual(resolveTrainerConfig({ decaySteps: decaySteps(config) }))
    expect(rewards.resolveRewardsConfig(rewardsSettings(config))).toEqual(rewards.resolveRewardsConfig({}))
    expect(storeSettings(config).pool).toEqual({ maxEntries: store.DEFAULT_POOL_MAX_ENTRIES, maxBytes: store.DEFAULT_POOL_MAX_BYTES, ttlMs: store.DEFAULT_POOL_TTL_MS })
    expect(storeSettings(config).metrics).toEqual({ keep: store.DEFAULT_METRICS_KEEP })
    const node = net.resolveSwarmConfig({ resolveTask, ...swarmHostSettings(config) })
    const plain = net.resolveSwarmConfig({ resolveTask })
    const keys = [
      'swarmId', 'listen', 'maxConnections', 'inboundPerHostPerSecond', 'reservedOutbound', 'heartbeatMs', 'seenTtlMs', 'meshDegree', 'meshDegreeLow', 'meshDegreeHigh',
      'groupsPerSecond', 'burst', 'neighbourGroupsPerSecond', 'neighbourBurst', 'newOriginsPerMinute', 'newOriginBurst',
      'maxQueuedPerNeighbour', 'replayWindowMs', 'maxSeenGroups', 'maxInboundQueue', 'mdns', 'relay', 'publicOnly', 'shardCount', 'homeShard', 'shardsRead', 'topics'
    ] as const
    for (const key of keys) expect(node[key], key).toEqual(plain[key])
    expect(config.net.minPeers).toBe(net.DEFAULT_MIN_PEERS)
  })

  it('caps net.reservedOutbound at a quarter of net.maxConnections, as net caps its own default', () => {
    const small = resolveConfig({ flags: { 'net.maxConnections': '12' } })
    const host = net.resolveSwarmConfig({ resolveTask, ...swarmHostSettings(small) })
    expect(host.reservedOutbound).toBe(net.resolveSwarmConfig({ resolveTask, connections: { max: 12 } }).reservedOutbound)
    expect(host.reservedOutbound).toBe(3)
  })

  it('passes rollout shards through to the host, and reads at most every shard, as net caps its own default', () => {
    const sharded = resolveConfig({ flags: { 'net.shardCount': '8', 'net.homeShard': '5', 'net.shardsRead': '3' } })
    expect(net.resolveSwarmConfig({ resolveTask, ...swarmHostSettings(sharded) })).toMatchObject({ shardCount: 8, homeShard: 5, shardsRead: 3 })
    const one = net.resolveSwarmConfig({ resolveTask, ...swarmHostSettings(resolveConfig({ flags: { 'net.shardCount': '1' } })) })
    expect(one.shardsRead).toBe(net.resolveSwarmConfig({ resolveTask, shards: { count: 1 } }).shardsRead)
    expect(one.shardsRead).toBe(1)
    expect(() => resolveConfig({ flags: { 'net.shardCount': '4', 'net.homeShard': '4' } })).toThrow(expect.objectContaining({ field: 'net.homeShard' }))
  })

  it('passes the neighbour-level defences through to the host', () => {
    const config = resolveConfig({
      flags: {
        'net.neighbourGroupsPerSecond': '5', 'net.neighbourBurst': '7', 'net.newOriginsPerMinute': '2', 'net.newOriginBurst': '3',
        'net.maxQueuedPerNeighbour': '9', 'net.maxInboundQueue': '99', 'net.replayWindowMs': '60000', 'net.maxSeenGroups': '1000',
        'net.seenTtlMs': '30000', 'net.reservedOutbound': '4', 'net.burst': '11',
        'net.meshDegree': '3', 'net.meshDegreeLow': '2', 'net.meshDegreeHigh': '4'
      }
    })
    expect(net.resolveSwarmConfig({ resolveTask, ...swarmHostSettings(config) })).toMatchObject({
      neighbourGroupsPerSecond: 5, neighbourBurst: 7, newOriginsPerMinute: 2, newOriginBurst: 3, maxQueuedPerNeighbour: 9,
      maxInboundQueue: 99, replayWindowMs: 60_000, maxSeenGroups: 1000, seenTtlMs: 30_000, reservedOutbound: 4, burst: 11,
      meshDegree: 3, meshDegreeLow: 2, meshDegreeHigh: 4
    })
    expect(() => resolveConfig({ flags: { 'net.meshDegree': '3' } })).toThrow(expect.objectContaining({ field: 'net.meshDegreeLow' }))
    expect(() => resolveConfig({ flags: { 'net.meshDegree': '13' } })).toThrow(expect.objectContaining({ field: 'net.meshDegreeHigh' }))
  })

  it.each([
    ['net.maxConnections', { connections: { max: 0 } }],
    ['net.reservedOutbound', { connections: { reservedOutbound: -1 } }],
    ['net.seenTtlMs', { gossip: { seenTtlMs: 0 } }],
    ['net.burst', { rateLimit: { burst: 0 } }],
    ['net.neighbourGroupsPerSecond', { neighbourLimit: { groupsPerSecond: 0 } }],
    ['net.neighbourBurst', { neighbourLimit: { burst: 0 } }],
    ['net.newOriginsPerMinute', { neighbourLimit: { newOriginsPerMinute: 0 } }],
    ['net.newOriginBurst', { neighbourLimit: { newOriginBurst: 0 } }],
    ['net.maxQueuedPerNeighbour', { neighbourLimit: { maxQueued: 0 } }],
    ['net.replayWindowMs', { replay: { windowMs: 0 } }],
    ['net.maxSeenGroups', { replay: { maxEntries: 0 } }],
    ['net.maxInboundQueue', { maxInboundQueue: 0 }]
  ])('names %s when the host refuses its value', (key, init) => {
    let err: unknown
    try { net.resolveSwarmConfig({ resolveTask, ...init }) } catch (e) { err = e }
    expect(err).toBeInstanceOf(Error)
    expect(translateStartupError(resolveConfig(), err)).toMatchObject({ code: 'ERR_INVALID_CONFIG', field: key })
  })

  it.each([
    ['net.neighbourGroupsPerSecond', '0'],
    ['net.neighbourBurst', '0'],
    ['net.newOriginsPerMinute', '-1'],
    ['net.newOriginBurst', '2.5'],
    ['net.maxQueuedPerNeighbour', 'lots'],
    ['net.maxInboundQueue', '0'],
    ['net.replayWindowMs', '0'],
    ['net.maxSeenGroups', '-5'],
    ['net.seenTtlMs', '1e400'],
    ['net.reservedOutbound', '-1'],
    ['net.reservedOutbound', '100'],
    ['net.burst', '0']
  ])('rejects %s = %s in one line naming the key', (key, raw) => {
    let err: unknown
    try { resolveConfig({ flags: { [key]: raw } }) } catch (e) { err = e }
    expect(err).toMatchObject({ code: 'ERR_INVALID_CONFIG', field: key })
    expect((err as Error).message).toContain(key)
    expect((err as Error).message).not.toContain('\n')
  })
})

describe('editing a package default changes what the node does', () => {
  afterEach(() => {
    vi.doUnmock('@murmur/rewards')
    vi.doUnmock('@murmur/store')
    vi.doUnmock('@murmur/net')
    vi.resetModules()
  })

  it('follows an edited rewards, store and net default', async () => {
    vi.resetModules()
    vi.doMock('@murmur/rewards', async (original) => ({ ...await original<typeof rewards>(), DEFAULT_HERO_ALPHA: 0.07, DEFAULT_SHAPER: 'hero' }))
    vi.doMock('@murmur/store', async (original) => {
      const real = await original<typeof import('@murmur/store')>()
      return { ...real, constants: { ...real.constants, DEFAULT_POOL_MAX_ENTRIES: 123 } }
    })
    vi.doMock('@murmur/net', async (original) => ({ ...await original<typeof net>(), DEFAULT_NEW_ORIGINS_PER_MINUTE: 17 }))
    const fresh = await import('../src/config/index.js')
    const config = fresh.resolveConfig()
    expect(config.rewards).toMatchObject({ alpha: 0.07, shaper: 'hero' })
    expect(config.pool.maxEntries).toBe(123)
    expect(config.net.newOriginsPerMinute).toBe(17)
  })
})

describe('seed', () => {
  const id = '12D3KooWEyoppNCUx8Yx66oV9fJnriXwCcXwDDUA2kj6vnc6iDEp'

  it('derives a deterministic 32-bit seed from the peer id', () => {
    const seed = seedFromPeerId(id)
    expect(seed).toBe(seedFromPeerId(id))
    expect(Number.isInteger(seed) && seed >= 0 && seed < 2 ** 32).toBe(true)
    expect(seedFromPeerId(id.slice(0, -1) + 'q')).not.toBe(seed)
    // SHA-256 of the id string, first four bytes big-endian (documented; a change would re-seed every node).
    expect(seedFromPeerId('abc')).toBe(0xba7816bf)
  })

  it('uses the peer id only when no source sets the seed', () => {
    expect(resolveConfig().seed).toBe(0)
    expect(resolveConfig({ peerId: id }).seed).toBe(seedFromPeerId(id))
    expect(resolveConfig({ peerId: id, env: { MURMUR_SEED: '' } }).seed).toBe(seedFromPeerId(id))
    expect(resolveConfig({ peerId: id, flags: { seed: '0' } }).seed).toBe(0)
    expect(resolveConfig({ peerId: id, env: { MURMUR_SEED: '7' } }).seed).toBe(7)
    expect(resolveConfig({ peerId: id, file: { seed: 3 } }).seed).toBe(3)
    expect(resolveConfig({ peerId: id, overrides: { seed: 1000 } }).seed).toBe(1000)
    expect(seedConfigured({ file: { rounds: 2 }, env: {}, flags: {} })).toBe(false)
  })
})

describe('resolveNodeConfig', () => {
  it('derives an unset seed from the identity in dataDir when networking is on, and only then', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'murmur-seed-'))
    try {
      const dataDir = join(dir, 'node')
      const off = await resolveNodeConfig({ flags: { dataDir, 'net.enabled': 'false' } })
      expect(off).toMatchObject({ seedFrom: 'config', config: { seed: 0 } })
      await expect(readdir(dataDir)).rejects.toMatchObject({ code: 'ENOENT' })
      const on = await resolveNodeConfig({ flags: { dataDir } })
      const peerId = await net.loadOrCreatePeerId(dataDir)
      expect(on).toMatchObject({ seedFrom: 'peer-id', config: { seed: seedFromPeerId(peerId) } })
      expect(await resolveNodeConfig({ flags: { dataDir } })).toEqual(on)
      expect(await resolveNodeConfig({ flags: { dataDir, seed: '42' } })).toMatchObject({ seedFrom: 'config', config: { seed: 42 } })
      await writeFile(join(dir, 'file'), 'x')
      await expect(resolveNodeConfig({ flags: { dataDir: join(dir, 'file', 'node') } })).rejects.toMatchObject({ code: 'ERR_INVALID_CONFIG', field: 'dataDir' })
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})

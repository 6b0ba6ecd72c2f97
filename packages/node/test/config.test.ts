import { describe, it, expect } from 'vitest'
import { DEFAULT_GROUPS_PER_SECOND, DEFAULT_HEARTBEAT_MS, DEFAULT_INBOUND_PER_HOST_PER_SECOND, DEFAULT_MAX_CONNECTIONS, DEFAULT_SWARM_ID, resolveSwarmConfig } from '@murmur/net'
import { TRAINER_DEFAULTS, resolveTrainerConfig } from '@murmur/trainer'
import { resolveTask } from '@murmur/tasks'
import { resolveConfig, flattenConfig, NODE_CONFIG_SCHEMA, envName, flagName } from '../src/index.js'

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

describe('one owner per setting', () => {
  it('takes every trainer setting from the trainer\'s defaults, under the trainer\'s names', () => {
    const { train } = resolveConfig()
    const trainer = resolveTrainerConfig({})
    for (const key of ['learningRate', 'warmupSteps', 'weightDecay', 'maxGradNorm', 'epochs', 'epsLow', 'epsHigh', 'beta', 'aggregation'] as const) {
      expect(train[key], key).toBe(TRAINER_DEFAULTS[key])
      expect(train[key], key).toBe(trainer[key])
    }
  })

  it('takes the swarm settings from the net package\'s defaults', () => {
    const { net } = resolveConfig()
    const host = resolveSwarmConfig({ resolveTask })
    expect(net.swarmId).toBe(DEFAULT_SWARM_ID)
    expect(net.maxConnections).toBe(DEFAULT_MAX_CONNECTIONS)
    expect(net.groupsPerSecond).toBe(DEFAULT_GROUPS_PER_SECOND)
    expect(net.heartbeatMs).toBe(DEFAULT_HEARTBEAT_MS)
    expect(net.inboundPerHostPerSecond).toBe(DEFAULT_INBOUND_PER_HOST_PER_SECOND)
    expect([host.swarmId, host.maxConnections, host.groupsPerSecond, host.heartbeatMs, host.inboundPerHostPerSecond])
      .toEqual([net.swarmId, net.maxConnections, net.groupsPerSecond, net.heartbeatMs, net.inboundPerHostPerSecond])
  })
})

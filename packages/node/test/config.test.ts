import { describe, it, expect } from 'vitest'
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
      file: { rounds: 10, train: { lr: 0.01, epochs: 2 } },
      env: { MURMUR_TRAIN_LR: '0.02', MURMUR_ROUNDS: '11' },
      flags: { 'train.lr': '0.03' },
      overrides: { rounds: 12 }
    })
    expect(config.train.lr).toBe(0.03)
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
    [{ file: { train: { lr: 0 } } }, 'train.lr'],
    [{ file: { rewards: { shaper: 'magic' } } }, 'rewards.shaper'],
    [{ file: { rewards: { alpha: 0.5, beta: 0.5 } } }, 'rewards.alpha'],
    [{ file: { trian: { lr: 1 } } }, 'trian'],
    [{ file: { train: { lr: 1e-3, momentum: 0.9 } } }, 'train.momentum'],
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

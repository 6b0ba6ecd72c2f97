/** `murmur sim --mesh` and `--shards`: the gossipsub mesh and the rollout shards every simulated node gets (sim.ts). */
import { DEFAULT_MESH_DEGREE, DEFAULT_MESH_DEGREE_HIGH, DEFAULT_MESH_DEGREE_LOW, DEFAULT_SHARD_COUNT } from '@murmur/net'
import { describe, expect, it } from 'vitest'
import { createRng } from '@murmur/interface'
import { autoShards, parseMesh, parseShards, perNodeOverrides, simConfigs } from '../src/commands/sim.js'
import { DIAL_FANOUT, DIALS_PER_SHARD, dialTargets, shardsRead } from '../src/sim-dial.js'

const mesh = (c: { net: { meshDegree: number, meshDegreeLow: number, meshDegreeHigh: number } }): number[] => [c.net.meshDegree, c.net.meshDegreeLow, c.net.meshDegreeHigh]

describe('murmur sim --mesh', () => {
  it('gives every node the small mesh, beside per-node net overrides, or leaves the nodes\' own with "config"', async () => {
    const perNode = await perNodeOverrides(2, 'net.maxConnections=40|50', undefined)
    const small = await simConfigs({ nodes: 2, rounds: 5, dir: '/nonexistent/sim', file: undefined, flags: {}, perNode, mesh: parseMesh('3/2/4') })
    expect(small.map(mesh)).toEqual([[3, 2, 4], [3, 2, 4]])
    expect(small.map(c => c.net.maxConnections)).toEqual([40, 50])
    expect(small.every(c => c.net.inboundPerHostPerSecond >= 1000)).toBe(true)
    const own = await simConfigs({ nodes: 1, rounds: 5, dir: '/nonexistent/sim', file: undefined, flags: {}, perNode: [{}], mesh: parseMesh('config') })
    expect(mesh(own[0])).toEqual([DEFAULT_MESH_DEGREE, DEFAULT_MESH_DEGREE_LOW, DEFAULT_MESH_DEGREE_HIGH])
  })

  it('refuses degrees out of order', () => {
    for (const bad of ['3/4/5', '3/2/2', '3/2', 'x/2/4', '0/0/1']) expect(() => parseMesh(bad)).toThrow(/--mesh/)
  })
})

describe('murmur sim --shards', () => {
  it('spreads nodes evenly over the shards (home = i mod count), beside per-node net overrides, or leaves the nodes\' own with "config"', async () => {
    const perNode = await perNodeOverrides(5, 'net.maxConnections=40|50', undefined)
    const sharded = await simConfigs({ nodes: 5, rounds: 5, dir: '/nonexistent/sim', file: undefined, flags: {}, perNode, shards: '3' })
    expect(sharded.map(c => [c.net.shardCount, c.net.homeShard])).toEqual([[3, 0], [3, 1], [3, 2], [3, 0], [3, 1]])
    expect(sharded.map(c => c.net.maxConnections)).toEqual([40, 50, 40, 50, 40])
    const own = await simConfigs({ nodes: 1, rounds: 5, dir: '/nonexistent/sim', file: undefined, flags: {}, perNode: [{}], shards: 'config' })
    expect([own[0].net.shardCount, own[0].net.homeShard]).toEqual([DEFAULT_SHARD_COUNT, -1])
    // "auto" reads net.shardsRead from the same resolved config as the nodes (reading 1 shard, 16 nodes make 3 shards, not the 6 of the default 2)
    const auto = await simConfigs({ nodes: 16, rounds: 5, dir: '/nonexistent/sim', file: undefined, flags: { 'net.shardsRead': '1' }, perNode: Array.from({ length: 16 }, () => ({})), shards: 'auto' })
    expect(auto[0].net.shardCount).toBe(autoShards(16, 1))
    await expect(simConfigs({ nodes: 2, rounds: 5, dir: '/nonexistent/sim', file: undefined, flags: {}, perNode: [{}, {}], shards: 'x' })).rejects.toThrow(/--shards/)
  })

  it('"auto" keeps about five nodes in the shards a node reads, and one shard for a small swarm', () => {
    expect(autoShards(4, 2)).toBe(1)
    expect(autoShards(7, 2)).toBe(1)
    expect(autoShards(16, 2)).toBe(6)
    expect(autoShards(32, 2)).toBe(12)
    for (const n of [8, 16, 32, 64]) {
      const count = autoShards(n, 2)
      // nodes in the shards a node reads, itself included
      expect(2 * n / count).toBeGreaterThanOrEqual(5)
      expect(2 * n / count).toBeLessThan(6.5)
    }
    expect(parseShards('auto', 16, 2)).toBe(6)
    // too small to shard: the nodes' own settings
    expect(parseShards('auto', 4, 2)).toBeUndefined()
  })

  it('refuses a bad count', () => {
    for (const bad of ['0', '-1', '2.5', 'x', '257']) expect(() => parseShards(bad, 16, 2)).toThrow(/--shards/)
  })
})

describe('whom a simulated node dials', () => {
  it('in a sharded swarm, dials subscribers of every shard it reads first, then random nodes', async () => {
    // 24 nodes, 12 shards (home = i mod 12), each reading 2: node 0 reads shards 0 and 1;
    // shard 0's other subscribers are nodes 12 (home 0), 11 and 23 (home 11); shard 1's 1, 13 (home 1) and 12.
    const configs = await simConfigs({ nodes: 24, rounds: 5, dir: '/nonexistent/sim', file: undefined, flags: {}, perNode: Array.from({ length: 24 }, () => ({})), shards: '12' })
    expect(shardsRead(configs[0])).toEqual([0, 1])
    const rng = createRng(7)
    for (let trial = 0; trial < 20; trial++) {
      const targets = dialTargets(0, configs.map((_, i) => i), configs, rng)
      expect(targets).toHaveLength(DIAL_FANOUT)
      expect(new Set(targets).size).toBe(DIAL_FANOUT)
      expect(targets).not.toContain(0)
      expect(targets.filter(i => [11, 12, 23].includes(i)).length).toBeGreaterThanOrEqual(DIALS_PER_SHARD)
      expect(targets.filter(i => [1, 12, 13].includes(i)).length).toBeGreaterThanOrEqual(1)
      expect(targets.slice(0, 2).every(i => [11, 12, 23].includes(i))).toBe(true)
    }
    // early in start-up: only the nodes already up are candidates
    expect(dialTargets(0, [0, 5, 13], configs, rng)[0]).toBe(13)
  })

  it('unsharded, it dials random nodes that are up, never itself', async () => {
    const configs = await simConfigs({ nodes: 6, rounds: 5, dir: '/nonexistent/sim', file: undefined, flags: {}, perNode: Array.from({ length: 6 }, () => ({})) })
    expect(shardsRead(configs[0])).toBeUndefined()
    const targets = dialTargets(2, [0, 2, 4, 5], configs, createRng(1))
    expect([...targets].sort()).toEqual([0, 4, 5])
  })
})

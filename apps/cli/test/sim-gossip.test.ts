/** `murmur sim --mesh` and `--shards`: the gossipsub mesh and the rollout shards every simulated node gets (sim.ts). */
import { DEFAULT_MESH_DEGREE, DEFAULT_MESH_DEGREE_HIGH, DEFAULT_MESH_DEGREE_LOW, DEFAULT_SHARD_COUNT } from '@murmur/net'
import { describe, expect, it } from 'vitest'
import { autoShards, parseMesh, parseShards, perNodeOverrides, simConfigs } from '../src/commands/sim.js'

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
    const sharded = await simConfigs({ nodes: 5, rounds: 5, dir: '/nonexistent/sim', file: undefined, flags: {}, perNode, shards: parseShards('3', 5, 2) })
    expect(sharded.map(c => [c.net.shardCount, c.net.homeShard])).toEqual([[3, 0], [3, 1], [3, 2], [3, 0], [3, 1]])
    expect(sharded.map(c => c.net.maxConnections)).toEqual([40, 50, 40, 50, 40])
    const own = await simConfigs({ nodes: 1, rounds: 5, dir: '/nonexistent/sim', file: undefined, flags: {}, perNode: [{}], shards: parseShards('config', 1, 2) })
    expect([own[0].net.shardCount, own[0].net.homeShard]).toEqual([DEFAULT_SHARD_COUNT, -1])
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
  })

  it('refuses a bad count', () => {
    for (const bad of ['0', '-1', '2.5', 'x', '257']) expect(() => parseShards(bad, 16, 2)).toThrow(/--shards/)
  })
})

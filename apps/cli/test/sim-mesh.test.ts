/** `murmur sim --mesh`: the gossipsub mesh every simulated node gets (sim.ts). */
import { DEFAULT_MESH_DEGREE, DEFAULT_MESH_DEGREE_HIGH, DEFAULT_MESH_DEGREE_LOW } from '@murmur/net'
import { describe, expect, it } from 'vitest'
import { parseMesh, perNodeOverrides, simConfigs } from '../src/commands/sim.js'

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

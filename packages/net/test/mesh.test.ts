// The mesh degree settings (gossip.D / Dlo / Dhi) reach gossipsub: in a fully connected 8-host
// swarm with a 3/2/4 mesh every host's mesh stays within Dlo…Dhi, a host receives fewer copies
// of each group than it has neighbours, and every group still reaches every host exactly once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { GossipsubMetricsRegister } from '../src/config.js'
import type { RolloutReceived, SwarmHost } from '../src/host.js'
import { makeGroup, startHosts, stopHosts, until } from './helpers.js'

const N = 8
const MESH = { D: 3, Dlo: 2, Dhi: 4 }
const RECEIVED = 'gossipsub_msg_received_prevalidation_total'

/** A gossipsub metrics register that only sums the gauges named `name` (every copy of a message a host's gossipsub reads). */
function copyCounter (): { register: GossipsubMetricsRegister, count: () => number } {
  let n = 0
  const gauge = ({ name }: { name: string }): unknown => ({
    inc: (a?: unknown, b?: number) => { if (name === RECEIVED) n += typeof a === 'number' ? a : b ?? 1 },
    set: () => {},
    addCollect: () => {}
  })
  const register = { gauge, histogram: () => ({ startTimer: () => () => 0, observe: () => {}, reset: () => {} }), avgMinMax: () => ({ set: () => {} }) }
  return { register: register as unknown as GossipsubMetricsRegister, count: () => n }
}

let hosts: SwarmHost[] = []
const counters = Array.from({ length: N }, () => copyCounter())
afterAll(async () => { await stopHosts(hosts) })

describe('a small mesh (D/Dlo/Dhi = 3/2/4) in a fully connected 8-host swarm', () => {
  beforeAll(async () => {
    hosts = await Promise.all(counters.map(async c => (await startHosts(1, { gossip: MESH, metrics: { gossipsub: c.register } }))[0]))
    // one dial at a time, retried: libp2p gives a handshake 10 s, which a loaded machine can exceed
    for (const [i, h] of hosts.entries()) {
      for (const other of hosts.slice(0, i)) {
        for (let attempt = 1; ; attempt++) {
          try { await h.dial(other.multiaddrs()[0]); break } catch (err) { if (attempt === 3) throw err }
        }
      }
    }
    // generous waits: on a loaded machine handshakes and heartbeats (200 ms here) run late
    await Promise.all(hosts.map(async h => { await h.waitForPeers(N - 1, { signal: AbortSignal.timeout(45_000), mesh: false }) }))
    const meshes = (): number[] => hosts.map(h => h.libp2p?.services.pubsub.getMeshPeers(h.topic).length ?? 0)
    await until(() => meshes().every(m => m >= MESH.Dlo && m <= MESH.Dhi), 30_000, 'meshes within Dlo…Dhi')
  }, 240_000)

  it('keeps each mesh within Dlo…Dhi, receives fewer copies than neighbours, and delivers every group exactly once', async () => {
    // gossipsub wants Dout < Dlo, Dout ≤ D / 2 and Dscore ≤ D: its defaults (2, 4) are capped to fit
    const opts = (hosts[0].libp2p?.services.pubsub as unknown as { opts: Record<string, number> }).opts
    expect(opts).toMatchObject({ D: 3, Dlo: 2, Dhi: 4, Dout: 1, Dscore: 3 })
    const got: RolloutReceived[][] = hosts.map(() => [])
    hosts.forEach((h, i) => h.on('rollout:received', e => got[i].push(e.detail)))
    const before = counters.map(c => c.count())
    // Each host publishes a burst of 3 groups, as a node publishes its round's groups at once.
    const groups = hosts.map((_, i) => [0, 1, 2].map(k => makeGroup(2000 + 10 * i + k)))
    await Promise.all(hosts.map(async (h, i) => { for (const g of groups[i]) await h.publish([{ group: g }]) }))
    const expected = 3 * (N - 1)
    await until(() => got.every(g => g.length >= expected), 30_000, 'all deliveries')
    await new Promise(resolve => setTimeout(resolve, 500))
    hosts.forEach((h, i) => {
      const seeds = got[i].map(r => r.group.task.seed).sort((a, b) => a - b)
      expect(seeds).toEqual(groups.filter((_, j) => j !== i).flat().map(g => g.task.seed).sort((a, b) => a - b))
      expect(h.stats().totals.rejected).toBe(0)
    })
    // With gossipsub's 6/4/12 on 7 neighbours a host reads ≈ 5–6 copies of each group; a mesh of ≤ 4 bounds it by 4.
    const copies = counters.reduce((s, c, i) => s + c.count() - before[i], 0) / (N * expected)
    expect(copies).toBeGreaterThanOrEqual(1)
    expect(copies).toBeLessThanOrEqual(MESH.Dhi)
  })
})

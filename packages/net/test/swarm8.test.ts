import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RolloutReceived, SwarmHost } from '../src/host.js'
import { makeGroup, startHosts, stopHosts, until } from './helpers.js'

const N = 8
let hosts: SwarmHost[] = []
afterAll(async () => { await stopHosts(hosts) })

describe('an 8-host swarm', () => {
  beforeAll(async () => {
    hosts = await startHosts(N)
    // A sparse topology (ring plus chords): groups must be forwarded, not only sent directly.
    await Promise.all(hosts.map(async (h, i) => {
      await h.dial(hosts[(i + 1) % N].multiaddrs()[0])
      await h.dial(hosts[(i + 3) % N].multiaddrs()[0])
    }))
    await Promise.all(hosts.map(async h => { await h.waitForPeers(2, { signal: AbortSignal.timeout(15_000) }) }))
  })

  it('delivers every host\'s group to every other host exactly once, never to its publisher', async () => {
    const got: RolloutReceived[][] = hosts.map(() => [])
    hosts.forEach((h, i) => h.on('rollout:received', e => got[i].push(e.detail)))
    const groups = hosts.map((_, i) => makeGroup(1000 + i))
    await Promise.all(hosts.map(async (h, i) => await h.publish([{ group: groups[i] }])))
    await until(() => got.every(g => g.length === N - 1), 15_000, 'all deliveries')
    await new Promise(resolve => setTimeout(resolve, 300))
    hosts.forEach((h, i) => {
      const seeds = got[i].map(r => r.group.task.seed).sort((a, b) => a - b)
      expect(seeds).toEqual(groups.filter((_, j) => j !== i).map(g => g.task.seed))
      expect(got[i].every(r => r.from !== h.peerId())).toBe(true)
      expect(h.stats().totals.rejected).toBe(0)
    })
  })
})

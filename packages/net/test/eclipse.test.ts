import { afterEach, describe, expect, it } from 'vitest'
import { createSwarmHost, type SwarmHost } from '../src/host.js'
import { loopbackInit, startHosts, stopHosts, until } from './helpers.js'

let hosts: SwarmHost[] = []
afterEach(async () => { await stopHosts(hosts); hosts = [] })

describe('outbound slots reserved against eclipse', () => {
  it('refuses inbound connections beyond max − reserved, and its own dials still get through', async () => {
    const target = createSwarmHost(loopbackInit({ connections: { max: 4, reservedOutbound: 2 } }))
    hosts = [target, ...await startHosts(4)]
    await target.start()
    const [, ...others] = hosts
    const inbound = (): number => target.libp2p?.getConnections().filter(c => c.direction === 'inbound').length ?? 0
    const results = []
    for (const h of others.slice(0, 3)) {
      results.push(await h.dial(target.multiaddrs()[0]).then(() => 'ok', () => 'refused'))
      await new Promise(resolve => setTimeout(resolve, 100))
    }
    await until(() => inbound() === 2, 5000, 'two inbound connections')
    // the third dialler either failed outright or was closed once the gater ran
    await new Promise(resolve => setTimeout(resolve, 300))
    expect(inbound()).toBe(2)
    expect(results.slice(0, 2)).toEqual(['ok', 'ok'])
    await target.dial(others[3].multiaddrs()[0])
    expect(target.libp2p?.getConnections().filter(c => c.direction === 'outbound')).toHaveLength(1)
  })
})

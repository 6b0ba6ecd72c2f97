import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createSwarmHost, generateSwarmKey, type JoinEvent, type SwarmHost } from '@murmur/net'
import { createBootstrapServer, type BootstrapServer } from '../src/index.js'

const LOOPBACK = ['/ip4/127.0.0.1/tcp/0']

describe('bootstrap server', () => {
  const cleanup: Array<() => Promise<void>> = []
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c()
  })

  async function server (init: Parameters<typeof createBootstrapServer>[0] = {}): Promise<BootstrapServer> {
    const dir = await mkdtemp(join(tmpdir(), 'murmur-bs-'))
    const s = createBootstrapServer({ swarmId: 'lab', dataDir: dir, listen: LOOPBACK, httpHost: '127.0.0.1', httpPort: 0, ...init })
    await s.start()
    cleanup.push(async () => { await s.stop(); await rm(dir, { recursive: true, force: true }) })
    return s
  }

  function host (init: Parameters<typeof createSwarmHost>[0]): { h: SwarmHost, events: JoinEvent[] } {
    const h = createSwarmHost({ swarmId: 'lab', listen: LOOPBACK, dhtLan: true, join: { backoffMs: 200, checkIntervalMs: 500, dialTimeoutMs: 3000 }, ...init })
    const events: JoinEvent[] = []
    h.on('join:status', e => { events.push(e.detail) })
    cleanup.push(async () => { await h.stop() })
    return { h, events }
  }

  it('hosts that know only the bootstrap URL find each other and exchange the swarm topic', async () => {
    const s = await server()
    const url = `http://127.0.0.1:${s.info().httpPort}/bootstrap`
    const addr = s.info().addrs[0].split('/p2p/')[0]
    const a = host({ bootstrapUrls: [url], bootstrap: [addr] })
    const b = host({ bootstrapUrls: [url], bootstrap: [addr] })
    await a.h.start()
    await b.h.start()
    await a.h.waitForPeers(1, { signal: AbortSignal.timeout(20_000), mesh: false })
    await b.h.waitForPeers(1, { signal: AbortSignal.timeout(20_000), mesh: false })
    console.log(JSON.stringify(a.events.map(e => e.attempts)))
    const list = await s.bootstrapList()
    expect(list.peers[0].id).toBe(s.info().peerId)
    expect(list.peers.map(p => p.id)).toEqual(expect.arrayContaining([a.h.peerId(), b.h.peerId()]))
  })
})

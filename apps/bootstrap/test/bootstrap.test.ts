import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createSwarmHost, type SwarmHost, type SwarmHostInit } from '@murmur/net'
import { resolveTask } from '@murmur/tasks'
import { createBootstrapServer, type BootstrapServer, type BootstrapServerInit } from '../src/index.js'

const LOOPBACK = ['/ip4/127.0.0.1/tcp/0']
const FAST_JOIN = { backoffMs: 200, checkIntervalMs: 500, dialTimeoutMs: 3000 }

describe('bootstrap server', () => {
  const cleanup: Array<() => Promise<void>> = []
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c()
  })

  async function tempDir (): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'murmur-bs-'))
    cleanup.push(async () => { await rm(dir, { recursive: true, force: true }) })
    return dir
  }

  async function server (init: BootstrapServerInit = {}): Promise<BootstrapServer> {
    const s = createBootstrapServer({ swarmId: 'lab', listen: LOOPBACK, httpHost: '127.0.0.1', httpPort: 0, ...init })
    await s.start()
    cleanup.push(async () => { await s.stop() })
    return s
  }

  async function host (init: Partial<SwarmHostInit>): Promise<SwarmHost> {
    const h = createSwarmHost({ swarmId: 'lab', resolveTask, listen: LOOPBACK, join: FAST_JOIN, ...init })
    cleanup.push(async () => { await h.stop() })
    await h.start()
    return h
  }

  const get = async (s: BootstrapServer, path: string): Promise<Response> => await fetch(`http://127.0.0.1:${s.info().httpPort}${path}`)

  it('hosts that know only the bootstrap URL find each other and are listed', async () => {
    const s = await server()
    const url = `http://127.0.0.1:${s.info().httpPort}/bootstrap`
    const a = await host({ bootstrapUrls: [url] })
    const b = await host({ bootstrapUrls: [url] })
    await a.waitForPeers(1, { signal: AbortSignal.timeout(20_000), mesh: false })
    await b.waitForPeers(1, { signal: AbortSignal.timeout(20_000), mesh: false })
    const list = await (await get(s, '/bootstrap')).json() as { swarmId: string, peers: Array<{ id: string, addrs: string[] }> }
    expect(list.swarmId).toBe('lab')
    expect(list.peers[0].id).toBe(s.info().peerId)
    expect(list.peers.map(p => p.id)).toEqual(expect.arrayContaining([a.peerId(), b.peerId()]))
    expect(list.peers.every(p => p.addrs.every(x => x.endsWith(`/p2p/${p.id}`)))).toBe(true)
  })

  it('does not list peers of another swarm', async () => {
    const s = await server()
    const stranger = await host({ swarmId: 'other' })
    await stranger.dial(s.info().addrs[0]).catch(() => {})
    await new Promise(resolve => setTimeout(resolve, 1000))
    expect((await s.bootstrapList()).peers.map(p => p.id)).not.toContain(stranger.peerId())
  })

  it('serves /health, answers /metrics through the hook (404 without one)', async () => {
    const plain = await server()
    const health = await (await get(plain, '/health')).json() as Record<string, unknown>
    expect(health).toMatchObject({ status: 'ok', swarmId: 'lab', peerId: plain.info().peerId, reservations: 0 })
    expect((await get(plain, '/metrics')).status).toBe(404)
    expect((await get(plain, '/nope')).status).toBe(404)
    const metered = await server({ metricsHandler: async () => ({ contentType: 'text/plain; version=0.0.4', body: 'murmur_up 1\n' }) })
    const m = await get(metered, '/metrics')
    expect(m.status).toBe(200)
    expect(await m.text()).toBe('murmur_up 1\n')
  })

  it('keeps its peer id and the peers it has seen across a restart', async () => {
    const dir = await tempDir()
    const first = createBootstrapServer({ swarmId: 'lab', dataDir: dir, listen: LOOPBACK, httpHost: '127.0.0.1', httpPort: 0 })
    await first.start()
    const { peerId } = first.info()
    const h = await host({ bootstrap: [first.info().addrs[0]] })
    for (let i = 0; i < 100 && !(await first.bootstrapList()).peers.some(p => p.id === h.peerId()); i++) await new Promise(resolve => setTimeout(resolve, 100))
    await h.stop()
    await first.stop()
    const second = await server({ dataDir: dir })
    expect(second.info().peerId).toBe(peerId)
    expect((await second.bootstrapList()).peers.map(p => p.id)).toContain(h.peerId())
  })
})

import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { createSwarmHost, type SwarmHost } from '../src/host.js'
import type { SwarmHostInit } from '../src/config.js'
import { generateSwarmKey } from '../src/swarm-key.js'
import type { JoinEvent } from '../src/join.js'
import { swarmProtocol } from '../src/swarm-protocol.js'
import { PROTOCOL_VERSION } from '@murmur/protocol'
import { loopbackInit } from './helpers.js'

const FAST_JOIN = { backoffMs: 200, maxBackoffMs: 400, checkIntervalMs: 300, dialTimeoutMs: 1500 }

describe('joining a swarm', () => {
  const stops: Array<() => Promise<void>> = []
  afterEach(async () => { for (const s of stops.splice(0).reverse()) await s() })

  async function started (init: Partial<SwarmHostInit>): Promise<SwarmHost> {
    const h = createSwarmHost(loopbackInit(init))
    await h.start()
    stops.push(async () => { await h.stop() })
    return h
  }

  async function firstFailure (h: SwarmHost): Promise<Extract<JoinEvent, { type: 'failed' }>> {
    for (;;) {
      const e = await h.once('join:status', { signal: AbortSignal.timeout(15_000) })
      if (e.type === 'failed') return e
    }
  }

  function joiner (boot: SwarmHost | string, over: Partial<SwarmHostInit> = {}): SwarmHost {
    const addr = typeof boot === 'string' ? boot : boot.multiaddrs()[0]
    const h = createSwarmHost(loopbackInit({ bootstrap: [addr], join: FAST_JOIN, ...over }))
    stops.push(async () => { await h.stop() })
    return h
  }

  it('joins through a bootstrap address and reports it', async () => {
    const boot = await started({})
    const h = joiner(boot)
    const joined = h.once('join:status', { signal: AbortSignal.timeout(15_000) })
    await h.start()
    const e = await joined
    expect(e.type).toBe('joined')
    expect(e.attempts[0]).toMatchObject({ ok: true })
    await h.waitForPeers(1, { signal: AbortSignal.timeout(10_000), mesh: false })
  })

  it('names a refused address', async () => {
    const boot = await started({})
    const addr = boot.multiaddrs()[0]
    await boot.stop()
    const h = joiner(addr)
    const failed = firstFailure(h)
    await h.start()
    const e = await failed
    expect(e.attempts).toEqual([expect.objectContaining({ address: addr, ok: false, reason: 'refused' })])
    expect(e.diagnosis).toContain(`${addr}: connection refused`)
    expect(e.diagnosis.includes('\n')).toBe(false)
  })

  it('names a wrong swarm id and hangs up', async () => {
    const boot = await started({ swarmId: 'other' })
    const h = joiner(boot)
    const failed = firstFailure(h)
    await h.start()
    const e = await failed
    expect(e.attempts[0]).toMatchObject({ ok: false, reason: 'wrong-swarm-id' })
    expect(e.diagnosis).toContain('peer is in swarm "other"')
    expect(h.libp2p?.getConnections().length).toBe(0)
  })

  it('names a wrong protocol version', async () => {
    const boot = await started({})
    // A peer of the same swarm that speaks only a future wire version.
    await boot.libp2p?.unhandle(swarmProtocol('test'))
    await boot.libp2p?.handle(swarmProtocol('test', 99), s => { void s.close() })
    const h = joiner(boot)
    const failed = firstFailure(h)
    await h.start()
    const e = await failed
    expect(e.attempts[0]).toMatchObject({ ok: false, reason: 'wrong-protocol-version', detail: 'peer speaks version 99' })
  })

  it('names a wrong swarm key (the peer has another one: the probe of its port tells)', async () => {
    const boot = await started({ psk: generateSwarmKey() })
    const h = joiner(boot, { psk: generateSwarmKey() })
    const failed = firstFailure(h)
    await h.start()
    const e = await failed
    expect(e.attempts[0]).toMatchObject({ ok: false, reason: 'swarm-key', detail: 'the peer uses another swarm key' })
  })

  it('names a bootstrap URL that is not a murmur list, and one for another swarm', async () => {
    const servers: Server[] = []
    const serve = async (body: string): Promise<string> => {
      const s = createServer((_req, res) => { res.end(body) })
      servers.push(s)
      await new Promise<void>(resolve => { s.listen(0, '127.0.0.1', resolve) })
      return `http://127.0.0.1:${(s.address() as AddressInfo).port}/bootstrap`
    }
    stops.push(async () => { for (const s of servers) s.close() })
    const junk = await serve('<html>')
    const other = await serve(JSON.stringify({ swarmId: 'other', protocolVersion: PROTOCOL_VERSION, peers: [] }))
    const h = createSwarmHost(loopbackInit({ bootstrapUrls: [junk, other], join: FAST_JOIN }))
    stops.push(async () => { await h.stop() })
    const failed = firstFailure(h)
    await h.start()
    const e = await failed
    expect(e.attempts.map(a => a.reason)).toEqual(['bad-list', 'wrong-swarm-id'])
  })

  it('re-bootstraps after losing every peer', async () => {
    const boot = await started({})
    const h = joiner(boot, { join: { ...FAST_JOIN, minPeers: 1 } })
    const events: JoinEvent[] = []
    h.on('join:status', e => { events.push(e.detail) })
    await h.start()
    await h.waitForPeers(1, { signal: AbortSignal.timeout(10_000), mesh: false })
    await new Promise(resolve => setTimeout(resolve, 1000))
    expect(events.some(e => e.type === 'joined' && e.rejoin)).toBe(false)
    await h.libp2p?.hangUp(boot.libp2p!.peerId)
    for (let i = 0; i < 100 && !events.some(e => e.type === 'joined' && e.rejoin); i++) await new Promise(resolve => setTimeout(resolve, 100))
    expect(events.some(e => e.type === 'joined' && e.rejoin)).toBe(true)
    await h.waitForPeers(1, { signal: AbortSignal.timeout(10_000), mesh: false })
  })
})

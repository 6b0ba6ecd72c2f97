// The joiner's diagnosis against real libp2p peers on loopback: a peer that dies or hangs up
// mid-handshake is not a wrong swarm key; a key mismatch in each direction still is.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer, type AddressInfo } from 'node:net'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { getNetConfig } from '@libp2p/utils'
import { createLibp2p, type Libp2p, type Libp2pOptions } from 'libp2p'
import { afterEach, describe, expect, it } from 'vitest'
import { createSwarmHost, type SwarmHost } from '../src/host.js'
import type { SwarmHostInit } from '../src/config.js'
import type { JoinEvent } from '../src/join.js'
import { baseLibp2pOptions, type BaseNetConfig } from '../src/libp2p-options.js'
import { probePnet } from '../src/pnet-probe.js'
import { generateSwarmKey } from '../src/swarm-key.js'
import { loopbackInit } from './helpers.js'

const FAST_JOIN = { backoffMs: 200, maxBackoffMs: 400, checkIntervalMs: 300, dialTimeoutMs: 3000 }
const distOptions = pathToFileURL(fileURLToPath(new URL('../dist/libp2p-options.js', import.meta.url))).href

function peerConfig (psk?: Uint8Array): BaseNetConfig {
  return {
    swarmId: 'test', listen: ['/ip4/127.0.0.1/tcp/0'], announce: [], mdns: false, dht: 'off', dhtLan: false, relay: false,
    autonat: false, dcutr: false, psk, publicOnly: false, maxConnections: 64, maxIncomingPending: undefined, inboundPerHostPerSecond: 1000, pingIntervalMs: 30_000
  }
}

// A peer in its own process that SIGKILLs itself as a dial reaches it (after the TCP accept,
// before the secure handshake): what a bootstrap killed or crashing mid-dial looks like.
const killedPeer = `
import { createLibp2p } from 'libp2p'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { baseLibp2pOptions } from ${JSON.stringify(distOptions)}
const psk = process.argv[2] === '-' ? undefined : Buffer.from(process.argv[2], 'base64')
const base = baseLibp2pOptions({ ...JSON.parse(process.argv[3]), psk }, await generateKeyPair('Ed25519'))
base.connectionGater = { denyInboundConnection: () => { process.kill(process.pid, 'SIGKILL'); return false } }
const node = await createLibp2p(base)
process.stdout.write(node.getMultiaddrs()[0].toString() + '\\n')
`

describe('diagnosis of a failed join', () => {
  const stops: Array<() => Promise<void>> = []
  afterEach(async () => { for (const s of stops.splice(0).reverse()) await s() })

  async function firstFailure (h: SwarmHost): Promise<Extract<JoinEvent, { type: 'failed' }>> {
    for (;;) {
      const e = await h.once('join:status', { signal: AbortSignal.timeout(20_000) })
      if (e.type === 'failed') return e
    }
  }

  async function joinFailure (addr: string, over: Partial<SwarmHostInit> = {}): Promise<Extract<JoinEvent, { type: 'failed' }>> {
    const h = createSwarmHost(loopbackInit({ bootstrap: [addr], join: FAST_JOIN, ...over }))
    stops.push(async () => { await h.stop() })
    const failed = firstFailure(h)
    await h.start()
    return await failed
  }

  /** A libp2p peer that resets the first inbound connection (a peer shedding load, or one restarting). */
  async function resettingPeer (psk?: Uint8Array): Promise<Libp2p> {
    let first = true
    const base = baseLibp2pOptions(peerConfig(psk), await generateKeyPair('Ed25519'))
    const node = await createLibp2p({
      ...base,
      services: base.services as Libp2pOptions['services'],
      connectionGater: {
        denyInboundConnection: maConn => {
          if (first) maConn.abort(new Error('shedding load'))
          first = false
          return false
        }
      }
    })
    stops.push(async () => { await node.stop() })
    return node
  }

  async function killedPeerAddress (psk?: Uint8Array): Promise<string> {
    const dir = await mkdtemp(join(fileURLToPath(new URL('.', import.meta.url)), '.tmp-killed-'))
    const file = join(dir, 'peer.mjs')
    await writeFile(file, killedPeer)
    const child: ChildProcess = spawn(process.execPath, [file, psk === undefined ? '-' : Buffer.from(psk).toString('base64'), JSON.stringify(peerConfig())], { stdio: ['ignore', 'pipe', 'inherit'] })
    stops.push(async () => { child.kill('SIGKILL'); await rm(dir, { recursive: true, force: true }) })
    return await new Promise<string>((resolve, reject) => {
      child.stdout?.once('data', (d: Buffer) => { resolve(d.toString().trim()) })
      child.once('exit', code => { reject(new Error(`peer exited with ${String(code)}`)) })
    })
  }

  it('a bootstrap killed mid-handshake is a reset connection, not a wrong swarm key', async () => {
    const e = await joinFailure(await killedPeerAddress())
    expect(e.attempts[0]).toMatchObject({ ok: false, reason: 'connection-reset' })
    expect(e.diagnosis).toContain('it may have restarted or be overloaded; retrying')
    expect(e.diagnosis).not.toContain('swarm key')
  })

  it('in a private swarm too, a bootstrap killed mid-handshake is a reset connection', async () => {
    const psk = generateSwarmKey()
    const e = await joinFailure(await killedPeerAddress(psk), { psk })
    expect(e.attempts[0]).toMatchObject({ ok: false, reason: 'connection-reset' })
  })

  it('a peer with our swarm key that resets the handshake is a reset connection (the probe checks the key)', async () => {
    const psk = generateSwarmKey()
    const peer = await resettingPeer(psk)
    const e = await joinFailure(peer.getMultiaddrs()[0].toString(), { psk })
    expect(e.attempts[0]).toMatchObject({ ok: false, reason: 'connection-reset' })
  })

  it('a peer without a swarm key that resets the handshake is a reset connection', async () => {
    const peer = await resettingPeer()
    const e = await joinFailure(peer.getMultiaddrs()[0].toString())
    expect(e.attempts[0]).toMatchObject({ ok: false, reason: 'connection-reset' })
  })

  it('a bootstrap host stopped as the connection opens is a reset connection, not a peer of another kind', async () => {
    const base = baseLibp2pOptions(peerConfig(), await generateKeyPair('Ed25519'))
    const node: Libp2p = await createLibp2p({
      ...base,
      services: base.services as Libp2pOptions['services'],
    })
    node.addEventListener('connection:open', () => { void node.stop() })
    stops.push(async () => { await node.stop() })
    const e = await joinFailure(node.getMultiaddrs()[0].toString())
    expect(e.attempts[0]).toMatchObject({ ok: false, reason: 'connection-reset' })
  })

  it('names the swarm key when the peer has one and we have none', async () => {
    const boot = createSwarmHost(loopbackInit({ psk: generateSwarmKey() }))
    await boot.start()
    stops.push(async () => { await boot.stop() })
    const e = await joinFailure(boot.multiaddrs()[0])
    expect(e.attempts[0]).toMatchObject({ ok: false, reason: 'swarm-key', detail: 'the peer uses a swarm key (pre-shared key), we have none' })
  })

  it('names the swarm key when we have one and the peer has none', async () => {
    const boot = createSwarmHost(loopbackInit({}))
    await boot.start()
    stops.push(async () => { await boot.stop() })
    const e = await joinFailure(boot.multiaddrs()[0], { psk: generateSwarmKey() })
    expect(e.attempts[0]).toMatchObject({ ok: false, reason: 'swarm-key', detail: 'we use a swarm key, the peer uses none' })
  })

  it('the probe tells every kind of peer apart', async () => {
    const key = generateSwarmKey()
    const plain = await resettingPeer()
    const keyed = await resettingPeer(key)
    const at = (n: Libp2p): [string, number] => { const o = getNetConfig(n.getMultiaddrs()[0]); return [o.host, o.port ?? 0] }
    // (each peer resets only its first connection, so probe it once first)
    await probePnet(...at(plain), undefined, 2000)
    await probePnet(...at(keyed), undefined, 2000)
    expect(await probePnet(...at(plain), undefined, 2000)).toBe('plain')
    expect(await probePnet(...at(plain), key, 2000)).toBe('plain')
    expect(await probePnet(...at(keyed), undefined, 2000)).toBe('pnet')
    expect(await probePnet(...at(keyed), key, 2000)).toBe('same-key')
    expect(await probePnet(...at(keyed), generateSwarmKey(), 2000)).toBe('other-key')
    const [host, port] = at(plain)
    await plain.stop()
    expect(await probePnet(host, port, undefined, 2000)).toBe('down')
    const banner = createServer(socket => { socket.end('SSH-2.0-OpenSSH_9.6p1 Ubuntu-3ubuntu13\r\n') })
    await new Promise<void>(resolve => { banner.listen(0, '127.0.0.1', resolve) })
    stops.push(async () => { banner.close() })
    expect(await probePnet('127.0.0.1', (banner.address() as AddressInfo).port, undefined, 2000)).toBe('silent')
  })
})

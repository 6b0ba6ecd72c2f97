// libp2p's connection monitor against a peer whose event loop stalls (a busy host, a long train
// step): a ping that is answered late must not cut off a healthy connection.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { createSwarmHost, type SwarmHost } from '../src/host.js'
import { pingTimeoutMs } from '../src/libp2p-options.js'
import { loopbackInit, until } from './helpers.js'

const distIndex = pathToFileURL(fileURLToPath(new URL('../dist/index.js', import.meta.url))).href
/** The monitor pings every 18 s here (the default is 30 s; the timeout is 12 s) so that the test sees one ping. */
const PING_INTERVAL_MS = 18_000
/** How long the peer's event loop is blocked. */
const STALL_MS = 8_000

// A host in its own process: dials the address in argv, reports the connection, and on "stall"
// blocks its event loop with a busy-wait; then reports how many connections it has.
const script = `
import { createSwarmHost } from ${JSON.stringify(distIndex)}
import { resolveTask } from '@murmur/tasks'
const h = createSwarmHost({ swarmId: 'test', resolveTask, listen: ['/ip4/127.0.0.1/tcp/0'], connections: { pingIntervalMs: Number(process.argv[3]), inboundPerHostPerSecond: 1000 } })
await h.start()
await h.dial(process.argv[2])
console.log('connected')
process.stdin.on('data', d => {
  const end = Date.now() + Number(d.toString().trim())
  while (Date.now() < end) { /* stalled */ }
  setTimeout(() => { console.log('connections ' + h.libp2p.getConnections().length) }, 500)
})
`

describe('connection monitor', () => {
  const stops: Array<() => Promise<void>> = []
  afterEach(async () => { for (const s of stops.splice(0).reverse()) await s() })

  /** Starts a host pinging every `pingIntervalMs` and a peer process connected to it. */
  async function pair (pingIntervalMs: number): Promise<{ host: SwarmHost, started: number, child: ChildProcess, output: () => string }> {
    const host = createSwarmHost(loopbackInit({ connections: { pingIntervalMs } }))
    await host.start()
    // The monitor started during start(): its first ping goes out at most pingIntervalMs from now.
    const started = Date.now()
    stops.push(async () => { await host.stop() })
    const dir = await mkdtemp(join(fileURLToPath(new URL('.', import.meta.url)), '.tmp-stall-'))
    await writeFile(join(dir, 'peer.mjs'), script)
    const child = spawn(process.execPath, [join(dir, 'peer.mjs'), host.multiaddrs()[0], String(pingIntervalMs)], { stdio: ['pipe', 'pipe', 'inherit'] })
    stops.push(async () => { child.kill('SIGKILL'); await rm(dir, { recursive: true, force: true }) })
    let out = ''
    child.stdout?.on('data', (d: Buffer) => { out += d.toString() })
    await until(() => out.includes('connected'), 20_000, 'the peer to connect')
    return { host, started, child, output: () => out }
  }

  it(`keeps a connection to a peer whose event loop stalls for ${STALL_MS / 1000} s`, async () => {
    // libp2p's default ping timeout (5 s, adaptive) cuts this connection off; ours waits longer.
    expect(pingTimeoutMs(PING_INTERVAL_MS)).toBeGreaterThan(STALL_MS)
    const { host, started, child, output } = await pair(PING_INTERVAL_MS)
    const closed: string[] = []
    host.libp2p?.addEventListener('connection:close', e => { closed.push(e.detail.id) })
    const [conn] = host.libp2p?.getConnections() ?? []
    expect(conn.status).toBe('open')
    // The peer stalls from 1.5 s before our monitor's first ping at the latest, so that ping waits
    // at least STALL_MS − 1.5 s (6.5 s) for its answer.
    await new Promise(resolve => setTimeout(resolve, Math.max(0, started + PING_INTERVAL_MS - 1_500 - Date.now())))
    child.stdin?.write(`${STALL_MS}\n`)
    await until(() => output().includes('connections '), STALL_MS + 20_000, 'the peer to come back')
    await new Promise(resolve => setTimeout(resolve, 1_000))
    expect(closed).toEqual([])
    expect(conn.status).toBe('open')
    expect(output()).toContain('connections 1')
  })

  it('cuts off a peer that stops answering within the ping interval plus the ping timeout', async () => {
    const interval = 3_000
    const { host, child } = await pair(interval)
    const [conn] = host.libp2p?.getConnections() ?? []
    // A frozen process: its sockets stay open and the kernel acknowledges, but nothing answers.
    child.kill('SIGSTOP')
    const frozen = Date.now()
    await until(() => conn.status !== 'open', 2 * (interval + pingTimeoutMs(interval)), 'the connection to close')
    expect(Date.now() - frozen).toBeLessThanOrEqual(interval + pingTimeoutMs(interval) + 1_000)
  })
})

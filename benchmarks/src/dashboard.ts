/**
 * `npm run bench -- dashboard [--loads 10] [--nodes 2]`: how fast the swarm dashboard loads in a
 * real browser. A `murmur sim --dashboard` swarm runs (real node processes, rounds in progress,
 * so the page is served by a busy process as a user sees it); Debian's headless Chromium
 * (playwright-core) loads the page cold — a fresh browser context each time, so nothing is
 * cached — and reports the Navigation Timing load time (request of the page → end of its load
 * event) and the bytes of every asset.
 *
 * Peer (`static-server`, measured in the same run, loads interleaved): the same asset bytes and
 * the same view snapshot served by a plain node:http server in this process with no swarm
 * beside it — what loading this page costs in this browser on this machine, the floor the
 * dashboard server can approach. Targets (issue 17): load < 1 s, assets < 200 KB.
 *
 * Needs Chromium (`apt-get install -y chromium`, or MURMUR_CHROMIUM=path).
 */
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { chromium, type Browser } from 'playwright-core'
import { median, report } from './report.js'

const BIN = fileURLToPath(new URL('../../apps/cli/dist/bin.js', import.meta.url))
const CHROMIUM = process.env.MURMUR_CHROMIUM ?? '/usr/bin/chromium'
/** Flags for Chromium on a machine with no outside network. */
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']
const URL_TIMEOUT_MS = 120_000

interface Captured { body: Buffer, contentType: string }

/** Loads `url` in a fresh context; returns the load time and the asset bytes (API responses excluded). */
async function coldLoad (browser: Browser, url: string, capture?: Map<string, Captured>): Promise<{ loadMs: number, assetBytes: number }> {
  const context = await browser.newContext()
  try {
    const page = await context.newPage()
    let assetBytes = 0
    const pending: Array<Promise<void>> = []
    page.on('response', res => {
      const path = new URL(res.url()).pathname
      if (path.startsWith('/api/events')) return
      if (!path.startsWith('/api/')) assetBytes += Number(res.headers()['content-length'] ?? 0)
      if (capture !== undefined) pending.push(res.body().then(body => { capture.set(path, { body, contentType: res.headers()['content-type'] ?? 'application/octet-stream' }) }, () => {}))
    })
    await page.goto(url, { waitUntil: 'load' })
    const loadMs = Number(await page.evaluate('performance.getEntriesByType("navigation")[0].loadEventEnd'))
    await Promise.all(pending)
    return { loadMs, assetBytes }
  } finally {
    await context.close()
  }
}

/** Serves the captured responses as they were; anything else is 404. */
async function staticServer (files: Map<string, Captured>): Promise<{ server: Server, url: string }> {
  const server = createServer((req, res) => {
    const f = files.get(new URL(req.url ?? '/', 'http://x').pathname)
    if (f === undefined) { res.writeHead(404).end(); return }
    res.writeHead(200, { 'content-type': f.contentType, 'content-length': f.body.length, 'cache-control': 'no-cache' }).end(f.body)
  })
  await new Promise<void>(resolve => { server.listen(0, '127.0.0.1', resolve) })
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` }
}

/** Runs the benchmark. */
export default async function run (argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { loads: { type: 'string', default: '10' }, nodes: { type: 'string', default: '2' } } })
  const loads = Number(values.loads)
  if (!existsSync(CHROMIUM)) {
    process.stderr.write(`dashboard bench skipped: no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set MURMUR_CHROMIUM)\n`)
    return
  }
  const dir = await mkdtemp(join(tmpdir(), 'murmur-bench-dashboard-'))
  const sim = spawn(process.execPath, [BIN, 'sim', '--nodes', String(values.nodes), '--rounds', '100000', '--dir', join(dir, 'sim'), '--dashboard', '--dashboard-port', '0',
    '--refresh-ms', '600000', '--eval-every', '0'], { stdio: ['ignore', 'ignore', 'pipe'] })
  let browser: Browser | undefined
  let peer: Server | undefined
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => { reject(new Error(`no dashboard URL within ${URL_TIMEOUT_MS / 1000} s`)) }, URL_TIMEOUT_MS)
      sim.once('exit', code => { clearTimeout(timer); reject(new Error(`murmur sim exited early (${String(code)})`)) })
      createInterface({ input: sim.stderr }).on('line', line => {
        const m = /^dashboard: (http:\/\/\S+)/.exec(line)
        if (m !== null) { clearTimeout(timer); resolve(m[1]) }
      })
    })
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true })
    // The first load warms Chromium and captures the assets for the peer.
    const files = new Map<string, Captured>()
    const first = await coldLoad(browser, url, files)
    const started = await staticServer(files)
    peer = started.server
    await coldLoad(browser, started.url)
    const ours: number[] = []
    const theirs: number[] = []
    for (let i = 0; i < loads; i++) {
      ours.push((await coldLoad(browser, url)).loadMs)
      theirs.push((await coldLoad(browser, started.url)).loadMs)
    }
    const shape = { nodes: Number(values.nodes), loads, chromium: browser.version() }
    report({ bench: 'dashboard', case: 'sim_page', metric: 'load_ms', value: median(ours), unit: 'ms', better: 'lower', peer: 'static-server', peer_value: median(theirs), target: 1000, max: Math.max(...ours), ...shape })
    report({ bench: 'dashboard', case: 'sim_page', metric: 'asset_bytes', value: first.assetBytes, unit: 'B', better: 'lower', target: 200_000, files: files.size })
  } finally {
    await browser?.close()
    peer?.close()
    if (sim.exitCode === null && sim.signalCode === null) {
      sim.kill('SIGTERM')
      await new Promise(resolve => { const t = setTimeout(resolve, 30_000); sim.once('exit', () => { clearTimeout(t); resolve(undefined) }) })
    }
    await rm(dir, { recursive: true, force: true })
  }
}

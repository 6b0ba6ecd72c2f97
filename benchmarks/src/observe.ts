/**
 * `npm run bench -- observe [--blocks 20] [--block-rounds 3] [--swarm-nodes 2] [--scrape-ms 1000]
 * [--sim-pairs 2] [--nodes 2] [--rounds 30] [--aa] [--parts metrics,defaults,libp2p,gossipsub,dashboard] [--profile DIR] [-- config flags for murmur sim]`: what serving
 * metrics and the dashboard costs a node.
 *
 * Lockstep (the measurement that can show a small difference on a busy machine): two child
 * processes (observe-worker.ts) each run the same small swarm with the same seeds, one plain and
 * one observed (`/metrics` per node, libp2p and gossipsub metrics, a dashboard with its event
 * stream). This process is their Prometheus and browser: it scrapes every node's /metrics every
 * `--scrape-ms` (5× Prometheus's usual 5 s) and keeps one dashboard event stream open, parsing
 * every event. The children take turns, one round at a time (ABBA…), so whatever else loads the
 * machine hits both alike; each child reports its own process CPU (all threads, background work
 * between its rounds included). Per block of `--block-rounds` rounds the CPU of the two is a
 * pair; reported: the mean per-pair difference ± its standard error and 95 % interval, in ms per
 * node-round and in % of the plain CPU. `--aa` runs two plain swarms instead (the noise floor);
 * `--profile DIR` writes each child's main-thread CPU profile of the measured rounds to DIR;
 * `--parts` observes with a subset (an ablation: `metrics` is the registry and /metrics server,
 * `defaults`, `libp2p`, `gossipsub` what it collects, `dashboard` the page's state and stream).
 *
 * `murmur sim` (`--sim-pairs` alternating pairs of whole runs, 0 skips it): the same swarm as a
 * user runs it, without and with `--metrics-port` and `--dashboard`, CPU of the sim and its node
 * processes from GNU time's accounting of reaped children (start-up and evaluations included)
 * per node-round, and median round time. Whole runs vary more than the lockstep blocks.
 */
import { fork, spawn } from 'node:child_process'
import { request } from 'node:http'
import { mkdtemp, rm } from 'node:fs/promises'
import { loadavg, tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { existsSync } from 'node:fs'
import { Child } from './child.js'
import type { FromWorker, ToWorker, WorkerArgs } from './observe-worker.js'
import { meanWithError, median, quantile, report } from './report.js'

/** What the observed variant turns on (an ablation runs a subset). */
export type ObservedPart = 'metrics' | 'defaults' | 'libp2p' | 'gossipsub' | 'dashboard'

/** Every part: what `murmur node --metrics-port --dashboard` runs. */
const ALL_PARTS: readonly ObservedPart[] = ['metrics', 'defaults', 'libp2p', 'gossipsub', 'dashboard']

const BIN = fileURLToPath(new URL('../../apps/cli/dist/bin.js', import.meta.url))
const METRICS_PORT = 9700
/** GNU time (Debian package `time`): CPU of a command and all its reaped descendants. */
const GNU_TIME = '/usr/bin/time'
/** Renders timed at the end of the lockstep run (CPU of one /metrics render). */
const RENDERS = 50

interface Options { parts: ObservedPart[], procs: number, blocks: number, blockRounds: number, swarmNodes: number, scrapeMs: number, semiSpaceMb: number, aa: boolean, profile?: string, simPairs: number, nodes: number, rounds: number, extra: string[] }
interface RunResult { roundMs: number[], cpuMsPerRound: number, scrapes: Scrape[], events: number }
interface Scrape { ms: number, bytes: number }

function parseOptions (argv: string[]): Options {
  const sep = argv.indexOf('--')
  const own = sep < 0 ? argv : argv.slice(0, sep)
  const num = (name: string, fallback: number, min = 1): number => {
    const i = own.indexOf(`--${name}`)
    const v = i < 0 ? fallback : Number(own[i + 1])
    if (!Number.isInteger(v) || v < min) throw new Error(`--${name} must be an integer ≥ ${min}`)
    return v
  }
  const partsArg = own.includes('--parts') ? own[own.indexOf('--parts') + 1].split(',') : [...ALL_PARTS]
  const unknown = partsArg.filter(p => !(ALL_PARTS as readonly string[]).includes(p))
  if (unknown.length > 0) throw new Error(`--parts takes a comma-separated subset of ${ALL_PARTS.join(',')}, got ${unknown.join(',')}`)
  return {
    parts: partsArg as ObservedPart[],
    procs: num('procs', 4, 1),
    blocks: num('blocks', 10, 2),
    blockRounds: num('block-rounds', 3),
    swarmNodes: num('swarm-nodes', 2, 2),
    scrapeMs: num('scrape-ms', 1000),
    semiSpaceMb: num('semi-space-mb', 16, 0),
    aa: own.includes('--aa'),
    ...(own.includes('--profile') ? { profile: resolve(own[own.indexOf('--profile') + 1]) } : {}),
    simPairs: num('sim-pairs', 2, 0),
    nodes: num('nodes', 2),
    rounds: num('rounds', 30),
    extra: sep < 0 ? [] : argv.slice(sep + 1)
  }
}

/** Times one GET of a /metrics URL. */
async function scrape (url: string): Promise<Scrape | undefined> {
  const t0 = performance.now()
  return await new Promise(resolve => {
    const req = request(url, res => {
      let bytes = 0
      res.on('data', (c: Buffer) => { bytes += c.length })
      res.on('end', () => { resolve(res.statusCode === 200 ? { ms: performance.now() - t0, bytes } : undefined) })
    })
    req.on('error', () => { resolve(undefined) })
    req.end()
  })
}

/** Scrapes `urls` every `ms`; returns a function that stops and returns the scrapes. */
function scrapeEvery (urls: string[], ms: number): () => Scrape[] {
  const scrapes: Scrape[] = []
  const timer = setInterval(() => {
    for (const url of urls) void scrape(url).then(s => { if (s !== undefined) scrapes.push(s) })
  }, ms)
  return () => { clearInterval(timer); return scrapes }
}

/** Keeps a dashboard event stream open, parsing every event as a page would; returns a function that closes it and returns the count. */
function watchDashboard (url: string): () => number {
  let events = 0
  let buf = ''
  const req = request(`${url}api/events`, res => {
    res.setEncoding('utf8')
    res.on('data', (chunk: string) => {
      buf += chunk
      let i
      while ((i = buf.indexOf('\n\n')) >= 0) {
        const data = /^data: (.*)$/m.exec(buf.slice(0, i))?.[1]
        buf = buf.slice(i + 2)
        if (data !== undefined) { JSON.parse(data); events++ }
      }
    })
  })
  req.on('error', () => {})
  req.end()
  return () => { req.destroy(); return events }
}

function load (): string {
  return loadavg().map(v => v.toFixed(2)).join(' ')
}

/** CPU and round times of one pair of child processes taking turns. */
interface PairResult {
  /** CPU per block of each child (ms). */
  cpu: { a: number[], b: number[] }
  wall: { a: number[], b: number[] }
  /** Whether both children did the same work (tokens generated, groups trained) every round. */
  sameWork: boolean
  scrapes: Scrape[]
  events: number
  render?: { cpuMs: number, bytes: number }
}

/** Two swarms in two fresh processes (`b` observed unless `aa`), taking turns round by round (ABBA…). */
async function lockstepPair (opts: Options): Promise<PairResult> {
  const script = fileURLToPath(new URL('./observe-worker.js', import.meta.url))
  const execArgv = opts.semiSpaceMb > 0 ? [`--min-semi-space-size=${opts.semiSpaceMb}`, `--max-semi-space-size=${opts.semiSpaceMb}`] : []
  const start = (parts: ObservedPart[]): Child<FromWorker, ToWorker> => {
    const args: WorkerArgs = { parts, nodes: opts.swarmNodes, ...(opts.profile === undefined ? {} : { profile: opts.profile }) }
    return new Child(fork(script, [JSON.stringify(args)], { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }), `observe worker (${parts.join(',') || 'plain'})`)
  }
  const a = start([])
  const b = start(opts.aa ? [] : opts.parts)
  try {
    const [, ready] = await Promise.all([a.next('ready'), b.next('ready')])
    const stopScraping = scrapeEvery(ready.metricsUrls, opts.scrapeMs)
    const closeStream = ready.dashboardUrl === undefined ? () => 0 : watchDashboard(ready.dashboardUrl)
    const result: PairResult = { cpu: { a: [], b: [] }, wall: { a: [], b: [] }, sameWork: true, scrapes: [], events: 0 }
    const last = { a: 0, b: 0 }
    for (let block = 0; block < opts.blocks; block++) {
      for (let k = 0; k < opts.blockRounds; k++) {
        const work: string[] = []
        for (const side of (block * opts.blockRounds + k) % 2 === 0 ? ['a', 'b'] as const : ['b', 'a'] as const) {
          const child = side === 'a' ? a : b
          child.send({ type: 'round' })
          const r = await child.next('round')
          result.wall[side].push(r.wallMs)
          work.push(`${r.tokens}/${r.trained}`)
          if (k === opts.blockRounds - 1) {
            result.cpu[side].push(r.cpuMs - last[side])
            last[side] = r.cpuMs
          }
        }
        if (work[0] !== work[1]) result.sameWork = false
      }
    }
    result.scrapes = stopScraping()
    result.events = closeStream()
    if (!opts.aa && opts.parts.includes('metrics')) {
      b.send({ type: 'render', times: RENDERS })
      const { cpuMs, bytes } = await b.next('render')
      result.render = { cpuMs, bytes }
    }
    return result
  } finally {
    for (const c of [a, b]) {
      if (c.child.exitCode === null && c.child.connected) { c.send({ type: 'stop' }); await c.next('stopped').catch(() => {}) }
    }
  }
}

const sum = (xs: number[]): number => xs.reduce((s, v) => s + v, 0)

/** `--procs` fresh process pairs in lockstep; the overhead of each pair is one sample. */
async function lockstep (opts: Options): Promise<void> {
  const loadBefore = load()
  const pairs: PairResult[] = []
  for (let p = 0; p < opts.procs; p++) pairs.push(await lockstepPair(opts))
  const perNodeRound = opts.blockRounds * opts.swarmNodes
  const base = opts.aa ? 'A/A: both swarms plain (the noise floor of this measurement)' : 'same swarm without metrics or dashboard, alternating rounds'
  const ctx = { case: opts.aa ? 'lockstep-aa' : 'lockstep', parts: opts.aa ? [] : opts.parts, swarm_nodes: opts.swarmNodes, procs: opts.procs, blocks: opts.blocks, block_rounds: opts.blockRounds, scrape_every_ms: opts.scrapeMs, semi_space_mb: opts.semiSpaceMb, same_work: pairs.every(p => p.sameWork), load_before: loadBefore, load_after: load() }
  const cpuA = pairs.flatMap(p => p.cpu.a).map(c => c / perNodeRound)
  const cpuB = pairs.flatMap(p => p.cpu.b).map(c => c / perNodeRound)
  const meanA = sum(cpuA) / cpuA.length
  report({ bench: 'observe', ...ctx, metric: 'cpu_ms_per_node_round', value: sum(cpuB) / cpuB.length, unit: 'ms', better: 'lower', peer: base, peer_value: meanA, of: 'process CPU (user + system, all threads) per node-round, background work included', per_pair_with: pairs.map(p => Math.round(sum(p.cpu.b) / p.cpu.b.length / perNodeRound)), per_pair_without: pairs.map(p => Math.round(sum(p.cpu.a) / p.cpu.a.length / perNodeRound)) })
  // Each process pair is one sample: blocks within a pair share the processes' heaps, JIT and placement.
  const overheads = pairs.map(p => 100 * (sum(p.cpu.b) - sum(p.cpu.a)) / sum(p.cpu.a))
  const spread = overheads.length >= 2 ? (d => ({ se_pct: d.se, ci95_pct: d.ci95, target_met_with_95pct_confidence: d.ci95[1] < 2 }))(meanWithError(overheads)) : {}
  const blocks = meanWithError(pairs.flatMap(p => p.cpu.b.map((c, i) => 100 * (c - p.cpu.a[i]) / (sum(p.cpu.a) / p.cpu.a.length))))
  report({ bench: 'observe', ...ctx, metric: 'cpu_overhead_pct', value: sum(overheads) / overheads.length, unit: '%', better: 'lower', target: '< 2', of: 'mean over process pairs of (CPU with − without) / without', per_pair: overheads, ...spread, block_se_pct: blocks.se })
  const wA = median(pairs.flatMap(p => p.wall.a))
  const wB = median(pairs.flatMap(p => p.wall.b))
  report({ bench: 'observe', ...ctx, metric: 'round_ms_median', value: wB, unit: 'ms', better: 'lower', peer: base, peer_value: wA, overhead_pct: 100 * (wB - wA) / wA })
  const scrapes = pairs.flatMap(p => p.scrapes)
  if (scrapes.length > 0) {
    const ms = scrapes.map(s => s.ms)
    // Latency, not CPU: a scrape waits for the node's event loop (and, on a loaded machine, for a core).
    report({ bench: 'observe', ...ctx, metric: 'scrape_latency_ms_median', value: median(ms), unit: 'ms', better: 'lower', p99_ms: quantile(ms, 0.99), scrapes: ms.length, bytes: median(scrapes.map(s => s.bytes)) })
  }
  const renders = pairs.flatMap(p => p.render === undefined ? [] : [p.render])
  if (renders.length > 0) {
    const cpuMs = median(renders.map(r => r.cpuMs))
    report({ bench: 'observe', ...ctx, metric: 'metrics_render_cpu_ms', value: cpuMs, unit: 'ms', better: 'lower', bytes: renders[0].bytes, share_of_node_cpu_pct: 100 * cpuMs * (wB / opts.scrapeMs) / (sum(cpuB) / cpuB.length * opts.swarmNodes) })
  }
  if (opts.parts.includes('dashboard') && !opts.aa) report({ bench: 'observe', ...ctx, metric: 'dashboard_events', value: sum(pairs.map(p => p.events)), unit: 'events', better: 'higher', of: 'server-sent events parsed by the watching client' })
}

async function runSim (opts: Options, observed: boolean): Promise<RunResult> {
  const dir = await mkdtemp(join(tmpdir(), 'murmur-bench-observe-'))
  const args = [BIN, 'sim', '--json', '--nodes', String(opts.nodes), '--rounds', String(opts.rounds), '--dir', join(dir, 'sim'), '--eval-tasks', '1', ...opts.extra]
  if (observed) args.push('--metrics-port', String(METRICS_PORT), '--dashboard', '--dashboard-port', '0')
  const child = spawn(GNU_TIME, ['-f', 'MURMUR_CPU %U %S', process.execPath, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  const result: RunResult = { roundMs: [], cpuMsPerRound: Number.NaN, scrapes: [], events: 0 }
  let closeStream: (() => number) | undefined
  createInterface({ input: child.stderr }).on('line', line => {
    const m = /^dashboard: (http:\/\/\S+)/.exec(line)
    if (m !== null) closeStream = watchDashboard(m[1])
    const cpu = /^MURMUR_CPU ([\d.]+) ([\d.]+)$/.exec(line)
    if (cpu !== null) result.cpuMsPerRound = 1000 * (Number(cpu[1]) + Number(cpu[2])) / (opts.nodes * opts.rounds)
  })
  createInterface({ input: child.stdout }).on('line', line => {
    try {
      const v = JSON.parse(line) as { node?: number, round?: number, timings?: { roundMs: number } }
      if (v.node !== undefined && v.round !== undefined && v.round >= 2 && v.timings !== undefined) result.roundMs.push(v.timings.roundMs)
    } catch {
      // not a JSON line
    }
  })
  const stopScraping = observed ? scrapeEvery(Array.from({ length: opts.nodes }, (_, i) => `http://127.0.0.1:${METRICS_PORT + i}/metrics`), opts.scrapeMs) : undefined
  const code = await new Promise<number | null>(resolve => { child.once('exit', resolve) })
  result.scrapes = stopScraping?.() ?? []
  result.events = closeStream?.() ?? 0
  await rm(dir, { recursive: true, force: true })
  if (code !== 0) throw new Error(`murmur sim exited with ${String(code)}`)
  return result
}

/** Whole `murmur sim` runs without and with observation, alternating (ABBA…). */
async function simPairs (opts: Options): Promise<void> {
  if (!existsSync(GNU_TIME)) throw new Error(`${GNU_TIME} not found: install GNU time (apt-get install -y time)`)
  const loadBefore = load()
  const roundMs = { plain: [] as number[], observed: [] as number[] }
  const cpu = { plain: [] as number[], observed: [] as number[] }
  let events = 0
  for (let p = 0; p < opts.simPairs; p++) {
    for (const withObservation of p % 2 === 0 ? [false, true] : [true, false]) {
      const r = await runSim(opts, withObservation)
      const variant = withObservation ? 'observed' : 'plain'
      roundMs[variant].push(...r.roundMs)
      cpu[variant].push(r.cpuMsPerRound)
      events += r.events
    }
  }
  const ctx = { nodes: opts.nodes, rounds: opts.rounds, pairs: opts.simPairs, scrape_every_ms: opts.scrapeMs, load_before: loadBefore, load_after: load(), dashboard_events: events }
  const cpuWith = median(cpu.observed)
  const cpuWithout = median(cpu.plain)
  report({ bench: 'observe', case: `sim-n${opts.nodes}`, metric: 'cpu_ms_per_node_round', value: cpuWith, unit: 'ms', better: 'lower', peer: 'same swarm without metrics or dashboard', peer_value: cpuWithout, ...ctx, of: 'CPU (user + system) of the sim and its node processes over the whole run / node-rounds', runs_with: cpu.observed.map(Math.round), runs_without: cpu.plain.map(Math.round) })
  const mean = (xs: number[]): number => xs.reduce((a, v) => a + v, 0) / xs.length
  const plainMean = mean(cpu.plain)
  const diffs = cpu.observed.map((c, i) => c - cpu.plain[i])
  const spread = diffs.length >= 2 ? (d => ({ se_pct: 100 * d.se / plainMean, ci95_pct: d.ci95.map(x => 100 * x / plainMean) }))(meanWithError(diffs)) : {}
  report({ bench: 'observe', case: `sim-n${opts.nodes}`, metric: 'cpu_overhead_pct', value: 100 * mean(diffs) / plainMean, unit: '%', better: 'lower', target: '< 2', of: 'mean per-pair difference / mean without', ...spread, ...ctx })
  const withMs = median(roundMs.observed)
  const withoutMs = median(roundMs.plain)
  report({ bench: 'observe', case: `sim-n${opts.nodes}`, metric: 'round_ms_median', value: withMs, unit: 'ms', better: 'lower', peer: 'same swarm without metrics or dashboard', peer_value: withoutMs, overhead_pct: 100 * (withMs - withoutMs) / withoutMs, ...ctx })
}

/** Runs the benchmark. */
export default async function run (argv: string[]): Promise<void> {
  const opts = parseOptions(argv)
  await lockstep(opts)
  if (opts.simPairs > 0) await simPairs(opts)
}

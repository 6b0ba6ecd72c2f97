/**
 * `npm run bench -- observe [--nodes 2] [--rounds 40] [--pairs 3] [--scrape-ms 1000]
 * [-- config flags]`: what serving metrics and the dashboard costs a node. The same
 * `murmur sim --json` swarm runs without and with observation (`--metrics-port` on every node,
 * `--dashboard` on the sim), in alternating order (ABBA…) so machine noise spreads over both.
 * With observation, this process acts as Prometheus and as a browser: it scrapes every node's
 * /metrics every `--scrape-ms` (5× Prometheus's usual 5 s) and keeps one dashboard event stream
 * open, parsing every event. Reported for both: the CPU time of the whole run (the sim process
 * and every node process, user + system, from GNU time's accounting of reaped children, so
 * nothing is sampled) per node-round, start-up and evaluations included; and the median
 * wall-clock round time (rounds 2+, every node); the overheads in percent; the latency and size
 * of one scrape. Then the same comparison in this process (observe-cost.ts), where both variants
 * share one process and the machine's other load hits them alike.
 */
import { spawn } from 'node:child_process'
import { request } from 'node:http'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { swarmCost, type SwarmCost } from './observe-cost.js'
import { existsSync } from 'node:fs'
import { median, quantile, report } from './report.js'

const BIN = fileURLToPath(new URL('../../apps/cli/dist/bin.js', import.meta.url))
const METRICS_PORT = 9700
/** GNU time (Debian package `time`): CPU of a command and all its reaped descendants. */
const GNU_TIME = '/usr/bin/time'

interface Options { nodes: number, rounds: number, pairs: number, scrapeMs: number, costRounds: number, extra: string[] }
interface RunResult { roundMs: number[], cpuMsPerRound: number, scrapes: Array<{ ms: number, bytes: number }>, events: number }

function parseOptions (argv: string[]): Options {
  const sep = argv.indexOf('--')
  const own = sep < 0 ? argv : argv.slice(0, sep)
  const num = (name: string, fallback: number): number => {
    const i = own.indexOf(`--${name}`)
    const v = i < 0 ? fallback : Number(own[i + 1])
    if (!Number.isInteger(v) || v < 1) throw new Error(`--${name} must be a positive integer`)
    return v
  }
  return { nodes: num('nodes', 2), rounds: num('rounds', 40), pairs: num('pairs', 3), scrapeMs: num('scrape-ms', 1000), costRounds: num('cost-rounds', 20), extra: sep < 0 ? [] : argv.slice(sep + 1) }
}

/** Times one GET of a node's /metrics. */
async function scrape (port: number): Promise<{ ms: number, bytes: number } | undefined> {
  const t0 = performance.now()
  return await new Promise(resolve => {
    const req = request({ host: '127.0.0.1', port, path: '/metrics' }, res => {
      let bytes = 0
      res.on('data', (c: Buffer) => { bytes += c.length })
      res.on('end', () => { resolve(res.statusCode === 200 ? { ms: performance.now() - t0, bytes } : undefined) })
    })
    req.on('error', () => { resolve(undefined) })
    req.end()
  })
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
  const scraper = observed
    ? setInterval(() => {
      for (let i = 0; i < opts.nodes; i++) void scrape(METRICS_PORT + i).then(s => { if (s !== undefined) result.scrapes.push(s) })
    }, opts.scrapeMs)
    : undefined
  const code = await new Promise<number | null>(resolve => { child.once('exit', resolve) })
  if (scraper !== undefined) clearInterval(scraper)
  result.events = closeStream?.() ?? 0
  await rm(dir, { recursive: true, force: true })
  if (code !== 0) throw new Error(`murmur sim exited with ${String(code)}`)
  return result
}

/** Runs the benchmark. */
export default async function run (argv: string[]): Promise<void> {
  const opts = parseOptions(argv)
  if (!existsSync(GNU_TIME)) throw new Error(`${GNU_TIME} not found: install GNU time (apt-get install -y time)`)
  const plain: number[] = []
  const observed: number[] = []
  const cpu: { plain: number[], observed: number[] } = { plain: [], observed: [] }
  const scrapes: Array<{ ms: number, bytes: number }> = []
  let events = 0
  for (let p = 0; p < opts.pairs; p++) {
    // ABBA…: alternate which variant runs first.
    for (const withObservation of p % 2 === 0 ? [false, true] : [true, false]) {
      const r = await runSim(opts, withObservation)
      ;(withObservation ? observed : plain).push(...r.roundMs)
      cpu[withObservation ? 'observed' : 'plain'].push(r.cpuMsPerRound)
      scrapes.push(...r.scrapes)
      events += r.events
    }
  }
  const context = { nodes: opts.nodes, rounds: opts.rounds, pairs: opts.pairs, scrape_every_ms: opts.scrapeMs, samples: observed.length }
  const cpuWith = median(cpu.observed)
  const cpuWithout = median(cpu.plain)
  report({ bench: 'observe', case: `n${opts.nodes}`, metric: 'cpu_ms_per_round', value: cpuWith, unit: 'ms', better: 'lower', peer: 'same swarm without metrics or dashboard', peer_value: cpuWithout, ...context, of: 'CPU (user + system) of the sim and its node processes over the whole run / node-rounds', runs_with: cpu.observed.map(Math.round), runs_without: cpu.plain.map(Math.round) })
  report({ bench: 'observe', case: `n${opts.nodes}`, metric: 'cpu_overhead_pct', value: 100 * (cpuWith - cpuWithout) / cpuWithout, unit: '%', better: 'lower', target: '< 2', ...context })
  const withMs = median(observed)
  const withoutMs = median(plain)
  report({ bench: 'observe', case: `n${opts.nodes}`, metric: 'round_ms_median', value: withMs, unit: 'ms', better: 'lower', peer: 'same swarm without metrics or dashboard', peer_value: withoutMs, ...context })
  report({ bench: 'observe', case: `n${opts.nodes}`, metric: 'round_time_overhead_pct', value: 100 * (withMs - withoutMs) / withoutMs, unit: '%', better: 'lower', target: '< 2', ...context })
  if (scrapes.length > 0) {
    const ms = scrapes.map(s => s.ms)
    // Latency, not CPU: a scrape waits for the node's event loop (and, on a loaded machine, for a core).
    report({ bench: 'observe', case: `n${opts.nodes}`, metric: 'scrape_latency_ms_median', value: median(ms), unit: 'ms', better: 'lower', p99_ms: quantile(ms, 0.99), scrapes: ms.length, bytes: median(scrapes.map(s => s.bytes)) })
  }
  report({ bench: 'observe', case: `n${opts.nodes}`, metric: 'dashboard_events', value: events, unit: 'events', better: 'higher', of: 'server-sent events parsed by the watching client over all observed runs' })

  // In one process, alternating: the steadier comparison on a busy machine.
  const inProc: { plain: SwarmCost[], observed: SwarmCost[] } = { plain: [], observed: [] }
  for (let p = 0; p < opts.pairs; p++) {
    for (const withObservation of p % 2 === 0 ? [false, true] : [true, false]) inProc[withObservation ? 'observed' : 'plain'].push(await swarmCost(withObservation, opts.costRounds, opts.scrapeMs))
  }
  const ctx = { nodes: 2, rounds: opts.costRounds, pairs: opts.pairs, scrape_every_ms: opts.scrapeMs }
  const cpuObs = median(inProc.observed.map(c => c.cpuMsPerRound))
  const cpuPlain = median(inProc.plain.map(c => c.cpuMsPerRound))
  report({ bench: 'observe', case: 'in-process', metric: 'cpu_ms_per_round', value: cpuObs, unit: 'ms', better: 'lower', peer: 'same swarm without metrics or dashboard', peer_value: cpuPlain, ...ctx, runs_with: inProc.observed.map(c => Math.round(c.cpuMsPerRound)), runs_without: inProc.plain.map(c => Math.round(c.cpuMsPerRound)) })
  report({ bench: 'observe', case: 'in-process', metric: 'cpu_overhead_pct', value: 100 * (cpuObs - cpuPlain) / cpuPlain, unit: '%', better: 'lower', target: '< 2', ...ctx })
  const wallObs = median(inProc.observed.map(c => c.wallMsPerRound))
  const wallPlain = median(inProc.plain.map(c => c.wallMsPerRound))
  report({ bench: 'observe', case: 'in-process', metric: 'round_ms', value: wallObs, unit: 'ms', better: 'lower', peer: 'same swarm without metrics or dashboard', peer_value: wallPlain, ...ctx })
  report({ bench: 'observe', case: 'in-process', metric: 'round_time_overhead_pct', value: 100 * (wallObs - wallPlain) / wallPlain, unit: '%', better: 'lower', target: '< 2', ...ctx })
  const renders = inProc.observed.filter(c => c.renderCpuMs !== undefined)
  if (renders.length > 0) report({ bench: 'observe', case: 'in-process', metric: 'metrics_render_cpu_ms', value: median(renders.map(c => c.renderCpuMs as number)), unit: 'ms', better: 'lower', bytes: renders[0].renderBytes, share_of_round_cpu_pct: 100 * median(renders.map(c => c.renderCpuMs as number)) * (wallObs / opts.scrapeMs) / cpuObs })
}

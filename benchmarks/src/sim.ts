/**
 * `npm run bench -- sim [--nodes 4,8,16] [--rounds 40] [--per-process 1|auto|K,…] [--single-rounds 30]
 * [--sample-ms 250] [--timeout-s 600] [--mesh D/Dlo/Dhi|config,…] [--shards auto|K|config,…] [-- config flags for every node]`: the whole local swarm as
 * a user runs it — `murmur sim --json` as a child process, its node processes (real libp2p hosts
 * on loopback, one data directory each; `--per-process` nodes to a process, one value per N or
 * one for all, default "auto" = one process per core) — on this machine. Reports per-node and
 * swarm rounds per minute, peak memory (RSS) per node and start-up time for each N.
 *
 * Round rates come from the arrival times of the sim's per-round JSON lines, so start-up and the
 * held-out evaluations before the first and after the last round are excluded (evaluation is cut
 * to one task with `--eval-tasks 1` as well). RSS and CPU time are sampled from /proc for every
 * node process (children of the sim process, matched by `node-<i>/config.json` in their argv).
 *
 * Physical reference (`ideal-cpu-share`): one node with networking off (`murmur node
 * --no-net-enabled`, J = 0, same config, no evaluation), measured in the same run just before
 * each swarm size; N nodes sharing C cores can at best each run at that rate × min(1, C/N).
 * A swarm node trains on I local + J peer groups per round where the lone node trains on I, so a
 * second reference (`batch_matched_*` fields, from `single-batch-matched`: a lone node with I + J
 * local groups, run right after the swarm) isolates the cost of networking, validation and
 * re-scoring. `--rounds` takes one value for every N or one per N (≥ 3). `--mesh` (one value
 * for every N or one per N, e.g. `--nodes 16,16 --mesh 3/2/4,config` for an A/B) is passed to
 * `murmur sim` only: its gossipsub mesh (default the sim's own, "config" = a real swarm's 6/4/12).
 * `--shards` (likewise one value or one per N, e.g. `--nodes 16,16 --shards config,auto`) is
 * passed to `murmur sim` as its rollout topic shards (default the sim's own, `auto`; "config" =
 * unsharded); the lone references have no network.
 */
import { spawn, execFileSync } from 'node:child_process'
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises'
import { availableParallelism, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { median, report } from './report.js'

const BIN = fileURLToPath(new URL('../../apps/cli/dist/bin.js', import.meta.url))
const MIB = 1024

interface Options { nodes: number[], rounds: number[], perProcess: string[], singleRounds: number, sampleMs: number, timeoutS: number, mesh: Array<string | undefined>, shards: Array<string | undefined>, extra: string[] }

/** One round line, stamped with its arrival time (ms since the child was spawned). */
interface RoundEvent { node: number, round: number, t: number, roundMs: number }

/** One /proc sample of a process. */
interface ProcSample { t: number, rssKiB: number, hwmKiB: number, cpuTicks: number }

function parseOptions (argv: string[]): Options {
  const sep = argv.indexOf('--')
  const own = sep < 0 ? argv : argv.slice(0, sep)
  const extra = sep < 0 ? [] : argv.slice(sep + 1)
  const get = (name: string): string | undefined => {
    const i = own.indexOf(`--${name}`)
    return i < 0 ? undefined : own[i + 1]
  }
  const list = (name: string, fallback: number[]): number[] => {
    const raw = get(name)
    if (raw === undefined) return fallback
    const values = raw.split(',').map(Number)
    if (values.some(v => !Number.isInteger(v) || v < 1)) throw new Error(`--${name} must be a comma-separated list of positive integers, got "${raw}"`)
    return values
  }
  const nodes = list('nodes', [4, 8, 16])
  const defaults = nodes.map(() => 40)
  const rounds = list('rounds', defaults)
  const single = list('single-rounds', [30])[0]
  const sampleMs = list('sample-ms', [250])[0]
  const timeoutS = list('timeout-s', [600])[0]
  // One value applies to every N; a list gives one value per N.
  const perN = nodes.map((_, i) => rounds.length === 1 ? rounds[0] : rounds[i] ?? defaults[i])
  if (perN.some(r => r < 3)) throw new Error('--rounds must be at least 3 (rates are measured between the first and last round)')
  const per = (get('per-process') ?? 'auto').split(',')
  if (per.some(v => v !== 'auto' && !(Number.isInteger(Number(v)) && Number(v) >= 1))) throw new Error(`--per-process takes "auto" or positive integers, got "${per.join(',')}"`)
  const perProcess = nodes.map((_, i) => per.length === 1 ? per[0] : per[i] ?? 'auto')
  const meshes = get('mesh')?.split(',')
  const mesh = nodes.map((_, i) => meshes === undefined ? undefined : meshes.length === 1 ? meshes[0] : meshes[i])
  const shardValues = get('shards')?.split(',')
  const shards = nodes.map((_, i) => shardValues === undefined ? undefined : shardValues.length === 1 ? shardValues[0] : shardValues[i])
  return { nodes, rounds: perN, perProcess, singleRounds: Math.max(3, single), sampleMs, timeoutS, mesh, shards, extra }
}

function clockTicksPerSecond (): number {
  try {
    const v = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim())
    return Number.isFinite(v) && v > 0 ? v : 100
  } catch {
    return 100
  }
}

async function readProc (pid: number, t: number): Promise<ProcSample | undefined> {
  try {
    const [status, stat] = await Promise.all([readFile(`/proc/${pid}/status`, 'utf8'), readFile(`/proc/${pid}/stat`, 'utf8')])
    const kib = (key: string): number => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? Number.NaN)
    // Fields after "(comm)": state is field 3, utime field 14, stime field 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    const sample = { t, rssKiB: kib('VmRSS'), hwmKiB: kib('VmHWM'), cpuTicks: Number(fields[11]) + Number(fields[12]) }
    // A zombie (exited, not yet reaped) has no memory lines: not a sample.
    return Number.isFinite(sample.rssKiB) && Number.isFinite(sample.hwmKiB) && Number.isFinite(sample.cpuTicks) ? sample : undefined
  } catch {
    return undefined // the process exited between listing and reading
  }
}

/** Children of `pid` (all its threads), from /proc/<pid>/task/<tid>/children. */
async function childPids (pid: number): Promise<number[]> {
  const out: number[] = []
  try {
    for (const tid of await readdir(`/proc/${pid}/task`)) {
      const text = await readFile(`/proc/${pid}/task/${tid}/children`, 'utf8').catch(() => '')
      for (const c of text.trim().split(/\s+/)) if (c !== '') out.push(Number(c))
    }
  } catch {
    // the process exited
  }
  return out
}

/**
 * Samples /proc every `sampleMs` for the processes `list()` names, keyed (node index, or 0 for a
 * lone node); a restarted node's new process is another pid under the same key.
 */
class ProcMonitor {
  readonly samples = new Map<number, ProcSample[]>() // by pid
  readonly keyOf = new Map<number, number>() // pid → key
  readonly shareOf = new Map<number, number>() // pid → nodes it hosts
  private readonly timer: NodeJS.Timeout
  private busy = false

  constructor (private readonly started: number, sampleMs: number, private readonly list: () => Promise<Array<{ pid: number, key: number, nodes?: number }>>) {
    this.timer = setInterval(() => { void this.sample() }, sampleMs)
  }

  private async sample (): Promise<void> {
    if (this.busy) return
    this.busy = true
    try {
      const t = performance.now() - this.started
      for (const { pid, key, nodes } of await this.list()) {
        const s = await readProc(pid, t)
        if (s === undefined) continue
        this.keyOf.set(pid, key)
        this.shareOf.set(pid, nodes ?? 1)
        const arr = this.samples.get(pid) ?? []
        arr.push(s)
        this.samples.set(pid, arr)
      }
    } finally {
      this.busy = false
    }
  }

  stop (): void { clearInterval(this.timer) }

  /** Nodes hosted by the processes of a key. */
  nodesOf (key: number): number {
    let n = 1
    for (const [pid, k] of this.keyOf) if (k === key) n = Math.max(n, this.shareOf.get(pid) ?? 1)
    return n
  }

  /** Peak RSS (MiB) per key and node: the largest VmHWM/VmRSS seen over all its processes, over the nodes each hosts. */
  peakMiB (): Map<number, number> {
    const out = new Map<number, number>()
    for (const [pid, arr] of this.samples) {
      const key = this.keyOf.get(pid) ?? -1
      const peak = Math.max(...arr.map(s => Math.max(s.hwmKiB, s.rssKiB))) / MIB / (this.shareOf.get(pid) ?? 1)
      out.set(key, Math.max(out.get(key) ?? 0, peak))
    }
    return out
  }

  /** CPU seconds all monitored processes used between times a and b (ms), from the samples nearest them. */
  cpuSeconds (a: number, b: number, ticksPerSecond: number): number {
    let ticks = 0
    for (const arr of this.samples.values()) {
      const at = (t: number): number => {
        let v = 0
        for (const s of arr) if (s.t <= t) v = s.cpuTicks
        return v
      }
      ticks += at(b) - at(a)
    }
    return ticks / ticksPerSecond
  }
}

/** Runs `bin.js <args>`, calling `onLine(json, t)` for every JSON line on stdout. */
async function runCli (args: string[], timeoutS: number, onSpawn: (pid: number, started: number) => void, onLine: (value: Record<string, unknown>, t: number) => void): Promise<void> {
  const started = performance.now()
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  if (child.pid === undefined) throw new Error(`could not start ${BIN}`)
  onSpawn(child.pid, started)
  let stderr = ''
  child.stderr.on('data', (chunk: Buffer) => { stderr = (stderr + chunk.toString()).slice(-4000) })
  const lines = createInterface({ input: child.stdout })
  lines.on('line', line => {
    const t = performance.now() - started
    if (!line.startsWith('{')) return
    try {
      onLine(JSON.parse(line) as Record<string, unknown>, t)
    } catch {
      // not JSON: ignore
    }
  })
  const timer = setTimeout(() => { child.kill('SIGTERM') }, timeoutS * 1000)
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>(resolve => child.once('exit', (c, s) => { resolve([c, s]) }))
  clearTimeout(timer)
  if (code !== 0) throw new Error(`murmur ${args[0]} ${signal !== null ? `killed by ${signal}` : `exited with ${String(code)}`}: ${stderr.trim().split('\n').slice(-3).join(' | ')}`)
}

function roundEvent (v: Record<string, unknown>, node: number, t: number): RoundEvent | undefined {
  if (typeof v.round !== 'number' || typeof v.timings !== 'object' || v.timings === null) return undefined
  return { node, round: v.round, t, roundMs: Number((v.timings as { roundMs?: unknown }).roundMs) }
}

/** Rounds per minute of one node between its first and last round line. */
function nodeRate (events: RoundEvent[]): number {
  if (events.length < 2) return Number.NaN
  return (events.length - 1) / (events[events.length - 1].t - events[0].t) * 60_000
}

/** Rounds completed by time t, interpolated linearly between round lines (t inside their span). */
function progressAt (events: RoundEvent[], t: number): number {
  for (let i = 1; i < events.length; i++) {
    if (events[i].t >= t) return i - 1 + (t - events[i - 1].t) / (events[i].t - events[i - 1].t)
  }
  return events.length - 1
}

interface SingleResult { roundsPerMin: number, peakMiB: number, cpuCores: number, startupS: number }

/** CPU seconds per round: cores used / rounds per second (of one node, or of a whole swarm and all its nodes). */
function cpuPerRound (cores: number, roundsPerMinPerNode: number): number {
  return cores / (roundsPerMinPerNode / 60)
}

/** One node alone, networking off, J = 0 (plus `args`, which win over the user's extra flags). */
async function runSingle (opts: Options, base: string, label: string, ticks: number, args: string[] = []): Promise<SingleResult> {
  const dataDir = join(base, `single-${label}`)
  const events: RoundEvent[] = []
  let monitor: ProcMonitor | undefined
  try {
    await runCli(['node', '--json', '--no-eval', '--data-dir', dataDir, '--rounds', String(opts.singleRounds), '--seed', '1000', ...opts.extra, '--no-net-enabled', '--peer-groups', '0', ...args], opts.timeoutS,
      (pid, started) => { monitor = new ProcMonitor(started, opts.sampleMs, async () => [{ pid, key: 0 }]) },
      (v, t) => { if (v.type === 'round') { const e = roundEvent(v, 0, t); if (e !== undefined) events.push(e) } })
  } finally {
    monitor?.stop()
    await rm(dataDir, { recursive: true, force: true })
  }
  if (events.length < 2 || monitor === undefined) throw new Error('the single node reported fewer than 2 rounds')
  const a = events[0].t
  const b = events[events.length - 1].t
  return {
    roundsPerMin: nodeRate(events),
    peakMiB: monitor.peakMiB().get(0) ?? Number.NaN,
    cpuCores: monitor.cpuSeconds(a, b, ticks) / ((b - a) / 1000),
    startupS: a / 1000
  }
}

interface SwarmResult {
  rates: number[]
  swarm: number
  windowed: boolean
  windowS: number
  cpuCores: number
  /** Peak RSS per node (MiB). */
  peaks: number[]
  processes: number
  perProcess: string
  startupS: number
  firstNodeS: number
  totalS: number
  restarts: number
  roundMsMedian: number
  /** I and J of node 0's resolved config (for the batch-matched reference). */
  localGroups: number
  peerGroups: number
  /** Node 0's gossipsub mesh, D/Dlo/Dhi. */
  mesh: string
  /** Node 0's rollout shards: count and how many a node reads. */
  shards: number
  shardsRead: number
}

async function runSwarm (opts: Options, base: string, n: number, rounds: number, perProcess: string, mesh: string | undefined, shards: string | undefined, ticks: number): Promise<SwarmResult> {
  const dir = join(base, `sim-n${n}`)
  const events: RoundEvent[][] = Array.from({ length: n }, () => [])
  let finalReport: { nodes?: Array<{ restarts?: number }> } | undefined
  let monitor: ProcMonitor | undefined
  let total = 0
  let config: { localGroups?: number, peerGroups?: number, net?: { meshDegree?: number, meshDegreeLow?: number, meshDegreeHigh?: number, shardCount?: number, shardsRead?: number } } = {}
  try {
    await runCli(['sim', '--nodes', String(n), '--rounds', String(rounds), '--nodes-per-process', perProcess, '--json', '--dir', dir, '--eval-tasks', '1', ...(mesh === undefined ? [] : ['--mesh', mesh]), ...(shards === undefined ? [] : ['--shards', shards]), ...opts.extra], opts.timeoutS,
      (simPid, started) => {
        const cmdKey = new Map<number, { key: number, nodes: number } | null>()
        monitor = new ProcMonitor(started, opts.sampleMs, async () => {
          const out: Array<{ pid: number, key: number, nodes: number }> = []
          for (const pid of await childPids(simPid)) {
            if (!cmdKey.has(pid)) {
              const argv = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')
              const hosted = [...argv.matchAll(/node-(\d+)[/\\]config\.json/g)].map(m => Number(m[1]))
              cmdKey.set(pid, hosted.length === 0 ? null : { key: hosted[0], nodes: hosted.length })
            }
            const k = cmdKey.get(pid)
            if (k !== null && k !== undefined) out.push({ pid, ...k })
          }
          return out
        })
      },
      (v, t) => {
        if (typeof v.node === 'number') {
          const e = roundEvent(v, v.node, t)
          if (e !== undefined && v.node < n) events[v.node].push(e)
        } else if (Array.isArray(v.nodes)) {
          finalReport = v as typeof finalReport
          total = t
        }
      })
    config = JSON.parse(await readFile(join(dir, 'node-0', 'config.json'), 'utf8')) as typeof config
  } finally {
    monitor?.stop()
    await rm(dir, { recursive: true, force: true })
  }
  if (monitor === undefined || events.some(e => e.length < 2)) throw new Error(`sim n=${n}: some node reported fewer than 2 rounds`)
  // A process hosting k nodes is keyed by its first node: its per-node peak counts for all k.
  const m = monitor
  const peaks = [...m.peakMiB()].flatMap(([key, v]) => Array.from({ length: m.nodesOf(key) }, () => v))
  const processes = m.peakMiB().size
  const rates = events.map(nodeRate)
  const firsts = events.map(e => e[0].t)
  const lasts = events.map(e => e[e.length - 1].t)
  // Swarm rate over the window in which every node was running rounds (all nodes up, none done).
  const a = Math.max(...firsts)
  const b = Math.min(...lasts)
  const windowed = b - a >= 1000
  return {
    rates,
    swarm: windowed
      ? events.reduce((s, e) => s + progressAt(e, b) - progressAt(e, a), 0) / ((b - a) / 60_000)
      : rates.reduce((s, r) => s + r, 0),
    windowed,
    windowS: (b - a) / 1000,
    cpuCores: windowed ? monitor.cpuSeconds(a, b, ticks) / ((b - a) / 1000) : Number.NaN,
    peaks,
    processes,
    perProcess,
    startupS: a / 1000,
    firstNodeS: Math.min(...firsts) / 1000,
    totalS: total / 1000,
    restarts: (finalReport?.nodes ?? []).reduce((s, x) => s + (x.restarts ?? 0), 0),
    roundMsMedian: median(events.flat().map(e => e.roundMs)),
    localGroups: config.localGroups ?? Number.NaN,
    peerGroups: config.peerGroups ?? Number.NaN,
    mesh: `${String(config.net?.meshDegree)}/${String(config.net?.meshDegreeLow)}/${String(config.net?.meshDegreeHigh)}`,
    shards: config.net?.shardCount ?? 1,
    shardsRead: Math.min(config.net?.shardsRead ?? 1, config.net?.shardCount ?? 1)
  }
}

function reportSwarm (n: number, rounds: number, cores: number, r: SwarmResult, single: SingleResult, matched: SingleResult | undefined): void {
  const share = Math.min(1, cores / n)
  const c = `n${n}`
  const context = { nodes: n, rounds, cores, restarts: r.restarts, i: r.localGroups, j: r.peerGroups, nodes_per_process: r.perProcess, processes: r.processes, mesh: r.mesh, shards: r.shards, shards_read: r.shardsRead }
  // Second reference: a lone node training on as many groups per round as a swarm node (I + J
  // local, J = 0), so the ratio against it isolates networking, validation and re-scoring costs.
  const matchedIdeal = matched === undefined ? Number.NaN : matched.roundsPerMin * share
  report({
    bench: 'sim', case: c, metric: 'rounds_per_min', value: median(r.rates), unit: 'rounds/min', better: 'higher',
    peer: 'ideal-cpu-share', peer_value: single.roundsPerMin * share, ...context,
    min: round1(Math.min(...r.rates)), max: round1(Math.max(...r.rates)), round_ms_median: Math.round(r.roundMsMedian),
    batch_matched_peer_value: round1(matchedIdeal), batch_matched_ratio: round3(median(r.rates) / matchedIdeal)
  })
  report({
    bench: 'sim', case: c, metric: 'swarm_rounds_per_min', value: r.swarm, unit: 'rounds/min', better: 'higher',
    peer: 'ideal-cpu-share', peer_value: single.roundsPerMin * share * n, ...context,
    window_s: round1(r.windowS), method: r.windowed ? 'all-nodes-running window' : 'sum of per-node rates (no common window)',
    cpu_cores_used: round3(r.cpuCores), batch_matched_peer_value: round1(matchedIdeal * n), batch_matched_ratio: round3(r.swarm / (matchedIdeal * n))
  })
  // Load-robust companion of the ratios above: CPU per node-round (all node processes' CPU over
  // the common window / node-rounds in it) against the lone node's CPU per round. Another
  // program taking cores slows both rates but hardly changes what a round costs.
  const cpuSwarm = cpuPerRound(r.cpuCores, r.swarm) // all nodes' cores / all nodes' rounds
  report({
    bench: 'sim', case: c, metric: 'cpu_s_per_node_round', value: cpuSwarm, unit: 's', better: 'lower',
    peer: 'single-node-no-net', peer_value: cpuPerRound(single.cpuCores, single.roundsPerMin), ...context,
    batch_matched_peer_value: matched === undefined ? Number.NaN : round3(cpuPerRound(matched.cpuCores, matched.roundsPerMin)),
    batch_matched_ratio: matched === undefined ? Number.NaN : round3(cpuPerRound(matched.cpuCores, matched.roundsPerMin) / cpuSwarm),
    load: loadavg().map(v => v.toFixed(2)).join(' ')
  })
  report({ bench: 'sim', case: c, metric: 'peak_rss_mib', value: Math.max(...r.peaks), unit: 'MiB', better: 'lower', peer: 'single-node-no-net', peer_value: single.peakMiB, ...context, of: 'max over nodes (a process hosting k nodes: its peak / k)' })
  report({ bench: 'sim', case: c, metric: 'peak_rss_mib_median', value: median(r.peaks), unit: 'MiB', better: 'lower', peer: 'single-node-no-net', peer_value: single.peakMiB, ...context, of: 'median over nodes' })
  report({ bench: 'sim', case: c, metric: 'startup_s', value: r.startupS, unit: 's', better: 'lower', ...context, of: 'sim spawn → every node reported its first round', first_node_s: round1(r.firstNodeS), single_startup_s: round1(single.startupS), total_s: round1(r.totalS) })
}

function reportSingle (label: string, before: string, opts: Options, s: SingleResult, extra: Record<string, unknown> = {}): void {
  report({ bench: 'sim', case: label, metric: 'rounds_per_min', value: s.roundsPerMin, unit: 'rounds/min', better: 'higher', before, rounds: opts.singleRounds, cpu_cores_used: round3(s.cpuCores), cpu_s_per_round: round3(cpuPerRound(s.cpuCores, s.roundsPerMin)), load: loadavg().map(v => v.toFixed(2)).join(' '), peak_rss_mib: round1(s.peakMiB), startup_s: round1(s.startupS), ...extra })
}

function round3 (x: number): number {
  return Number.isFinite(x) ? Math.round(x * 1000) / 1000 : x
}

function round1 (x: number): number {
  return Number.isFinite(x) ? Math.round(x * 10) / 10 : x
}

/** Runs the benchmark. */
export default async function run (argv: string[]): Promise<void> {
  const opts = parseOptions(argv)
  const cores = availableParallelism()
  const ticks = clockTicksPerSecond()
  const base = await mkdtemp(join(tmpdir(), 'murmur-bench-sim-'))
  try {
    for (const [i, n] of opts.nodes.entries()) {
      // The references run right before and after each swarm size, so machine drift cancels in the ratios.
      const single = await runSingle(opts, base, `n${n}`, ticks)
      reportSingle('single', `n${n}`, opts, single)
      const swarm = await runSwarm(opts, base, n, opts.rounds[i], opts.perProcess[i], opts.mesh[i], opts.shards[i], ticks)
      let matched: SingleResult | undefined
      if (swarm.peerGroups > 0) {
        const groups = swarm.localGroups + swarm.peerGroups
        matched = await runSingle(opts, base, `n${n}-matched`, ticks, ['--local-groups', String(groups)])
        reportSingle('single-batch-matched', `n${n}`, opts, matched, { local_groups: groups })
      }
      reportSwarm(n, opts.rounds[i], cores, swarm, single, matched)
    }
  } finally {
    await rm(base, { recursive: true, force: true })
  }
}

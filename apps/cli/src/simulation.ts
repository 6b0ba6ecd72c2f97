/**
 * A local swarm: N nodes on this machine, each with its own data directory and a real libp2p
 * host on loopback, grouped `nodesPerProcess` to an OS process (sim-host.ts; 1 = a process per
 * node). As each node comes up it dials up to `DIAL_FANOUT` nodes already up (random ones, and in
 * a sharded swarm nodes of its shards: sim-dial.ts), and again whenever it reports too few swarm
 * peers, so the swarm is a connected graph with O(N) connections rather than a full mesh. A process
 * that dies is restarted (its nodes resume from their checkpoints with the same identities).
 * Used by `murmur sim` and `murmur experiment`.
 */
import { fork, type ChildProcess } from 'node:child_process'
import { mkdir, rm, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createRng } from '@murmur/interface'
import type { ViewEvent } from '@murmur/metrics'
import type { EvalReport, NodeConfig, RoundMetrics } from '@murmur/node'
import { UsageError } from './errors.js'
import { isChildMessage, type ChildMessage, type ParentMessage } from './ipc.js'
import { dialTargets, MIN_SWARM_PEERS, REDIAL_ROUNDS } from './sim-dial.js'
import { nodeDiagnostics, swarmDiagnostics, type NodeDiagnostics, type SwarmDiagnostics } from './sim-report.js'

const MARKER = '.murmur-sim'
const MAX_RESTARTS = 5
const SIM_HOST = fileURLToPath(new URL('./sim-host.js', import.meta.url))

/**
 * V8 flags of a sim-host process that hosts more than one node. `--heap-growing-percent=200`:
 * after a full (mark-compact) GC the heap may grow to 3× what survived before the next one. The
 * nodes of one process share its heap (≈ 40 MiB live at 8 nodes), and V8's own growing factor
 * kept the limit a few MiB above it, so the nodes' allocation set off a full GC every ≈ 5
 * node-rounds (old space and external memory limits), each marking all 8 nodes' objects (a
 * lone node: 2 in 40 rounds). With it: one every ≈ 27 node-rounds and ≈ 12 ms less CPU per
 * node-round at N = 16, 8 per process (80 → 68 ms; docs/design.md), for at most ≈ 2× the live
 * heap more memory per process (peak RSS per node did not move). What a node computes is unchanged.
 */
export const SIM_HOST_EXEC_ARGV: readonly string[] = ['--heap-growing-percent=200']

/** Options of `runSimulation`. */
export interface SimulationInit {
  /** Resolved config of each node (its `dataDir` must be distinct). */
  configs: NodeConfig[]
  /** Simulation directory (node data directories live under it). */
  dir: string
  /** Keep previous state instead of starting fresh. */
  resume?: boolean
  /** Restart node processes that die. Default true. */
  restart?: boolean
  /** Nodes hosted by one OS process (they share its heap, code and onnxruntime executor). Default 1. */
  nodesPerProcess?: number
  /** Seeds the choice of peers each node dials. Default 0. */
  seed?: number
  signal?: AbortSignal
  /** Progress lines (restarts, resumes). */
  onLog?: (line: string) => void
  /** Each node's round metrics as they arrive. */
  onRound?: (node: number, metrics: RoundMetrics) => void
  /** Dashboard changes from each node; when set, node processes stream them (sim-host `--view`). */
  onView?: (node: number, event: ViewEvent) => void
  /** Called every `tickMs` with the live node states (for a summary table). */
  onTick?: (nodes: readonly SimNodeState[]) => void
  tickMs?: number
}

/** What the parent knows about one node. */
export interface SimNodeState {
  index: number
  pid: number | undefined
  peerId: string
  addrs: string[]
  ready: boolean
  finished: boolean
  restarts: number
  metrics: Map<number, RoundMetrics>
  accuracyStart: number
  accuracyEnd: number
  /** Full held-out evaluations before the first and after the last round. */
  evalStart?: EvalReport
  evalEnd?: EvalReport
  /** CPU seconds the node's process used (reported when it finished). */
  cpuSeconds?: number
}

/** Per-node outcome in the final report (accuracy: greedy, on the disjoint held-out set). */
export interface SimNodeReport extends NodeDiagnostics {
  id: string
  rewardFirstQuarter: number
  rewardLastQuarter: number
  accuracyStart: number
  accuracyEnd: number
  peerGroupsUsed: number
  rollouts: number
  restarts: number
}

/** The final report (`murmur sim --json` prints it as the last line). */
export interface SimReport extends SwarmDiagnostics {
  rounds: number
  nodes: SimNodeReport[]
  meanRewardFirstQuarter: number
  meanRewardLastQuarter: number
  /** Σ over nodes and rounds of the round's mean reward (SAPO's cumulative reward). */
  cumulativeReward: number
  elapsedSeconds: number
}

/** Prepares the simulation directory: wipes a previous simulation's state unless resuming. */
export async function prepareSimulationDir (dir: string, resume: boolean): Promise<void> {
  const exists = await stat(dir).then(() => true, () => false)
  if (exists && !resume) {
    const isSim = await stat(join(dir, MARKER)).then(() => true, () => false)
    if (!isSim) throw new UsageError(`${dir} exists and was not made by murmur sim; choose another --dir or remove it`)
    await rm(dir, { recursive: true, force: true })
  }
  await mkdir(dir, { recursive: true })
  await writeFile(join(dir, MARKER), 'made by murmur sim; removed and recreated on the next run without --resume\n')
}

/** Runs the simulation to completion; returns the node states and the final report. */
export async function runSimulation (init: SimulationInit): Promise<{ report: SimReport, nodes: SimNodeState[] }> {
  const { configs } = init
  if (configs.length === 0) throw new UsageError('a simulation needs at least one node')
  await prepareSimulationDir(init.dir, init.resume === true)
  const rounds = configs[0].rounds
  const log = init.onLog ?? (() => {})
  const states: SimNodeState[] = []
  const configPaths: string[] = []
  for (const [i, config] of configs.entries()) {
    await mkdir(config.dataDir, { recursive: true })
    const configPath = join(config.dataDir, 'config.json')
    await writeFile(configPath, JSON.stringify(config, null, 2))
    configPaths.push(configPath)
    states.push({ index: i, pid: undefined, peerId: '', addrs: [], ready: false, finished: false, restarts: 0, metrics: new Map(), accuracyStart: Number.NaN, accuracyEnd: Number.NaN })
  }
  const perProcess = init.nodesPerProcess ?? 1
  if (!Number.isInteger(perProcess) || perProcess < 1) throw new UsageError(`nodes per process must be a positive integer, got ${String(perProcess)}`)
  // Process p hosts nodes p·K … p·K + K − 1.
  const groups: number[][] = []
  for (let i = 0; i < configs.length; i += perProcess) groups.push(Array.from({ length: Math.min(perProcess, configs.length - i) }, (_, k) => i + k))
  const children: Array<ChildProcess | undefined> = groups.map(() => undefined)
  const processOf = (node: number): number => Math.floor(node / perProcess)
  const restarts = groups.map(() => 0)
  const dialRng = createRng((init.seed ?? 0) >>> 0)
  const started = Date.now()
  const abort = new AbortController()
  const onOuterAbort = (): void => { abort.abort() }
  init.signal?.addEventListener('abort', onOuterAbort, { once: true })
  let fatal: Error | undefined

  const send = (p: number, msg: ParentMessage): void => {
    const child = children[p]
    if (child?.connected === true) child.send(msg)
  }

  const spawnProcess = (p: number): void => {
    const child = fork(SIM_HOST, [...(init.onView === undefined ? [] : ['--view']), ...groups[p].map(i => `${i}=${configPaths[i]}`)], {
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      execArgv: groups[p].length > 1 ? [...SIM_HOST_EXEC_ARGV] : []
    })
    children[p] = child
    for (const i of groups[p]) { states[i].pid = child.pid; states[i].ready = false }
    let stderrTail = ''
    child.stderr?.on('data', (chunk: Buffer) => { stderrTail = (stderrTail + chunk.toString()).slice(-2000) })
    child.on('message', (msg: unknown) => { if (isChildMessage(msg) && processOf(msg.node) === p) onChildMessage(states[msg.node], msg) })
    child.on('exit', (code, signal) => {
      children[p] = undefined
      const hosted = groups[p].map(i => states[i])
      for (const s of hosted) { s.ready = false; s.pid = undefined }
      if (abort.signal.aborted || hosted.every(s => s.finished)) return
      const why = signal !== null ? `killed by ${signal}` : `exited with code ${String(code)}`
      const who = hosted.length === 1 ? `node ${hosted[0].index}` : `the process of nodes ${hosted[0].index}–${hosted[hosted.length - 1].index}`
      if (init.restart !== false && restarts[p] < MAX_RESTARTS) {
        restarts[p]++
        for (const s of hosted) s.restarts++
        log(`${who} ${why}; restarting it (restart ${restarts[p]}); it resumes from its last checkpoint`)
        spawnProcess(p)
      } else {
        const last = stderrTail.trim().split('\n').filter(l => l !== '').slice(-1)[0] ?? ''
        fatal = new Error(`${who} ${why}${last === '' ? '' : ': ' + last}`)
        abort.abort()
      }
    })
  }

  /** Sends node `s` the addresses of nodes that are up to dial (sim-dial.ts; drawn with the sim's seeded RNG). */
  const lastDial = new Map<number, number>()
  const dialPeers = (s: SimNodeState, round: number): void => {
    lastDial.set(s.index, round)
    const addrs = dialTargets(s.index, states.filter(o => o.ready).map(o => o.index), configs, dialRng).flatMap(i => states[i].addrs)
    if (addrs.length > 0) send(processOf(s.index), { type: 'peers', node: s.index, addrs })
  }

  const onChildMessage = (s: SimNodeState, msg: ChildMessage): void => {
    switch (msg.type) {
      case 'ready': {
        s.peerId = msg.peerId
        s.addrs = msg.addrs
        s.ready = true
        if (msg.resumed) log(`node ${s.index} (${msg.peerId}) resumed at round ${msg.nextRound}`)
        dialPeers(s, -REDIAL_ROUNDS)
        break
      }
      case 'eval':
        if (msg.phase === 'start' && Number.isNaN(s.accuracyStart)) { s.accuracyStart = msg.accuracy; s.evalStart = msg.report }
        if (msg.phase === 'end') { s.accuracyEnd = msg.accuracy; s.evalEnd = msg.report }
        break
      case 'round':
        // Connections lost (or dials failed under load): the node has no other way to find peers.
        // (gossipPeers ≤ peers: the fewest peers on one topic it reads; all of them when unsharded.)
        if (msg.metrics.gossipPeers < Math.min(MIN_SWARM_PEERS, states.length - 1) && msg.metrics.round - (lastDial.get(s.index) ?? -Infinity) >= REDIAL_ROUNDS) dialPeers(s, msg.metrics.round)
        s.metrics.set(msg.metrics.round, msg.metrics)
        init.onRound?.(s.index, msg.metrics)
        break
      case 'finished':
        s.finished = true
        s.cpuSeconds = msg.cpuSeconds
        break
      case 'fatal':
        fatal = new Error(`node ${s.index}: ${msg.message}`)
        abort.abort()
        break
      case 'view':
        init.onView?.(s.index, msg.event.type === 'node' ? { ...msg.event, view: { ...msg.event.view, index: s.index, restarts: s.restarts } } : { ...msg.event, node: s.index })
        break
    }
  }

  const timer = init.onTick === undefined ? undefined : setInterval(() => { init.onTick?.(states) }, init.tickMs ?? 2000)
  try {
    for (const p of groups.keys()) spawnProcess(p)
    await waitFor(() => states.every(s => s.finished) || fatal !== undefined, abort.signal)
  } finally {
    if (timer !== undefined) clearInterval(timer)
    init.signal?.removeEventListener('abort', onOuterAbort)
    abort.abort()
    for (const p of groups.keys()) send(p, { type: 'stop' })
    await Promise.all(children.map(async child => { await exited(child, 20_000) }))
  }
  if (fatal !== undefined) throw fatal
  if (init.signal?.aborted === true) throw new UsageError('simulation interrupted')
  init.onTick?.(states)
  return { report: buildReport(states, rounds, (Date.now() - started) / 1000), nodes: states }
}

/** Builds the final report from every node's round metrics. */
export function buildReport (states: ReadonlyArray<Pick<SimNodeState, 'peerId' | 'metrics' | 'accuracyStart' | 'accuracyEnd' | 'restarts' | 'evalStart' | 'evalEnd' | 'cpuSeconds'>>, rounds: number, elapsedSeconds: number): SimReport {
  const quarter = Math.max(1, Math.floor(rounds / 4))
  const nodes = states.map(s => {
    const all = [...s.metrics.values()].sort((a, b) => a.round - b.round)
    return {
      id: s.peerId,
      rewardFirstQuarter: mean(all.filter(m => m.round < quarter).map(m => m.reward)),
      rewardLastQuarter: mean(all.filter(m => m.round >= rounds - quarter).map(m => m.reward)),
      accuracyStart: s.accuracyStart,
      accuracyEnd: s.accuracyEnd,
      peerGroupsUsed: all.reduce((a, m) => a + m.peerGroupsUsed, 0),
      rollouts: all.reduce((a, m) => a + m.rollouts, 0),
      restarts: s.restarts,
      ...nodeDiagnostics(s, rounds)
    }
  })
  return {
    rounds,
    nodes,
    meanRewardFirstQuarter: mean(nodes.map(n => n.rewardFirstQuarter)),
    meanRewardLastQuarter: mean(nodes.map(n => n.rewardLastQuarter)),
    cumulativeReward: states.reduce((acc, s) => acc + [...s.metrics.values()].reduce((a, m) => a + m.reward, 0), 0),
    elapsedSeconds,
    ...swarmDiagnostics(states)
  }
}

function mean (values: number[]): number {
  return values.length === 0 ? Number.NaN : values.reduce((a, b) => a + b, 0) / values.length
}

async function waitFor (condition: () => boolean, signal: AbortSignal): Promise<void> {
  while (!condition() && !signal.aborted) await new Promise(resolve => setTimeout(resolve, 100))
}

async function exited (child: ChildProcess | undefined, timeoutMs: number): Promise<void> {
  if (child === undefined || child.exitCode !== null || child.signalCode !== null) return
  await new Promise<void>(resolve => {
    const timer = setTimeout(() => { child.kill('SIGKILL'); resolve() }, timeoutMs)
    child.once('exit', () => { clearTimeout(timer); resolve() })
  })
}

/**
 * A local swarm: N nodes on this machine, each its own OS process (`murmur node --ipc`) with its
 * own data directory and a real libp2p host on loopback. Node 0 starts first; each later node
 * bootstraps to every node already up. A node that dies is restarted (it resumes from its
 * checkpoint with the same identity). Used by `murmur sim` and `murmur experiment`.
 */
import { fork, type ChildProcess } from 'node:child_process'
import { mkdir, rm, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { ViewEvent } from '@murmur/metrics'
import type { NodeConfig, RoundMetrics } from '@murmur/node'
import { UsageError } from './errors.js'
import { isChildMessage, type ChildMessage, type ParentMessage } from './ipc.js'

const MARKER = '.murmur-sim'
const MAX_RESTARTS = 5

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
  /** Path of the CLI's bin.js. */
  binPath: string
  signal?: AbortSignal
  /** Progress lines (restarts, resumes). */
  onLog?: (line: string) => void
  /** Each node's round metrics as they arrive. */
  onRound?: (node: number, metrics: RoundMetrics) => void
  /** Dashboard changes from each node; when set, nodes are started with `--ipc-view`. */
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
}

/** Per-node outcome in the final report. */
export interface SimNodeReport {
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
export interface SimReport {
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
  const children: Array<ChildProcess | undefined> = configs.map(() => undefined)
  const started = Date.now()
  const abort = new AbortController()
  const onOuterAbort = (): void => { abort.abort() }
  init.signal?.addEventListener('abort', onOuterAbort, { once: true })
  let fatal: Error | undefined

  const send = (i: number, msg: ParentMessage): void => {
    const child = children[i]
    if (child?.connected === true) child.send(msg)
  }

  const spawnNode = (s: SimNodeState): void => {
    const bootstrap = states.filter(o => o !== s && o.ready).flatMap(o => o.addrs)
    const child = fork(init.binPath, ['node', '--ipc', ...(init.onView === undefined ? [] : ['--ipc-view']), '--config', configPaths[s.index], ...(bootstrap.length > 0 ? ['--net-bootstrap', bootstrap.join(',')] : [])], {
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      execArgv: []
    })
    children[s.index] = child
    s.pid = child.pid
    s.ready = false
    let stderrTail = ''
    child.stderr?.on('data', (chunk: Buffer) => { stderrTail = (stderrTail + chunk.toString()).slice(-2000) })
    child.on('message', (msg: unknown) => { if (isChildMessage(msg)) onChildMessage(s, msg) })
    child.on('exit', (code, signal) => {
      children[s.index] = undefined
      s.ready = false
      s.pid = undefined
      if (abort.signal.aborted || s.finished) return
      const why = signal !== null ? `killed by ${signal}` : `exited with code ${String(code)}`
      if (init.restart !== false && s.restarts < MAX_RESTARTS) {
        s.restarts++
        log(`node ${s.index} ${why}; restarting it (restart ${s.restarts}); it resumes from its last checkpoint`)
        spawnNode(s)
      } else {
        const last = stderrTail.trim().split('\n').filter(l => l !== '').slice(-1)[0] ?? ''
        fatal = new Error(`node ${s.index} ${why}${last === '' ? '' : ': ' + last}`)
        abort.abort()
      }
    })
  }

  const onChildMessage = (s: SimNodeState, msg: ChildMessage): void => {
    switch (msg.type) {
      case 'ready':
        s.peerId = msg.peerId
        s.addrs = msg.addrs
        s.ready = true
        if (msg.resumed) log(`node ${s.index} (${msg.peerId}) resumed at round ${msg.nextRound}`)
        for (const o of states) if (o !== s && o.ready) send(o.index, { type: 'peers', addrs: msg.addrs })
        break
      case 'eval':
        if (msg.phase === 'start' && Number.isNaN(s.accuracyStart)) s.accuracyStart = msg.accuracy
        if (msg.phase === 'end') s.accuracyEnd = msg.accuracy
        break
      case 'round':
        s.metrics.set(msg.metrics.round, msg.metrics)
        init.onRound?.(s.index, msg.metrics)
        break
      case 'finished':
        s.finished = true
        break
      case 'fatal':
        fatal = new Error(`node ${s.index}: ${msg.message}`)
        abort.abort()
        break
      case 'view':
        init.onView?.(s.index, msg.event.type === 'node' ? { ...msg.event, view: { ...msg.event.view, index: s.index, restarts: s.restarts } } : msg.event)
        break
    }
  }

  const timer = init.onTick === undefined ? undefined : setInterval(() => { init.onTick?.(states) }, init.tickMs ?? 2000)
  try {
    // Node 0 first, so the others have someone to bootstrap from.
    spawnNode(states[0])
    await waitFor(() => states[0].ready || fatal !== undefined, abort.signal)
    for (const s of states.slice(1)) spawnNode(s)
    await waitFor(() => states.every(s => s.finished) || fatal !== undefined, abort.signal)
  } finally {
    if (timer !== undefined) clearInterval(timer)
    init.signal?.removeEventListener('abort', onOuterAbort)
    abort.abort()
    for (const s of states) send(s.index, { type: 'stop' })
    await Promise.all(children.map(async child => { await exited(child, 20_000) }))
  }
  if (fatal !== undefined) throw fatal
  if (init.signal?.aborted === true) throw new UsageError('simulation interrupted')
  init.onTick?.(states)
  return { report: buildReport(states, rounds, (Date.now() - started) / 1000), nodes: states }
}

/** Builds the final report from every node's round metrics. */
export function buildReport (states: ReadonlyArray<Pick<SimNodeState, 'peerId' | 'metrics' | 'accuracyStart' | 'accuracyEnd' | 'restarts'>>, rounds: number, elapsedSeconds: number): SimReport {
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
      restarts: s.restarts
    }
  })
  return {
    rounds,
    nodes,
    meanRewardFirstQuarter: mean(nodes.map(n => n.rewardFirstQuarter)),
    meanRewardLastQuarter: mean(nodes.map(n => n.rewardLastQuarter)),
    cumulativeReward: states.reduce((acc, s) => acc + [...s.metrics.values()].reduce((a, m) => a + m.reward, 0), 0),
    elapsedSeconds
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

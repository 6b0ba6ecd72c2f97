/**
 * `murmur sim`: N nodes on this machine, each its own OS process with its own data directory
 * and a real libp2p host on loopback. The parent starts node 0, bootstraps the others to the
 * nodes already up, shows a live summary table, restarts a node that dies (it resumes from its
 * checkpoint with the same identity) and prints a final report.
 */
import { fork, type ChildProcess } from 'node:child_process'
import { mkdir, rm, writeFile, stat, readFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { resolveConfig, loadConfigFile, type RoundMetrics } from '@murmur/node'
import { parseCommandArgs, formatHelp, type FlagSpec } from '../args.js'
import { UsageError } from '../errors.js'
import { isChildMessage, type ChildMessage, type ParentMessage } from '../ipc.js'
import { renderTable, fmt } from '../table.js'
import type { CommandContext } from './context.js'

const FLAGS: Record<string, FlagSpec> = {
  nodes: { type: 'string', short: 'n', doc: 'number of nodes', default: '4' },
  rounds: { type: 'string', short: 'r', doc: 'rounds per node', default: '60' },
  dir: { type: 'string', doc: 'simulation directory (one data directory per node)', default: '.murmur/sim' },
  resume: { type: 'boolean', doc: 'keep the nodes\' previous state instead of starting fresh' },
  vary: { type: 'string', doc: 'per-node values, cycled over nodes: key=v1|v2|…;key2=… (e.g. "peerGroups=0|4")' },
  overrides: { type: 'string', doc: 'JSON file: an array of per-node partial configs (index i applies to node i)' },
  restart: { type: 'boolean', doc: 'restart a node process that dies (default true; --no-restart to disable)', default: true },
  'refresh-ms': { type: 'string', doc: 'live table refresh interval', default: '2000' }
}

const USAGE = 'murmur sim [--nodes N] [--rounds R] [--json] [config flags applied to every node]'
const DESCRIPTION = 'Runs a swarm of N nodes on this machine (separate processes, real libp2p hosts on loopback).'
const MARKER = '.murmur-sim'

/** Per-node outcome in the final report. */
export interface SimNodeReport {
  id: string
  rewardFirstQuarter: number
  rewardLastQuarter: number
  accuracyStart: number
  accuracyEnd: number
  peerGroupsUsed: number
  restarts: number
}

/** The final report (`--json` prints it as the last line). */
export interface SimReport {
  rounds: number
  nodes: SimNodeReport[]
  meanRewardFirstQuarter: number
  meanRewardLastQuarter: number
  cumulativeReward: number
  elapsedSeconds: number
}

interface NodeState {
  index: number
  dir: string
  configPath: string
  child?: ChildProcess
  peerId: string
  addrs: string[]
  ready: boolean
  finished: boolean
  restarts: number
  metrics: Map<number, RoundMetrics>
  accuracyStart: number
  accuracyEnd: number
}

/** Runs the `sim` command. */
export async function simCommand (argv: string[], ctx: CommandContext): Promise<void> {
  const args = parseCommandArgs(argv, FLAGS, true)
  if (args.flags.help === true) { ctx.out(formatHelp(USAGE, DESCRIPTION, FLAGS, true)); return }
  const nodes = positiveInt('--nodes', args.flags.nodes)
  const rounds = positiveInt('--rounds', args.flags.rounds)
  const refreshMs = positiveInt('--refresh-ms', args.flags['refresh-ms'])
  const dir = resolve(String(args.flags.dir))
  const json = args.flags.json === true
  const file = typeof args.flags.config === 'string' ? await loadConfigFile(args.flags.config) : undefined
  const perNode = await perNodeOverrides(nodes, args.flags.vary as string | undefined, args.flags.overrides as string | undefined)

  await prepareDir(dir, args.flags.resume === true)
  const baseSeed = resolveConfig({ file, env: process.env, flags: args.config }).seed
  const states: NodeState[] = []
  for (let i = 0; i < nodes; i++) {
    const nodeDir = join(dir, `node-${i}`)
    // Validate each node's config here, so a bad flag fails once, in the parent, with one line.
    const config = resolveConfig({ file, env: process.env, flags: args.config, overrides: { seed: baseSeed + 1000 * (i + 1), ...perNode[i], dataDir: nodeDir, rounds } })
    await mkdir(nodeDir, { recursive: true })
    const configPath = join(nodeDir, 'config.json')
    await writeFile(configPath, JSON.stringify(config, null, 2))
    states.push({ index: i, dir: nodeDir, configPath, peerId: '', addrs: [], ready: false, finished: false, restarts: 0, metrics: new Map(), accuracyStart: Number.NaN, accuracyEnd: Number.NaN })
  }

  const started = Date.now()
  const abort = new AbortController()
  const onSignal = (): void => { abort.abort() }
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  const log = (line: string): void => { if (!json) ctx.err(line) }
  let fatal: Error | undefined

  const spawnNode = (s: NodeState): void => {
    const bootstrap = states.filter(o => o !== s && o.ready).flatMap(o => o.addrs)
    const child = fork(ctx.binPath, ['node', '--ipc', '--config', s.configPath, ...(bootstrap.length > 0 ? ['--net-bootstrap', bootstrap.join(',')] : [])], {
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      execArgv: []
    })
    s.child = child
    s.ready = false
    let stderrTail = ''
    child.stderr?.on('data', (chunk: Buffer) => { stderrTail = (stderrTail + chunk.toString()).slice(-2000) })
    child.on('message', (msg: unknown) => {
      if (!isChildMessage(msg)) return
      onChildMessage(s, msg)
    })
    child.on('exit', (code, signal) => {
      s.child = undefined
      s.ready = false
      if (abort.signal.aborted || s.finished) return
      const why = signal !== null ? `killed by ${signal}` : `exited with code ${String(code)}`
      if (args.flags.restart !== false && s.restarts < 5) {
        s.restarts++
        log(`node ${s.index} ${why}; restarting it (restart ${s.restarts}) — it resumes from its last checkpoint`)
        spawnNode(s)
      } else {
        fatal = new Error(`node ${s.index} ${why}: ${stderrTail.trim().split('\n').slice(-1)[0] ?? ''}`)
        abort.abort()
      }
    })
  }

  const onChildMessage = (s: NodeState, msg: ChildMessage): void => {
    switch (msg.type) {
      case 'ready':
        s.peerId = msg.peerId
        s.addrs = msg.addrs
        s.ready = true
        if (msg.resumed) log(`node ${s.index} (${short(msg.peerId)}) resumed at round ${msg.nextRound}`)
        for (const o of states) if (o !== s && o.ready) send(o, { type: 'peers', addrs: msg.addrs })
        break
      case 'eval':
        if (msg.phase === 'start' && Number.isNaN(s.accuracyStart)) s.accuracyStart = msg.accuracy
        if (msg.phase === 'end') s.accuracyEnd = msg.accuracy
        break
      case 'round':
        s.metrics.set(msg.metrics.round, msg.metrics)
        if (json) ctx.out(JSON.stringify({ node: s.index, ...msg.metrics }))
        break
      case 'finished':
        s.finished = true
        break
      case 'fatal':
        fatal = new Error(`node ${s.index}: ${msg.message}`)
        abort.abort()
        break
    }
  }

  // Node 0 first, so the others have someone to bootstrap from.
  spawnNode(states[0])
  await waitFor(() => states[0].ready || fatal !== undefined, abort.signal)
  for (const s of states.slice(1)) spawnNode(s)

  const table = (): string => renderTable([
    { header: 'node', cell: (s: NodeState) => String(s.index) },
    { header: 'peer', cell: s => short(s.peerId), align: 'left' },
    { header: 'round', cell: s => String(lastMetrics(s)?.round ?? '-') },
    { header: 'reward', cell: s => fmt(lastMetrics(s)?.reward) },
    { header: 'avg10', cell: s => fmt(recentReward(s, 10)) },
    { header: 'eval', cell: s => fmt(Number.isNaN(s.accuracyEnd) ? s.accuracyStart : s.accuracyEnd) },
    { header: 'peers', cell: s => String(lastMetrics(s)?.peers ?? '-') },
    { header: 'peer grp', cell: s => String(lastMetrics(s)?.peerGroupsUsed ?? '-') },
    { header: 'pool', cell: s => String(lastMetrics(s)?.peerGroupsAvailable ?? '-') },
    { header: 'restarts', cell: s => String(s.restarts) }
  ], states)
  let printedLines = 0
  const redraw = (): void => {
    if (json) return
    const text = table()
    if (ctx.isTTY && printedLines > 0) ctx.errRaw(`\x1b[${printedLines}A\x1b[0J`)
    ctx.err(text)
    printedLines = text.split('\n').length
  }
  const timer = setInterval(redraw, refreshMs)
  try {
    await waitFor(() => states.every(s => s.finished) || fatal !== undefined, abort.signal)
  } finally {
    clearInterval(timer)
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
    for (const s of states) send(s, { type: 'stop' })
    await Promise.all(states.map(async s => { await exited(s.child, 15_000) }))
  }
  if (fatal !== undefined) throw fatal
  if (abort.signal.aborted) throw new UsageError('simulation interrupted')
  redraw()

  const report = buildReport(states, rounds, (Date.now() - started) / 1000)
  await writeFile(join(dir, 'report.json'), JSON.stringify(report, null, 2))
  if (json) {
    ctx.out(JSON.stringify(report))
  } else {
    ctx.out('\n' + renderTable([
      { header: 'node', cell: (n: SimNodeReport) => n.id.slice(0, 12), align: 'left' },
      { header: 'reward Q1', cell: n => fmt(n.rewardFirstQuarter) },
      { header: 'reward Q4', cell: n => fmt(n.rewardLastQuarter) },
      { header: 'eval start', cell: n => fmt(n.accuracyStart) },
      { header: 'eval end', cell: n => fmt(n.accuracyEnd) },
      { header: 'peer groups used', cell: n => String(n.peerGroupsUsed) }
    ], report.nodes))
    ctx.out(`\nmean reward: first quarter ${fmt(report.meanRewardFirstQuarter)} → last quarter ${fmt(report.meanRewardLastQuarter)}; cumulative ${fmt(report.cumulativeReward, 1)} over ${report.rounds} rounds × ${report.nodes.length} nodes (${report.elapsedSeconds.toFixed(0)} s). Report: ${join(dir, 'report.json')}`)
  }
}

/** Builds the final report from every node's round metrics. */
export function buildReport (states: Array<Pick<NodeState, 'peerId' | 'metrics' | 'accuracyStart' | 'accuracyEnd' | 'restarts'>>, rounds: number, elapsedSeconds: number): SimReport {
  const quarter = Math.max(1, Math.floor(rounds / 4))
  const meanOf = (values: number[]): number => values.length === 0 ? Number.NaN : values.reduce((a, b) => a + b, 0) / values.length
  const nodes = states.map(s => {
    const all = [...s.metrics.values()].sort((a, b) => a.round - b.round)
    return {
      id: s.peerId,
      rewardFirstQuarter: meanOf(all.filter(m => m.round < quarter).map(m => m.reward)),
      rewardLastQuarter: meanOf(all.filter(m => m.round >= rounds - quarter).map(m => m.reward)),
      accuracyStart: s.accuracyStart,
      accuracyEnd: s.accuracyEnd,
      peerGroupsUsed: all.reduce((a, m) => a + m.peerGroupsUsed, 0),
      restarts: s.restarts
    }
  })
  const cumulativeReward = states.reduce((acc, s) => acc + [...s.metrics.values()].reduce((a, m) => a + m.reward, 0), 0)
  return {
    rounds,
    nodes,
    meanRewardFirstQuarter: meanOf(nodes.map(n => n.rewardFirstQuarter)),
    meanRewardLastQuarter: meanOf(nodes.map(n => n.rewardLastQuarter)),
    cumulativeReward,
    elapsedSeconds
  }
}

async function perNodeOverrides (nodes: number, vary: string | undefined, overridesPath: string | undefined): Promise<Array<Record<string, unknown>>> {
  const out: Array<Record<string, unknown>> = Array.from({ length: nodes }, () => ({}))
  if (overridesPath !== undefined) {
    const list = JSON.parse(await readFile(overridesPath, 'utf8')) as unknown
    if (!Array.isArray(list)) throw new UsageError(`--overrides ${overridesPath}: expected a JSON array of per-node configs`)
    list.forEach((o, i) => { if (i < nodes) out[i] = { ...(o as Record<string, unknown>) } })
  }
  if (vary !== undefined) {
    for (const part of vary.split(';').map(p => p.trim()).filter(p => p !== '')) {
      const eq = part.indexOf('=')
      if (eq <= 0) throw new UsageError(`--vary "${part}": expected key=v1|v2|…`)
      const key = part.slice(0, eq)
      const values = part.slice(eq + 1).split('|')
      for (let i = 0; i < nodes; i++) setDotted(out[i], key, coerce(values[i % values.length]))
    }
  }
  return out
}

function setDotted (obj: Record<string, unknown>, key: string, value: unknown): void {
  const parts = key.split('.')
  let node = obj
  for (const p of parts.slice(0, -1)) node = (node[p] ??= {}) as Record<string, unknown>
  node[parts[parts.length - 1]] = value
}

function coerce (raw: string): unknown {
  if (raw === 'true' || raw === 'false') return raw === 'true'
  if (raw.trim() !== '' && Number.isFinite(Number(raw))) return Number(raw)
  if (raw.includes('=')) {
    // task mixes: "add=3,sort_digits=1"
    return Object.fromEntries(raw.split(',').map(kv => { const [k, v = '1'] = kv.split('='); return [k.trim(), Number(v)] }))
  }
  return raw
}

async function prepareDir (dir: string, resume: boolean): Promise<void> {
  const exists = await stat(dir).then(() => true, () => false)
  if (exists && !resume) {
    const isSim = await stat(join(dir, MARKER)).then(() => true, () => false)
    if (!isSim) throw new UsageError(`${dir} exists and was not made by murmur sim; choose another --dir or remove it`)
    await rm(dir, { recursive: true, force: true })
  }
  await mkdir(dir, { recursive: true })
  await writeFile(join(dir, MARKER), 'made by murmur sim; removed and recreated on the next run without --resume\n')
}

function positiveInt (flag: string, value: unknown): number {
  const n = Number(value)
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag} must be a positive integer, got "${String(value)}"`)
  return n
}

function send (s: NodeState, msg: ParentMessage): void {
  if (s.child?.connected === true) s.child.send(msg)
}

function lastMetrics (s: NodeState): RoundMetrics | undefined {
  let best: RoundMetrics | undefined
  for (const m of s.metrics.values()) if (best === undefined || m.round > best.round) best = m
  return best
}

function recentReward (s: NodeState, window: number): number | undefined {
  const last = lastMetrics(s)
  if (last === undefined) return undefined
  const values = [...s.metrics.values()].filter(m => m.round > last.round - window).map(m => m.reward)
  return values.reduce((a, b) => a + b, 0) / values.length
}

function short (peerId: string): string {
  return peerId === '' ? '-' : '…' + peerId.slice(-6)
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

/** Path of the CLI entry point (for forking node processes). */
export const DEFAULT_BIN = fileURLToPath(new URL('../bin.js', import.meta.url))

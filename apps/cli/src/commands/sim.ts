/**
 * `murmur sim`: N nodes on this machine (see simulation.ts), a live summary table and a final
 * report. With --json, every round is a JSON line and the last line is the report.
 */
import { readFile, writeFile } from 'node:fs/promises'
import { availableParallelism } from 'node:os'
import { join, resolve } from 'node:path'
import { resolveConfig, loadConfigFile, type NodeConfig } from '@murmur/node'
import { MAX_SHARDS } from '@murmur/net'
import { parseCommandArgs, formatHelp, positiveInt, type FlagSpec } from '../args.js'
import { UsageError } from '../errors.js'
import { runSimulation, type SimNodeReport, type SimNodeState } from '../simulation.js'
import { renderTable, fmt } from '../table.js'
import { createSwarmState, startDashboard, type SwarmState } from '@murmur/dashboard'
import { isLoopback, TOKEN_FILE, type ObserveServer, type ViewEvent } from '@murmur/metrics'
import { DASHBOARD_FLAGS, dashboardOptions, tokenFor } from '../observe.js'
import type { CommandContext } from './context.js'

/**
 * The gossipsub mesh of `murmur sim` (D/Dlo/Dhi). A real swarm keeps gossipsub's 6/4/12 (net's
 * defaults): each group reaches a node from up to D mesh peers, the redundancy that defeats
 * lagging or withholding peers. A few cooperating nodes on one machine have neither threat: with
 * 3/2/4 a node reads each group ≈ 3 times instead of ≈ 6 (gossip bench, 16 hosts; −12 % CPU per
 * delivery), but a sim node's CPU per round did not move beyond noise (docs/results.md §6.2), so
 * the sim keeps the real swarm's mesh unless told otherwise.
 */
const SIM_MESH = 'config'

/**
 * The rollout shards of `murmur sim`. At N = 16, sharding (6 shards, each node reading 2) learned
 * as much as the unsharded swarm — held-out greedy 0.726 ± 0.001 vs 0.727 ± 0.001, 4 seeds each,
 * both above the equal-generation control's 0.713 ± 0.001 — at ≈ 20 % less CPU per node
 * (docs/results.md §6.5), so the sim shards whenever it has enough nodes; a swarm of fewer than 8
 * is unsharded either way (npm start's 4 nodes included).
 */
const SIM_SHARDS = 'auto'

/**
 * Producers a node of `murmur sim --shards auto` hears from (≈): enough for J = 4 peer groups a
 * round at the trust rule's default cap of half of J per producer, with room to spare.
 */
const SIM_PRODUCERS_PER_NODE = 4

/**
 * Rollout shards of `murmur sim --shards auto` for `nodes` nodes reading `read` shards each: as
 * many as keep ≈ SIM_PRODUCERS_PER_NODE producers in the shards a node reads, or 1 (unsharded)
 * when that many shards would all be read anyway.
 */
export function autoShards (nodes: number, read: number): number {
  const count = Math.floor(read * nodes / (SIM_PRODUCERS_PER_NODE + 1))
  return count > read ? count : 1
}

const FLAGS: Record<string, FlagSpec> = {
  nodes: { type: 'string', short: 'n', doc: 'number of nodes', default: '4' },
  mesh: { type: 'string', doc: 'gossipsub mesh D/Dlo/Dhi of every node, e.g. "3/2/4" (a small mesh for a few cooperating nodes on one machine: half the duplicate copies, no measured CPU gain per round; docs/results.md §6.2), or "config" (the nodes\' net.meshDegree* settings: a real swarm\'s 6/4/12 by default)', default: SIM_MESH },
  shards: { type: 'string', doc: `rollout topic shards: "auto" (≈ ${SIM_PRODUCERS_PER_NODE} producers heard per node: the shards a node reads hold ≈ ${SIM_PRODUCERS_PER_NODE + 1} nodes; unsharded below 8 nodes at the default net.shardsRead of 2), a count (node i's home shard is i mod count), or "config" (the nodes' net.shardCount, net.homeShard)`, default: SIM_SHARDS },
  'nodes-per-process': { type: 'string', doc: 'nodes sharing one OS process (1 = a process per node; "auto" = one process per core)', default: 'auto' },
  rounds: { type: 'string', short: 'r', doc: 'rounds per node', default: '400' },
  dir: { type: 'string', doc: 'simulation directory (one data directory per node)', default: '.murmur/sim' },
  resume: { type: 'boolean', doc: 'keep the nodes\' previous state instead of starting fresh' },
  vary: { type: 'string', doc: 'per-node values, cycled over nodes: key=v1|v2|…;key2=… (e.g. "peerGroups=0|4")' },
  overrides: { type: 'string', doc: 'JSON file: an array of per-node partial configs (index i applies to node i)' },
  restart: { type: 'boolean', doc: 'restart a node process that dies (default true; --no-restart to disable)', default: true },
  'refresh-ms': { type: 'string', doc: 'live table refresh interval', default: '3000' },
  ...DASHBOARD_FLAGS
}

const USAGE = 'murmur sim [--nodes N] [--rounds R] [--json] [config flags applied to every node]'
const DESCRIPTION = 'Runs a swarm of N nodes on this machine: real libp2p hosts on loopback, one data directory each, in one OS process per node or --nodes-per-process K to a process. Node i gets seed = seed + 1000·(i+1) unless overridden.'

/**
 * Most inbound connections per second from one host in a simulation: every node is on
 * 127.0.0.1, so all of them dial node 0 within a second at start (net's default suits real hosts).
 */
const SIM_INBOUND_PER_HOST_PER_SECOND = 1000

/** The mesh degrees of a `--mesh D/Dlo/Dhi` value; undefined for "config" (the nodes' own settings). */
export function parseMesh (value: string): { meshDegree: number, meshDegreeLow: number, meshDegreeHigh: number } | undefined {
  if (value === 'config') return undefined
  const parts = value.split('/').map(Number)
  if (parts.length !== 3 || !parts.every(n => Number.isInteger(n) && n >= 1) || parts[1] > parts[0] || parts[2] < parts[0]) {
    throw new UsageError(`--mesh must be D/Dlo/Dhi with 1 ≤ Dlo ≤ D ≤ Dhi (e.g. 3/2/4) or "config", got "${value}"`)
  }
  return { meshDegree: parts[0], meshDegreeLow: parts[1], meshDegreeHigh: parts[2] }
}

/**
 * The shard count of a `--shards auto|<count>|config` value for `nodes` nodes reading `read`
 * shards each; undefined for "config" and for "auto" on a swarm too small to shard (the nodes'
 * own settings: one shard unless configured).
 */
export function parseShards (value: string, nodes: number, read: number): number | undefined {
  if (value === 'config') return undefined
  if (value === 'auto') {
    const count = autoShards(nodes, read)
    return count > 1 ? count : undefined
  }
  const count = Number(value)
  if (!Number.isInteger(count) || count < 1 || count > MAX_SHARDS) throw new UsageError(`--shards must be "auto", "config" or a shard count from 1 to ${MAX_SHARDS}, got "${value}"`)
  return count
}

/**
 * Resolves every node's config from the command line (shared with `murmur experiment`); `mesh`
 * replaces every node's gossipsub mesh degrees, `shards` (a `--shards` value: auto, a count or
 * config; default config) every node's shard count (node i's home shard is i mod shards, so the
 * shards hold equal numbers of nodes). Throws UsageError for a bad `shards`.
 */
export async function simConfigs (options: { nodes: number, rounds: number, dir: string, file: unknown, flags: Record<string, string>, perNode: Array<Record<string, unknown>>, mesh?: ReturnType<typeof parseMesh>, shards?: string }): Promise<NodeConfig[]> {
  const base = resolveConfig({ file: options.file, env: process.env, flags: options.flags })
  const loopback = { net: { inboundPerHostPerSecond: Math.max(base.net.inboundPerHostPerSecond, SIM_INBOUND_PER_HOST_PER_SECOND), ...options.mesh } }
  const shards = parseShards(options.shards ?? 'config', options.nodes, base.net.shardsRead)
  const shardOf = (i: number): Record<string, number> => shards === undefined ? {} : { shardCount: shards, homeShard: i % shards }
  const make = (i: number, extra: Record<string, unknown>): NodeConfig => resolveConfig({
    file: options.file,
    env: process.env,
    flags: options.flags,
    overrides: { seed: base.seed + 1000 * (i + 1), ...loopback, ...options.perNode[i], net: { ...loopback.net, ...shardOf(i), ...(options.perNode[i].net as object | undefined) }, dataDir: join(options.dir, `node-${i}`), rounds: options.rounds, ...metricsPort(base, i), ...extra }
  })
  const configs = Array.from({ length: options.nodes }, (_, i) => make(i, {}))
  // Heterogeneous task mixes: every node is scored on one held-out set, over the union of families.
  const mixes = new Set(configs.map(c => JSON.stringify(Object.keys(c.taskMix).sort())))
  if (mixes.size <= 1 || configs.some(c => Object.keys(c.eval.taskMix).length > 0)) return configs
  const union = Object.fromEntries(configs.flatMap(c => Object.keys(c.taskMix)).map(f => [f, 1]))
  return configs.map((c, i) => make(i, { eval: { ...c.eval, taskMix: union } }))
}

/** Runs the `sim` command. */
export async function simCommand (argv: string[], ctx: CommandContext): Promise<void> {
  const args = parseCommandArgs(argv, FLAGS, true)
  if (args.flags.help === true) { ctx.out(formatHelp(USAGE, DESCRIPTION, FLAGS, true)); return }
  const nodes = positiveInt('--nodes', args.flags.nodes)
  const perProcessFlag = String(args.flags['nodes-per-process'])
  const nodesPerProcess = perProcessFlag === 'auto' ? Math.ceil(nodes / availableParallelism()) : positiveInt('--nodes-per-process', perProcessFlag)
  const rounds = positiveInt('--rounds', args.flags.rounds)
  const tickMs = positiveInt('--refresh-ms', args.flags['refresh-ms'])
  const dir = resolve(String(args.flags.dir))
  const json = args.flags.json === true
  const file = typeof args.flags.config === 'string' ? await loadConfigFile(args.flags.config) : undefined
  const perNode = await perNodeOverrides(nodes, args.flags.vary as string | undefined, args.flags.overrides as string | undefined)
  const mesh = parseMesh(String(args.flags.mesh))
  const configs = await simConfigs({ nodes, rounds, dir, file, flags: args.config, perNode, mesh, shards: String(args.flags.shards) })

  const abort = new AbortController()
  const onSignal = (): void => { abort.abort() }
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  let printedLines = 0
  const sharding = configs[0].net.shardCount === 1 ? '' : `, ${configs[0].net.shardCount} rollout shards (each node reads ${Math.min(configs[0].net.shardsRead, configs[0].net.shardCount)})`
  if (!json) ctx.err(`murmur sim: ${nodes} nodes × ${rounds} rounds in ${dir}, ${nodesPerProcess} per process (I/J = ${configs[0].localGroups}/${configs[0].peerGroups}, G = ${configs[0].groupSize}, shaper ${configs[0].rewards.shaper}${sharding})`)
  if (!json && configs[0].metrics.port > 0) ctx.err(`metrics: node i serves /metrics on ${configs[0].metrics.host}:${configs[0].metrics.port}+i`)
  const dashboard = await simDashboard(dashboardOptions(args.flags), nodes, dir)
  if (dashboard !== undefined) ctx.err(dashboard.line)
  try {
    const { report } = await runSimulation({
      configs,
      dir,
      resume: args.flags.resume === true,
      restart: args.flags.restart !== false,
      nodesPerProcess,
      seed: configs[0].seed,
      signal: abort.signal,
      tickMs,
      onLog: line => { if (!json) ctx.err(line) },
      onRound: (node, metrics) => { if (json) ctx.out(JSON.stringify({ node, ...metrics })) },
      ...(dashboard === undefined ? {} : { onView: (node: number, event: ViewEvent) => { dashboard.state.apply({ ...event, node }) } }),
      onTick: states => {
        if (json) return
        const text = liveTable(states)
        if (ctx.isTTY && printedLines > 0) ctx.errRaw(`\x1b[${printedLines}A\x1b[0J`)
        ctx.err(text)
        printedLines = ctx.isTTY ? text.split('\n').length : 0
      }
    })
    await writeFile(join(dir, 'report.json'), JSON.stringify(report, null, 2) + '\n')
    if (json) {
      ctx.out(JSON.stringify(report))
      return
    }
    ctx.out(renderTable([
      { header: 'node', cell: (n: SimNodeReport) => n.id.slice(-8), align: 'left' },
      { header: 'reward Q1', cell: n => fmt(n.rewardFirstQuarter) },
      { header: 'reward Q4', cell: n => fmt(n.rewardLastQuarter) },
      { header: 'held-out start', cell: n => fmt(n.accuracyStart) },
      { header: 'held-out end ± SE', cell: n => `${fmt(n.accuracyEnd)} ± ${fmt(n.accuracyEndSE)}` },
      { header: 'sampled end', cell: n => fmt(n.sampledEnd) },
      { header: 'KL base', cell: n => fmt(n.klToBase) },
      { header: 'peer age', cell: n => fmt(n.peerGroupAgeMedian, 1) },
      { header: 'peer groups used', cell: n => String(n.peerGroupsUsed) },
      { header: 'restarts', cell: n => String(n.restarts) }
    ], report.nodes))
    const delta = report.meanRewardLastQuarter - report.meanRewardFirstQuarter
    ctx.out(`mean reward: first quarter ${fmt(report.meanRewardFirstQuarter)} → last quarter ${fmt(report.meanRewardLastQuarter)} (${delta >= 0 ? '+' : ''}${fmt(delta)}); cumulative ${fmt(report.cumulativeReward, 1)} over ${report.rounds} rounds × ${report.nodes.length} nodes in ${report.elapsedSeconds.toFixed(0)} s`)
    ctx.out(`held-out greedy accuracy (${report.evalTasks} instances never trained on): ${fmt(report.meanAccuracyStart)} → ${fmt(report.meanAccuracyEnd)}; spread between nodes ${fmt(report.accuracyEndSpread)}; nodes' greedy answers differ on ${Number.isFinite(report.divergenceEnd) ? (100 * report.divergenceEnd).toFixed(1) : '-'} % of it`)
    ctx.out(`report: ${join(dir, 'report.json')}`)
  } finally {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
    await dashboard?.server.stop()
  }
}

/** The swarm's dashboard, served by the sim process (token, if any, in the sim directory). */
async function simDashboard (options: { host: string, port: number } | undefined, nodes: number, dir: string): Promise<{ state: SwarmState, server: ObserveServer, line: string } | undefined> {
  if (options === undefined) return undefined
  // The simulation directory is wiped at start unless resuming: keep the token beside it.
  const state = createSwarmState({ title: `murmur sim: ${nodes} nodes` })
  const tokenDir = `${dir}.observe`
  const server = await startDashboard({ state, host: options.host, port: options.port, token: await tokenFor(options.host, tokenDir) })
  return { state, server, line: `dashboard: ${server.url}/${isLoopback(options.host) ? '' : ` (token: ${join(tokenDir, TOKEN_FILE)})`}` }
}

function liveTable (states: readonly SimNodeState[]): string {
  const last = (s: SimNodeState): ReturnType<SimNodeState['metrics']['get']> => {
    let best
    for (const m of s.metrics.values()) if (best === undefined || m.round > best.round) best = m
    return best
  }
  const recent = (s: SimNodeState, window: number): number | undefined => {
    const l = last(s)
    if (l === undefined) return undefined
    const values = [...s.metrics.values()].filter(m => m.round > l.round - window).map(m => m.reward)
    return values.reduce((a, b) => a + b, 0) / values.length
  }
  return renderTable([
    { header: 'node', cell: (s: SimNodeState) => String(s.index) },
    { header: 'pid', cell: s => s.pid === undefined ? '-' : String(s.pid) },
    { header: 'peer', cell: s => s.peerId === '' ? '-' : '…' + s.peerId.slice(-6), align: 'left' },
    { header: 'round', cell: s => String(last(s)?.round ?? '-') },
    { header: 'reward', cell: s => fmt(last(s)?.reward) },
    { header: 'avg20', cell: s => fmt(recent(s, 20)) },
    { header: 'eval', cell: s => fmt(Number.isNaN(s.accuracyEnd) ? s.accuracyStart : s.accuracyEnd) },
    { header: 'peers', cell: s => String(last(s)?.peers ?? '-') },
    { header: 'peer grp', cell: s => String(last(s)?.peerGroupsUsed ?? '-') },
    { header: 'pool', cell: s => String(last(s)?.peerGroupsAvailable ?? '-') },
    { header: 'restarts', cell: s => String(s.restarts) }
  ], [...states])
}

/** Per-node partial configs from `--overrides` (a JSON file) and `--vary` (key=v1|v2|…, cycled over nodes). */
export async function perNodeOverrides (nodes: number, vary: string | undefined, overridesPath: string | undefined): Promise<Array<Record<string, unknown>>> {
  const out: Array<Record<string, unknown>> = Array.from({ length: nodes }, () => ({}))
  if (overridesPath !== undefined) {
    let list: unknown
    try {
      list = JSON.parse(await readFile(overridesPath, 'utf8'))
    } catch (err) {
      throw new UsageError(`--overrides ${overridesPath}: ${(err as Error).message}`)
    }
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

/** `--metrics-port P`: node i serves its /metrics on P + i. */
function metricsPort (base: NodeConfig, i: number): { metrics?: { port: number } } {
  return base.metrics.port > 0 ? { metrics: { port: base.metrics.port + i } } : {}
}

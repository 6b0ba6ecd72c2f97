/**
 * `murmur experiment sapo|hero`: ablations run as real local swarms (same machinery as
 * `murmur sim`), several seeds per arm, with a JSON results file and SVG plots.
 *  - sapo: I/J = 8/0, 6/2, 4/4, 2/6 and the equal-generation control 4/0 — cumulative reward
 *    (SAPO's metric), reward per rollout and held-out accuracy, mean ± SE over seeds, with
 *    paired comparisons 4/4 vs 4/0 and 4/4 vs 8/0.
 *  - hero: shaper = verifier, rm, hero — held-out greedy accuracy before and after.
 *  - adversarial: honest vs poisoning and Sybil adversaries (experiment-adversarial.ts).
 * `--vary` makes a heterogeneous swarm (per-node task specialties, models …), as in `murmur sim`.
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { loadConfigFile } from '@murmur/node'
import { parseCommandArgs, formatHelp, positiveInt, type FlagSpec } from '../args.js'
import { UsageError } from '../errors.js'
import { compareArms, summarizeArms, type ArmSummary, type Comparison, type RunResult, type Stat } from '../experiment-summary.js'
import { barChart, lineChart, movingAverage, type Series } from '../plot.js'
import { runSimulation, type SimNodeState } from '../simulation.js'
import { renderTable, fmt } from '../table.js'
import type { CommandContext } from './context.js'
import { adversarialCommand } from './experiment-adversarial.js'
import { perNodeOverrides, simConfigs } from './sim.js'

const FLAGS: Record<string, FlagSpec> = {
  nodes: { type: 'string', short: 'n', doc: 'nodes per swarm', default: '4' },
  rounds: { type: 'string', short: 'r', doc: 'rounds per run', default: '60' },
  seeds: { type: 'string', doc: 'comma-separated base seeds (each arm runs once per seed)', default: '0,1' },
  arms: { type: 'string', doc: 'subset of arms, comma-separated (sapo: 8/0,6/2,4/4,2/6,4/0; hero: verifier,rm,hero; adversarial: wrong,marker,long,sybil — honest always runs)' },
  vary: { type: 'string', doc: 'per-node values, cycled over nodes (a heterogeneous swarm): key=v1|v2|…;key2=…' },
  shards: { type: 'string', doc: 'rollout topic shards of every run, as murmur sim --shards: auto, a count, or config', default: 'config' },
  'adversary-share': { type: 'string', doc: 'adversarial: share of the nodes that attack', default: '0.3' },
  out: { type: 'string', doc: 'output folder (results.json, *.svg)', default: 'experiments/<name>' },
  'runs-dir': { type: 'string', doc: 'where the runs\' node data directories go (large; not results)', default: '.murmur/experiments/<name>' }
}
const USAGE = 'murmur experiment <sapo|hero|adversarial> [--nodes N] [--rounds R] [--seeds 0,1] [--out DIR] [config flags for every node]'
const DESCRIPTION = 'Runs an ablation as real local swarms and writes results.json and SVG plots.'

interface Arm { name: string, overrides: Record<string, unknown> }

const EXPERIMENTS: Record<string, { arms: Arm[], describe: string }> = {
  sapo: {
    describe: 'SAPO sharing ablation: local/external groups per round',
    // 4/0 generates as much as 4/4 without sharing: the control that says whether peers' groups are worth anything.
    arms: [[8, 0], [6, 2], [4, 4], [2, 6], [4, 0]].map(([i, j]) => ({ name: `${i}/${j}`, overrides: { localGroups: i, peerGroups: j } }))
  },
  hero: {
    describe: 'reward shaping ablation: verifier-only vs reward-model-only vs HERO',
    arms: ['verifier', 'rm', 'hero'].map(shaper => ({ name: shaper, overrides: { rewards: { shaper } } }))
  }
}

/** Runs the `experiment` command. */
export async function experimentCommand (argv: string[], ctx: CommandContext): Promise<void> {
  const args = parseCommandArgs(argv, FLAGS, true, 1)
  const name = args.positionals[0]
  if (args.flags.help === true || name === undefined) {
    ctx.out(formatHelp(USAGE, DESCRIPTION + '\n\nexperiments:\n' + Object.entries(EXPERIMENTS).map(([n, e]) => `  ${n.padEnd(8)} ${e.describe}`).join('\n') + '\n  adversarial honest nodes vs 30 % wrong / marker / over-long / Sybil adversaries (use --nodes 10)', FLAGS, true))
    if (name === undefined && args.flags.help !== true) process.exitCode = 2
    return
  }
  if (name === 'adversarial') { await adversarialCommand(argv, args, ctx); return }
  const experiment = EXPERIMENTS[name]
  if (experiment === undefined) throw new UsageError(`unknown experiment "${name}"; choose ${[...Object.keys(EXPERIMENTS), 'adversarial'].join(', ')}`)
  const nodes = positiveInt('--nodes', args.flags.nodes)
  const rounds = positiveInt('--rounds', args.flags.rounds)
  const seeds = String(args.flags.seeds).split(',').map(s => Number(s.trim()))
  if (seeds.some(s => !Number.isInteger(s) || s < 0 || s > 1_000_000)) throw new UsageError(`--seeds must be non-negative integers ≤ 1000000, got "${String(args.flags.seeds)}"`)
  const wanted = typeof args.flags.arms === 'string' ? args.flags.arms.split(',').map(a => a.trim()) : undefined
  const arms = wanted === undefined ? experiment.arms : experiment.arms.filter(a => wanted.includes(a.name))
  if (arms.length === 0) throw new UsageError(`--arms matched none of ${experiment.arms.map(a => a.name).join(', ')}`)
  const out = resolve(String(args.flags.out).replace('<name>', name))
  const runsDir = resolve(String(args.flags['runs-dir']).replace('<name>', name))
  const file = typeof args.flags.config === 'string' ? await loadConfigFile(args.flags.config) : undefined
  await mkdir(out, { recursive: true })
  const json = args.flags.json === true
  const abort = new AbortController()
  const onSignal = (): void => { abort.abort() }
  process.once('SIGINT', onSignal)

  const shards = String(args.flags.shards)
  // the shard count the runs used (null: unsharded), as the first run's configs resolved it
  let shardCount: number | null = null
  const varied = await perNodeOverrides(nodes, args.flags.vary as string | undefined, undefined)
  const runs: RunResult[] = []
  const started = Date.now()
  const writeResults = async (): Promise<{ summary: ArmSummary[], comparisons: Comparison[] }> => {
    const summary = summarizeArms(arms.map(a => a.name), runs)
    const comparisons = name === 'sapo' ? [...compareArms('4/4', '4/0', runs), ...compareArms('4/4', '8/0', runs)].filter(c => c.seeds > 0) : []
    const results = { experiment: name, nodes, rounds, seeds, arms: arms.map(a => a.name), vary: args.flags.vary ?? null, shards: shardCount, command: `murmur experiment ${argv.join(' ')}`, elapsedSeconds: (Date.now() - started) / 1000, complete: runs.length === seeds.length * arms.length, summary, comparisons, runs }
    await writeFile(join(out, 'results.json'), JSON.stringify(results, null, 2) + '\n')
    return { summary, comparisons }
  }
  try {
    let k = 0
    for (const seed of seeds) {
      for (const arm of arms) {
        k++
        const dir = join(runsDir, `${arm.name.replace('/', '-')}-seed${seed}`)
        const flags = { ...args.config, seed: String(seed * 100_000) }
        const configs = await simConfigs({ nodes, rounds, dir, file, flags, perNode: varied.map(v => mergeDeep(structuredClone(v), arm.overrides)), shards })
        shardCount = configs[0].net.shardCount > 1 ? configs[0].net.shardCount : null
        if (!json) ctx.err(`[${k}/${seeds.length * arms.length}] ${name} arm ${arm.name}, seed ${seed}: ${nodes} nodes × ${rounds} rounds …`)
        const { report, nodes: states } = await runSimulation({ configs, dir, signal: abort.signal, onLog: line => { if (!json) ctx.err('  ' + line) } })
        const rewardByRound = meanByRound(states, rounds)
        const rollouts = report.nodes.reduce((a, n) => a + n.rollouts, 0)
        const run: RunResult = { arm: arm.name, seed, report, rewardByRound, rewardPer1kRollouts: rollouts === 0 ? Number.NaN : 1000 * report.cumulativeReward / rollouts }
        runs.push(run)
        // Written after every run, so an interrupted experiment keeps what it measured.
        await writeResults()
        if (json) ctx.out(JSON.stringify({ arm: arm.name, seed, cumulativeReward: report.cumulativeReward, meanRewardFirstQuarter: report.meanRewardFirstQuarter, meanRewardLastQuarter: report.meanRewardLastQuarter, accuracyEnd: mean(report.nodes.map(n => n.accuracyEnd)) }))
        else ctx.err(`  cumulative reward ${fmt(report.cumulativeReward, 2)}; reward Q1 ${fmt(report.meanRewardFirstQuarter)} → Q4 ${fmt(report.meanRewardLastQuarter)}; held-out ${fmt(mean(report.nodes.map(n => n.accuracyStart)))} → ${fmt(mean(report.nodes.map(n => n.accuracyEnd)))} (${report.elapsedSeconds.toFixed(0)} s)`)
      }
    }
  } finally {
    process.off('SIGINT', onSignal)
  }

  const { summary, comparisons } = await writeResults()
  const series: Series[] = arms.map(arm => {
    const rs = runs.filter(r => r.arm === arm.name)
    const points: Array<[number, number]> = Array.from({ length: rounds }, (_, t) => [t, mean(rs.map(r => r.rewardByRound[t]))])
    return { name: arm.name, points: movingAverage(points, Math.max(1, Math.floor(rounds / 10))) }
  })
  await writeFile(join(out, 'reward.svg'), lineChart(`${name}: mean reward per round (moving average), ${nodes} nodes, ${seeds.length} seed(s)`, 'round', 'mean reward', series))
  await writeFile(join(out, 'cumulative.svg'), barChart(`${name}: cumulative reward (mean ± SE over ${seeds.length} seeds)`, 'cumulative reward', summary.map(s => ({ label: s.arm, value: s.cumulativeReward.mean, err: s.cumulativeReward.se }))))
  await writeFile(join(out, 'accuracy.svg'), barChart(`${name}: held-out greedy accuracy after training (mean ± SE over seeds)`, 'accuracy', summary.map(s => ({ label: s.arm, value: s.accuracyEnd.mean, err: s.accuracyEnd.se }))))
  if (json) {
    ctx.out(JSON.stringify({ experiment: name, out, summary, comparisons }))
  } else {
    ctx.out(renderTable([
      { header: 'arm', cell: (s: ArmSummary) => s.arm, align: 'left' },
      { header: 'cumulative reward', cell: s => pm(s.cumulativeReward, 1) },
      { header: 'per 1k rollouts', cell: s => pm(s.rewardPer1kRollouts, 1) },
      { header: 'reward Q1', cell: s => fmt(s.rewardFirstQuarter.mean) },
      { header: 'reward Q4', cell: s => fmt(s.rewardLastQuarter.mean) },
      { header: 'held-out start', cell: s => fmt(s.accuracyStart.mean) },
      { header: 'held-out end', cell: s => pm(s.accuracyEnd) },
      { header: 'sampled end', cell: s => pm(s.sampledEnd) },
      { header: 'CPU s / node', cell: s => fmt(s.cpuSecondsPerNode.mean, 0) }
    ], summary))
    for (const c of comparisons) ctx.out(`${c.a} − ${c.b} ${c.metric}: ${fmt(c.diff, 3)} ± ${fmt(c.se, 3)} (${(100 * c.relative).toFixed(1)} %, ${c.seeds} paired seeds)${c.significant ? ' > 2 SE' : ''}`)
    ctx.out(`results: ${join(out, 'results.json')}; plots: reward.svg, cumulative.svg, accuracy.svg`)
  }
}

function pm (s: Stat, digits = 3): string {
  return `${fmt(s.mean, digits)} ± ${fmt(s.se, digits)}`
}

/** Deep-merges plain objects (arm overrides over per-node variations). */
function mergeDeep (target: Record<string, unknown>, source: Record<string, unknown>): Record<string, unknown> {
  for (const [k, v] of Object.entries(source)) {
    const t = target[k]
    if (v !== null && typeof v === 'object' && !Array.isArray(v) && t !== null && typeof t === 'object' && !Array.isArray(t)) mergeDeep(t as Record<string, unknown>, v as Record<string, unknown>)
    else target[k] = structuredClone(v)
  }
  return target
}

function meanByRound (states: readonly SimNodeState[], rounds: number): number[] {
  return Array.from({ length: rounds }, (_, t) => mean(states.map(s => s.metrics.get(t)?.reward).filter((v): v is number => v !== undefined)))
}

function mean (values: number[]): number {
  const finite = values.filter(Number.isFinite)
  return finite.length === 0 ? Number.NaN : finite.reduce((a, b) => a + b, 0) / finite.length
}


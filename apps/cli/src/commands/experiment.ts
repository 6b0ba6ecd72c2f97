/**
 * `murmur experiment sapo|hero`: ablations run as real local swarms (same machinery as
 * `murmur sim`), several seeds per arm, with a JSON results file and SVG plots.
 *  - sapo: I/J = 8/0, 6/2, 4/4, 2/6 — cumulative reward (SAPO's metric) and reward per rollout.
 *  - hero: shaper = verifier, rm, hero — held-out greedy accuracy before and after.
 *  - adversarial: honest vs poisoning and Sybil adversaries (experiment-adversarial.ts).
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { loadConfigFile } from '@murmur/node'
import { parseCommandArgs, formatHelp, positiveInt, type FlagSpec } from '../args.js'
import { UsageError } from '../errors.js'
import { barChart, lineChart, movingAverage, type Series } from '../plot.js'
import { runSimulation, type SimReport, type SimNodeState } from '../simulation.js'
import { renderTable, fmt } from '../table.js'
import type { CommandContext } from './context.js'
import { adversarialCommand } from './experiment-adversarial.js'
import { simConfigs } from './sim.js'

const FLAGS: Record<string, FlagSpec> = {
  nodes: { type: 'string', short: 'n', doc: 'nodes per swarm', default: '4' },
  rounds: { type: 'string', short: 'r', doc: 'rounds per run', default: '60' },
  seeds: { type: 'string', doc: 'comma-separated base seeds (each arm runs once per seed)', default: '0,1' },
  arms: { type: 'string', doc: 'subset of arms, comma-separated (sapo: 8/0,6/2,4/4,2/6; hero: verifier,rm,hero; adversarial: wrong,marker,long,sybil — honest always runs)' },
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
    arms: [[8, 0], [6, 2], [4, 4], [2, 6]].map(([i, j]) => ({ name: `${i}/${j}`, overrides: { localGroups: i, peerGroups: j } }))
  },
  hero: {
    describe: 'reward shaping ablation: verifier-only vs reward-model-only vs HERO',
    arms: ['verifier', 'rm', 'hero'].map(shaper => ({ name: shaper, overrides: { rewards: { shaper } } }))
  }
}

/** One run (arm × seed) in the results file. */
interface RunResult {
  arm: string
  seed: number
  report: SimReport
  /** Mean over nodes of each round's reward. */
  rewardByRound: number[]
  /** Cumulative reward per 1,000 completions generated (the cost side of sharing). */
  rewardPer1kRollouts: number
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

  const runs: RunResult[] = []
  const started = Date.now()
  try {
    let k = 0
    for (const seed of seeds) {
      for (const arm of arms) {
        k++
        const dir = join(runsDir, `${arm.name.replace('/', '-')}-seed${seed}`)
        const flags = { ...args.config, seed: String(seed * 100_000) }
        const configs = await simConfigs({ nodes, rounds, dir, file, flags, perNode: Array.from({ length: nodes }, () => structuredClone(arm.overrides)) })
        if (!json) ctx.err(`[${k}/${seeds.length * arms.length}] ${name} arm ${arm.name}, seed ${seed}: ${nodes} nodes × ${rounds} rounds …`)
        const { report, nodes: states } = await runSimulation({ configs, dir, signal: abort.signal, onLog: line => { if (!json) ctx.err('  ' + line) } })
        const rewardByRound = meanByRound(states, rounds)
        const rollouts = report.nodes.reduce((a, n) => a + n.rollouts, 0)
        const run: RunResult = { arm: arm.name, seed, report, rewardByRound, rewardPer1kRollouts: rollouts === 0 ? Number.NaN : 1000 * report.cumulativeReward / rollouts }
        runs.push(run)
        if (json) ctx.out(JSON.stringify({ arm: arm.name, seed, cumulativeReward: report.cumulativeReward, meanRewardFirstQuarter: report.meanRewardFirstQuarter, meanRewardLastQuarter: report.meanRewardLastQuarter, accuracyEnd: mean(report.nodes.map(n => n.accuracyEnd)) }))
        else ctx.err(`  cumulative reward ${fmt(report.cumulativeReward, 2)}; reward Q1 ${fmt(report.meanRewardFirstQuarter)} → Q4 ${fmt(report.meanRewardLastQuarter)}; held-out ${fmt(mean(report.nodes.map(n => n.accuracyStart)))} → ${fmt(mean(report.nodes.map(n => n.accuracyEnd)))} (${report.elapsedSeconds.toFixed(0)} s)`)
      }
    }
  } finally {
    process.off('SIGINT', onSignal)
  }

  const summary = arms.map(arm => {
    const rs = runs.filter(r => r.arm === arm.name)
    return {
      arm: arm.name,
      runs: rs.length,
      cumulativeReward: mean(rs.map(r => r.report.cumulativeReward)),
      cumulativeRewardPerSeed: rs.map(r => r.report.cumulativeReward),
      rewardPer1kRollouts: mean(rs.map(r => r.rewardPer1kRollouts)),
      rewardFirstQuarter: mean(rs.map(r => r.report.meanRewardFirstQuarter)),
      rewardLastQuarter: mean(rs.map(r => r.report.meanRewardLastQuarter)),
      accuracyStart: mean(rs.flatMap(r => r.report.nodes.map(n => n.accuracyStart))),
      accuracyEnd: mean(rs.flatMap(r => r.report.nodes.map(n => n.accuracyEnd)))
    }
  })
  const results = { experiment: name, nodes, rounds, seeds, arms: arms.map(a => a.name), command: `murmur experiment ${argv.join(' ')}`, elapsedSeconds: (Date.now() - started) / 1000, summary, runs }
  await writeFile(join(out, 'results.json'), JSON.stringify(results, null, 2) + '\n')
  const series: Series[] = arms.map(arm => {
    const rs = runs.filter(r => r.arm === arm.name)
    const points: Array<[number, number]> = Array.from({ length: rounds }, (_, t) => [t, mean(rs.map(r => r.rewardByRound[t]))])
    return { name: arm.name, points: movingAverage(points, Math.max(1, Math.floor(rounds / 10))) }
  })
  await writeFile(join(out, 'reward.svg'), lineChart(`${name}: mean reward per round (moving average), ${nodes} nodes, ${seeds.length} seed(s)`, 'round', 'mean reward', series))
  await writeFile(join(out, 'cumulative.svg'), barChart(`${name}: cumulative reward (mean over seeds)`, 'cumulative reward', summary.map(s => ({ label: s.arm, value: s.cumulativeReward }))))
  await writeFile(join(out, 'accuracy.svg'), barChart(`${name}: held-out greedy accuracy after training`, 'accuracy', summary.map(s => ({ label: s.arm, value: s.accuracyEnd }))))
  if (json) {
    ctx.out(JSON.stringify({ experiment: name, out, summary }))
  } else {
    ctx.out(renderTable([
      { header: 'arm', cell: (s: typeof summary[number]) => s.arm, align: 'left' },
      { header: 'cumulative reward', cell: s => fmt(s.cumulativeReward, 2) },
      { header: 'per 1k rollouts', cell: s => fmt(s.rewardPer1kRollouts, 2) },
      { header: 'reward Q1', cell: s => fmt(s.rewardFirstQuarter) },
      { header: 'reward Q4', cell: s => fmt(s.rewardLastQuarter) },
      { header: 'held-out start', cell: s => fmt(s.accuracyStart) },
      { header: 'held-out end', cell: s => fmt(s.accuracyEnd) }
    ], summary))
    ctx.out(`results: ${join(out, 'results.json')}; plots: reward.svg, cumulative.svg, accuracy.svg`)
  }
}

function meanByRound (states: readonly SimNodeState[], rounds: number): number[] {
  return Array.from({ length: rounds }, (_, t) => mean(states.map(s => s.metrics.get(t)?.reward).filter((v): v is number => v !== undefined)))
}

function mean (values: number[]): number {
  const finite = values.filter(Number.isFinite)
  return finite.length === 0 ? Number.NaN : finite.reduce((a, b) => a + b, 0) / finite.length
}


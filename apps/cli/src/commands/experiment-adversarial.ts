/**
 * `murmur experiment adversarial`: the training-side defence measured as real local swarms
 * (same machinery as `murmur sim`). A share of the nodes are adversaries: real nodes whose
 * publish step is replaced by an attack (`adversary.strategy`, packages/node/src/attack.ts); the
 * honest nodes run unchanged. Arms: honest (no adversary), wrong, marker, long (30 % of the
 * nodes attack with that strategy) and sybil (the same share of producers sends 90 % of the
 * groups, marker content). Honest nodes keep their index and seed in every arm, so each arm is
 * compared with the honest arm node by node. Metrics, over honest nodes only: mean sampled
 * reward, held-out greedy accuracy at the end, fraction of their own completions that carry the
 * attack marker, failed rounds (restarts plus rounds that never reported).
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { ATTACK_MARKER, loadConfigFile, type AttackStrategy, type NodeConfig } from '@murmur/node'
import { positiveInt, type ParsedArgs } from '../args.js'
import { UsageError } from '../errors.js'
import { barChart } from '../plot.js'
import { runSimulation, type SimNodeState } from '../simulation.js'
import { renderTable, fmt } from '../table.js'
import type { CommandContext } from './context.js'
import { simConfigs } from './sim.js'

/** One arm: which strategy the adversaries play and whether they flood. */
interface AdversarialArm { name: string, strategy: AttackStrategy, sybil: boolean, defences?: false }

/** The arms, in order (honest first: the others are compared with it). */
export const ADVERSARIAL_ARMS: readonly AdversarialArm[] = [
  { name: 'honest', strategy: 'none', sybil: false },
  { name: 'wrong', strategy: 'wrong', sybil: false },
  { name: 'marker', strategy: 'marker', sybil: false },
  { name: 'long', strategy: 'long', sybil: false },
  { name: 'sybil', strategy: 'marker', sybil: true },
  // Run only when named in --arms: the marker attack with every node's defence off (trust.enabled = false).
  { name: 'marker-undefended', strategy: 'marker', sybil: false, defences: false }
]

/** Share of the groups the Sybil arm's adversaries send. */
const SYBIL_GROUP_SHARE = 0.9

/** What `adversarialExperiment` needs from the `experiment` command. */
export interface AdversarialInit {
  nodes: number
  rounds: number
  seeds: number[]
  /** Arm names to run (default all); `honest` is always run first. */
  arms: string[] | undefined
  /** Share of the nodes that attack (rounded, at least 1). */
  adversaryShare: number
  out: string
  runsDir: string
  file: unknown
  flags: Record<string, string>
  json: boolean
  /** The command line, recorded in results.json. */
  command: string
  signal: AbortSignal
}

/** One run (arm × seed), honest nodes only. */
interface AdversarialRun {
  arm: string
  seed: number
  adversaries: number
  groupsPerAdversary: number
  honestReward: number
  honestRewardByNode: number[]
  heldOutEnd: number
  markerFraction: number
  failedRounds: number
  /** Mean per honest node and round: peer groups accepted into its pool, and peer groups it trained on. */
  receivedPerRound: number
  peerGroupsUsedPerRound: number
  elapsedSeconds: number
}

/** `murmur experiment adversarial …` (flags parsed by the experiment command). */
export async function adversarialCommand (argv: string[], args: ParsedArgs, ctx: CommandContext): Promise<void> {
  const seeds = String(args.flags.seeds).split(',').map(s => Number(s.trim()))
  if (seeds.some(s => !Number.isInteger(s) || s < 0 || s > 1_000_000)) throw new UsageError(`--seeds must be non-negative integers ≤ 1000000, got "${String(args.flags.seeds)}"`)
  const adversaryShare = Number(args.flags['adversary-share'])
  if (!(adversaryShare > 0 && adversaryShare < 1)) throw new UsageError(`--adversary-share must be in (0, 1), got "${String(args.flags['adversary-share'])}"`)
  // Its defences are measured with every honest node hearing every adversary: one shard.
  if (String(args.flags.shards) !== 'config') throw new UsageError('murmur experiment adversarial does not take --shards (every node hears every adversary)')
  const arms = typeof args.flags.arms === 'string' ? args.flags.arms.split(',').map(a => a.trim()) : undefined
  const unknown = arms?.filter(a => !ADVERSARIAL_ARMS.some(x => x.name === a)) ?? []
  if (unknown.length > 0) throw new UsageError(`--arms: unknown arm(s) ${unknown.join(', ')}; choose from ${ADVERSARIAL_ARMS.map(a => a.name).join(', ')}`)
  const abort = new AbortController()
  const onSignal = (): void => { abort.abort() }
  process.once('SIGINT', onSignal)
  try {
    await adversarialExperiment({
      nodes: positiveInt('--nodes', args.flags.nodes),
      rounds: positiveInt('--rounds', args.flags.rounds),
      seeds,
      arms,
      adversaryShare,
      out: resolve(String(args.flags.out).replace('<name>', 'adversarial')),
      runsDir: resolve(String(args.flags['runs-dir']).replace('<name>', 'adversarial')),
      file: typeof args.flags.config === 'string' ? await loadConfigFile(args.flags.config) : undefined,
      flags: args.config,
      json: args.flags.json === true,
      command: `murmur experiment ${argv.join(' ')}`,
      signal: abort.signal
    }, ctx)
  } finally {
    process.off('SIGINT', onSignal)
  }
}

/** Runs the arms and writes results.json and accuracy/reward plots under `init.out`. */
export async function adversarialExperiment (init: AdversarialInit, ctx: CommandContext): Promise<void> {
  const { nodes, rounds, seeds } = init
  const adversaries = Math.max(1, Math.round(init.adversaryShare * nodes))
  if (adversaries >= nodes) throw new UsageError(`--adversary-share ${init.adversaryShare} leaves no honest node among ${nodes}`)
  const arms = init.arms === undefined ? ADVERSARIAL_ARMS.filter(a => a.defences !== false) : ADVERSARIAL_ARMS.filter(a => a.name === 'honest' || init.arms?.includes(a.name) === true)
  const honest = nodes - adversaries
  await mkdir(init.out, { recursive: true })
  const runs: AdversarialRun[] = []
  const started = Date.now()
  let k = 0
  for (const seed of seeds) {
    for (const arm of arms) {
      k++
      const dir = join(init.runsDir, `${arm.name}-seed${seed}`)
      const base = await simConfigs({ nodes, rounds, dir, file: init.file, flags: { ...init.flags, seed: String(seed * 100_000) }, perNode: Array.from({ length: nodes }, () => ({})) })
      const localGroups = base[0].localGroups
      // Sybil: the adversaries send SYBIL_GROUP_SHARE of all groups (honest nodes send I each).
      const groupsPerAdversary = arm.sybil ? Math.ceil(SYBIL_GROUP_SHARE / (1 - SYBIL_GROUP_SHARE) * honest * localGroups / adversaries) : localGroups
      const configs: NodeConfig[] = await simConfigs({
        nodes,
        rounds,
        dir,
        file: init.file,
        flags: { ...init.flags, seed: String(seed * 100_000) },
        perNode: Array.from({ length: nodes }, (_, i) => ({ ...(arm.defences === false ? { trust: { enabled: false } } : {}), ...(i < honest || arm.strategy === 'none' ? {} : { adversary: { strategy: arm.strategy, groupsPerRound: groupsPerAdversary } }) }))
      })
      if (!init.json) ctx.err(`[${k}/${seeds.length * arms.length}] adversarial arm ${arm.name}, seed ${seed}: ${nodes} nodes (${arm.strategy === 'none' ? 0 : adversaries} adversarial) × ${rounds} rounds …`)
      const { report, nodes: states } = await runSimulation({ configs, dir, signal: init.signal, onLog: line => { if (!init.json) ctx.err('  ' + line) } })
      const honestStates = states.slice(0, honest)
      const byNode = honestStates.map(s => mean([...s.metrics.values()].map(m => m.reward)))
      const run: AdversarialRun = {
        arm: arm.name,
        seed,
        adversaries: arm.strategy === 'none' ? 0 : adversaries,
        groupsPerAdversary: arm.strategy === 'none' ? 0 : groupsPerAdversary,
        honestReward: mean(byNode),
        honestRewardByNode: byNode,
        heldOutEnd: mean(honestStates.map(s => s.accuracyEnd)),
        markerFraction: mean(honestStates.flatMap(s => [...s.metrics.values()].map(m => m.attackMarker ?? Number.NaN))),
        failedRounds: failedRounds(honestStates, rounds),
        receivedPerRound: mean(honestStates.flatMap(s => [...s.metrics.values()].map(m => m.received))),
        peerGroupsUsedPerRound: mean(honestStates.flatMap(s => [...s.metrics.values()].map(m => m.peerGroupsUsed))),
        elapsedSeconds: report.elapsedSeconds
      }
      runs.push(run)
      if (init.json) ctx.out(JSON.stringify(run))
      else ctx.err(`  honest reward ${fmt(run.honestReward)}; held-out ${fmt(run.heldOutEnd)}; marker in own samples ${fmt(100 * run.markerFraction, 2)} %; failed rounds ${run.failedRounds}; per round received ${fmt(run.receivedPerRound, 1)}, trained on ${fmt(run.peerGroupsUsedPerRound, 2)} peer groups (${run.elapsedSeconds.toFixed(0)} s)`)
    }
  }

  const summary = arms.map(arm => {
    const rs = runs.filter(r => r.arm === arm.name)
    const ratios = rs.map(r => r.honestReward / (runs.find(h => h.arm === 'honest' && h.seed === r.seed)?.honestReward ?? Number.NaN))
    const heldOutDelta = rs.map(r => r.heldOutEnd - (runs.find(h => h.arm === 'honest' && h.seed === r.seed)?.heldOutEnd ?? Number.NaN))
    const markerFraction = mean(rs.map(r => r.markerFraction))
    const failed = rs.reduce((a, r) => a + r.failedRounds, 0)
    return {
      arm: arm.name,
      runs: rs.length,
      honestReward: mean(rs.map(r => r.honestReward)),
      rewardVsHonest: mean(ratios),
      rewardVsHonestPerSeed: ratios,
      heldOutEnd: mean(rs.map(r => r.heldOutEnd)),
      heldOutVsHonest: mean(heldOutDelta),
      heldOutVsHonestPerSeed: heldOutDelta,
      markerFraction,
      failedRounds: failed,
      meetsTargets: arm.name === 'honest' ? null : ratios.every(x => x >= 0.95) && heldOutDelta.every(x => x >= -0.03) && rs.every(r => r.markerFraction < 0.01) && failed === 0
    }
  })
  const results = { experiment: 'adversarial', nodes, adversaries, rounds, seeds, marker: ATTACK_MARKER, arms: arms.map(a => a.name), command: init.command, elapsedSeconds: (Date.now() - started) / 1000, summary, runs }
  await writeFile(join(init.out, 'results.json'), JSON.stringify(results, null, 2) + '\n')
  await writeFile(join(init.out, 'reward.svg'), barChart(`adversarial: honest nodes' mean reward ÷ honest arm (${nodes} nodes, ${adversaries} adversarial, ${seeds.length} seed(s))`, 'ratio', summary.map(s => ({ label: s.arm, value: s.rewardVsHonest }))))
  await writeFile(join(init.out, 'accuracy.svg'), barChart('adversarial: honest nodes\' held-out greedy accuracy after training', 'accuracy', summary.map(s => ({ label: s.arm, value: s.heldOutEnd }))))
  if (init.json) {
    ctx.out(JSON.stringify({ experiment: 'adversarial', out: init.out, summary }))
    return
  }
  ctx.out(renderTable([
    { header: 'arm', cell: (s: typeof summary[number]) => s.arm, align: 'left' },
    { header: 'honest reward', cell: s => fmt(s.honestReward) },
    { header: '÷ honest arm', cell: s => fmt(s.rewardVsHonest) },
    { header: 'held-out end', cell: s => fmt(s.heldOutEnd) },
    { header: 'Δ held-out', cell: s => fmt(s.heldOutVsHonest) },
    { header: 'marker %', cell: s => fmt(100 * s.markerFraction, 2) },
    { header: 'failed rounds', cell: s => String(s.failedRounds) },
    { header: 'targets', cell: s => s.meetsTargets === null ? '—' : s.meetsTargets ? 'met' : 'missed' }
  ], summary))
  ctx.out(`results: ${join(init.out, 'results.json')}; plots: reward.svg, accuracy.svg`)
}

/** Rounds an honest node failed: restarts (a failed round ends the node) plus rounds that never reported. */
function failedRounds (states: readonly SimNodeState[], rounds: number): number {
  return states.reduce((a, s) => a + s.restarts + Math.max(0, rounds - s.metrics.size), 0)
}

function mean (values: number[]): number {
  const finite = values.filter(Number.isFinite)
  return finite.length === 0 ? Number.NaN : finite.reduce((a, b) => a + b, 0) / finite.length
}

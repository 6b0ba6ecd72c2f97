/**
 * `murmur eval`: accuracy of a checkpoint on the held-out side of every family's partition
 * (instances no training stream ever emits), overall and per family, greedy and sampled, with
 * standard errors.
 */
import { DEFAULT_MODEL, type EvalScore, evaluateModel, loadModelSource, NODE_CONFIG_SCHEMA } from '@murmur/node'
import { parseCommandArgs, formatHelp, type FlagSpec } from '../args.js'
import { UsageError } from '../errors.js'
import { renderTable, fmt } from '../table.js'
import type { CommandContext } from './context.js'

const FLAGS: Record<string, FlagSpec> = {
  model: { type: 'string', doc: `builtin:tiny, a .safetensors file or a model folder (default ${DEFAULT_MODEL})` },
  'data-dir': { type: 'string', doc: 'evaluate the latest checkpoint of the node in this data directory' },
  tasks: { type: 'string', doc: 'held-out tasks at most (split evenly over families; small families give fewer)', default: String(NODE_CONFIG_SCHEMA['eval.tasks'].default) },
  samples: { type: 'string', doc: 'sampled (temperature 1) completions per task for the sampled accuracy', default: String(NODE_CONFIG_SCHEMA['eval.samples'].default) },
  mix: { type: 'string', doc: `task mix name=weight,… (default: a node's default taskMix, ${Object.keys(NODE_CONFIG_SCHEMA.taskMix.default).join(', ')})` },
  temperature: { type: 'string', doc: '0 = greedy only; otherwise sampled accuracy is also reported (at temperature 1)', default: '1' },
  'max-tokens': { type: 'string', doc: 'maximum completion tokens (a node\'s generate.maxTokens)', default: String(NODE_CONFIG_SCHEMA['generate.maxTokens'].default) }
}
const USAGE = 'murmur eval [--model M | --data-dir DIR] [--tasks N] [--json]'
const DESCRIPTION = 'Accuracy of a policy on held-out instances no training stream ever emits (the same set for every node and every run), with standard errors.'

/** Runs the `eval` command. */
export async function evalCommand (argv: string[], ctx: CommandContext): Promise<void> {
  const args = parseCommandArgs(argv, FLAGS, false)
  if (args.flags.help === true) { ctx.out(formatHelp(USAGE, DESCRIPTION, FLAGS, false)); return }
  const count = Number(args.flags.tasks)
  const temperature = Number(args.flags.temperature)
  const maxTokens = Number(args.flags['max-tokens'])
  const samples = Number(args.flags.samples)
  if (!Number.isInteger(samples) || samples < 1 || samples > 64) throw new UsageError(`--samples must be an integer in 1..64, got "${String(args.flags.samples)}"`)
  if (!Number.isInteger(count) || count < 1 || count > 100_000) throw new UsageError(`--tasks must be an integer in 1..100000, got "${String(args.flags.tasks)}"`)
  if (!(temperature >= 0)) throw new UsageError(`--temperature must be ≥ 0, got "${String(args.flags.temperature)}"`)
  if (!Number.isInteger(maxTokens) || maxTokens < 1) throw new UsageError(`--max-tokens must be a positive integer, got "${String(args.flags['max-tokens'])}"`)
  // Without --mix: the families a node trains on by default (its taskMix), so the set is the one `murmur sim` scores.
  const mix: Record<string, number> = typeof args.flags.mix === 'string' ? {} : { ...NODE_CONFIG_SCHEMA.taskMix.default }
  if (typeof args.flags.mix === 'string') {
    for (const part of args.flags.mix.split(',').filter(p => p.trim() !== '')) {
      const [name, w = '1'] = part.split('=')
      mix[name.trim()] = Number(w)
    }
  }
  const source = await loadModelSource({ model: args.flags.model as string | undefined, dataDir: args.flags['data-dir'] as string | undefined })
  const report = await evaluateModel(source, { tasks: count, mix, maxTokens, samples: temperature === 0 ? 0 : samples })
  const sampled = temperature !== 0
  const result = {
    model: source.origin,
    step: source.step,
    tasks: report.tasks,
    greedyAccuracy: report.greedy,
    greedySE: report.greedySE,
    ...(sampled ? { sampledAccuracy: report.sampled, sampledSE: report.sampledSE, temperature: 1, samples } : {}),
    families: Object.fromEntries(Object.entries(report.families).map(([name, f]) => [name, { tasks: f.tasks, greedy: f.greedy, greedySE: f.greedySE, ...(sampled ? { sampled: f.sampled, sampledSE: f.sampledSE } : {}) }]))
  }
  if (args.flags.json === true) {
    ctx.out(JSON.stringify(result))
    return
  }
  ctx.out(`${source.origin} (step ${source.step}) on ${report.tasks} held-out instances (never in any training stream):`)
  ctx.out(renderTable([
    { header: 'family', cell: (r: [string, EvalScore]) => r[0], align: 'left' },
    { header: 'tasks', cell: r => String(r[1].tasks) },
    { header: 'greedy ± SE', cell: r => `${fmt(r[1].greedy)} ± ${fmt(r[1].greedySE)}` },
    { header: 'sampled ± SE', cell: r => sampled ? `${fmt(r[1].sampled)} ± ${fmt(r[1].sampledSE)}` : '-' }
  ], Object.entries(report.families)))
  ctx.out(`overall: greedy ${fmt(report.greedy)} ± ${fmt(report.greedySE)}${sampled ? `, sampled (T=1, ${samples} per task) ${fmt(report.sampled)} ± ${fmt(report.sampledSE)}` : ''}`)
}

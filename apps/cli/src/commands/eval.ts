/**
 * `murmur eval`: accuracy of a checkpoint on held-out task seeds, overall and per family,
 * greedy and (optionally) sampled.
 */
import { evaluateModel, loadModelSource } from '@murmur/node'
import { parseCommandArgs, formatHelp, type FlagSpec } from '../args.js'
import { UsageError } from '../errors.js'
import { renderTable, fmt } from '../table.js'
import type { CommandContext } from './context.js'

const FLAGS: Record<string, FlagSpec> = {
  model: { type: 'string', doc: 'builtin:tiny, a .safetensors file or a model folder (default builtin:tiny)' },
  'data-dir': { type: 'string', doc: 'evaluate the latest checkpoint of the node in this data directory' },
  tasks: { type: 'string', doc: 'held-out tasks', default: '512' },
  mix: { type: 'string', doc: 'task mix name=weight,… (default: the default mix)' },
  temperature: { type: 'string', doc: 'also report accuracy sampled at this temperature (0 = greedy only)', default: '1' },
  'max-tokens': { type: 'string', doc: 'maximum completion tokens', default: '12' }
}
const USAGE = 'murmur eval [--model M | --data-dir DIR] [--tasks N] [--json]'
const DESCRIPTION = 'Accuracy of a policy on held-out task seeds (the same set for every node and every run).'

/** Runs the `eval` command. */
export async function evalCommand (argv: string[], ctx: CommandContext): Promise<void> {
  const args = parseCommandArgs(argv, FLAGS, false)
  if (args.flags.help === true) { ctx.out(formatHelp(USAGE, DESCRIPTION, FLAGS, false)); return }
  const count = Number(args.flags.tasks)
  const temperature = Number(args.flags.temperature)
  const maxTokens = Number(args.flags['max-tokens'])
  if (!Number.isInteger(count) || count < 1 || count > 100_000) throw new UsageError(`--tasks must be an integer in 1..100000, got "${String(args.flags.tasks)}"`)
  if (!(temperature >= 0)) throw new UsageError(`--temperature must be ≥ 0, got "${String(args.flags.temperature)}"`)
  if (!Number.isInteger(maxTokens) || maxTokens < 1) throw new UsageError(`--max-tokens must be a positive integer, got "${String(args.flags['max-tokens'])}"`)
  const mix: Record<string, number> = {}
  if (typeof args.flags.mix === 'string') {
    for (const part of args.flags.mix.split(',').filter(p => p.trim() !== '')) {
      const [name, w = '1'] = part.split('=')
      mix[name.trim()] = Number(w)
    }
  }
  const source = await loadModelSource({ model: args.flags.model as string | undefined, dataDir: args.flags['data-dir'] as string | undefined })
  const { greedy, sampled } = await evaluateModel(source, { tasks: count, mix, maxTokens, temperature })
  const result = {
    model: source.origin,
    step: source.step,
    tasks: greedy.tasks,
    greedyAccuracy: greedy.accuracy,
    ...(sampled === undefined ? {} : { sampledAccuracy: sampled.accuracy, temperature }),
    families: Object.fromEntries(Object.entries(greedy.families).map(([name, f]) => [name, { tasks: f.tasks, greedy: f.accuracy, ...(sampled === undefined ? {} : { sampled: sampled.families[name].accuracy }) }]))
  }
  if (args.flags.json === true) {
    ctx.out(JSON.stringify(result))
    return
  }
  ctx.out(`${source.origin} (step ${source.step}) on ${greedy.tasks} held-out tasks:`)
  ctx.out(renderTable([
    { header: 'family', cell: (r: [string, { tasks: number, greedy: number, sampled?: number }]) => r[0], align: 'left' },
    { header: 'tasks', cell: r => String(r[1].tasks) },
    { header: 'greedy', cell: r => fmt(r[1].greedy) },
    { header: 'sampled', cell: r => r[1].sampled === undefined ? '-' : fmt(r[1].sampled) }
  ], Object.entries(result.families).sort((a, b) => a[0].localeCompare(b[0]))))
  ctx.out(`overall: greedy ${fmt(greedy.accuracy)}${sampled === undefined ? '' : `, sampled (T=${temperature}) ${fmt(sampled.accuracy)}`}`)
}

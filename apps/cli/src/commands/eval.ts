/**
 * `murmur eval`: accuracy of a checkpoint on held-out task seeds, overall and per family,
 * greedy and (optionally) sampled.
 */
import { createModelPolicy } from '@murmur/policy'
import { heldOutTasks } from '@murmur/node'
import { verify } from '@murmur/tasks'
import { parseCommandArgs, formatHelp, type FlagSpec } from '../args.js'
import { UsageError } from '../errors.js'
import { loadModelSource } from '../model-source.js'
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
  const tasks = heldOutTasks(mix, count)
  const policy = await createModelPolicy(source.config, source.weights, source.tokenizer, { step: source.step })
  try {
    const prompts = tasks.map(t => t.prompt)
    const greedy = await policy.generate(prompts, { n: 1, maxTokens, temperature: 0 })
    const sampled = temperature > 0 ? await policy.generate(prompts, { n: 1, maxTokens, temperature, seed: 1 }) : undefined
    const families = new Map<string, { n: number, greedy: number, sampled: number }>()
    let greedyOk = 0
    let sampledOk = 0
    tasks.forEach((task, i) => {
      const f = families.get(task.ref.family) ?? { n: 0, greedy: 0, sampled: 0 }
      f.n++
      if (verify(task, greedy[i][0].text).score >= 1) { f.greedy++; greedyOk++ }
      if (sampled !== undefined && verify(task, sampled[i][0].text).score >= 1) { f.sampled++; sampledOk++ }
      families.set(task.ref.family, f)
    })
    const result = {
      model: source.origin,
      step: source.step,
      tasks: tasks.length,
      greedyAccuracy: greedyOk / tasks.length,
      ...(sampled === undefined ? {} : { sampledAccuracy: sampledOk / tasks.length, temperature }),
      families: Object.fromEntries([...families].map(([name, f]) => [name, { tasks: f.n, greedy: f.greedy / f.n, ...(sampled === undefined ? {} : { sampled: f.sampled / f.n }) }]))
    }
    if (args.flags.json === true) {
      ctx.out(JSON.stringify(result))
    } else {
      ctx.out(`${source.origin} (step ${source.step}) on ${tasks.length} held-out tasks:`)
      ctx.out(renderTable([
        { header: 'family', cell: (r: [string, { n: number, greedy: number, sampled: number }]) => r[0], align: 'left' },
        { header: 'tasks', cell: r => String(r[1].n) },
        { header: 'greedy', cell: r => fmt(r[1].greedy / r[1].n) },
        { header: 'sampled', cell: r => sampled === undefined ? '-' : fmt(r[1].sampled / r[1].n) }
      ], [...families].sort((a, b) => a[0].localeCompare(b[0]))))
      ctx.out(`overall: greedy ${fmt(result.greedyAccuracy)}${sampled === undefined ? '' : `, sampled (T=${temperature}) ${fmt(sampledOk / tasks.length)}`}`)
    }
  } finally {
    await policy.close()
  }
}

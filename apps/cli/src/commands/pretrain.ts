/** `murmur pretrain`: supervised pretraining of the default tiny policy on the task families. */
import { mkdir, writeFile } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { weightsToSafetensors, DEFAULT_ALPHABET } from '@murmur/policy'
import { pretrain } from '@murmur/trainer'
import { parseCommandArgs, formatHelp, type FlagSpec } from '../args.js'
import { UsageError } from '../errors.js'
import { progressBar } from '../progress.js'
import type { CommandContext } from './context.js'

const FLAGS: Record<string, FlagSpec> = {
  seed: { type: 'string', doc: 'seed of initialization, data and evaluation', default: '0' },
  target: { type: 'string', doc: 'stop once sampled held-out accuracy reaches this', default: '0.25' },
  'max-steps': { type: 'string', doc: 'hard cap on optimizer steps', default: '4000' },
  out: { type: 'string', doc: 'output safetensors file', default: 'pretrained/tiny-base.safetensors' }
}
const USAGE = 'murmur pretrain [--seed N] [--target 0.25] [--max-steps N] [--out file.safetensors]'
const DESCRIPTION = 'Trains the default tiny policy with cross-entropy on prompt → answer pairs of the default task mix, stopping on a measured sampled accuracy. Deterministic given the seed.'

/** Runs the `pretrain` command. */
export async function pretrainCommand (argv: string[], ctx: CommandContext): Promise<void> {
  const args = parseCommandArgs(argv, FLAGS, false)
  if (args.flags.help === true) { ctx.out(formatHelp(USAGE, DESCRIPTION, FLAGS, false)); return }
  const seed = Number(args.flags.seed)
  const target = Number(args.flags.target)
  const maxSteps = Number(args.flags['max-steps'])
  if (!Number.isInteger(seed) || seed < 0) throw new UsageError(`--seed must be a non-negative integer, got "${String(args.flags.seed)}"`)
  if (!(target > 0 && target <= 1)) throw new UsageError(`--target must be in (0, 1], got "${String(args.flags.target)}"`)
  if (!Number.isInteger(maxSteps) || maxSteps < 1) throw new UsageError(`--max-steps must be a positive integer, got "${String(args.flags['max-steps'])}"`)
  const out = resolve(String(args.flags.out))
  const json = args.flags.json === true
  const bar = progressBar({ label: 'pretrain', total: maxSteps })
  const abort = new AbortController()
  const onSignal = (): void => { abort.abort() }
  process.once('SIGINT', onSignal)
  const t0 = Date.now()
  let lastEval = ''
  try {
    const result = await pretrain({
      seed,
      targetAccuracy: target,
      maxSteps,
      signal: abort.signal,
      onProgress: p => {
        if (p.eval !== undefined) lastEval = `sampled ${(100 * p.eval.sampled).toFixed(1)}% greedy ${(100 * p.eval.greedy).toFixed(1)}%`
        bar.update(p.step, `loss ${p.loss.toFixed(3)}${lastEval === '' ? '' : ' · ' + lastEval}`)
      }
    })
    bar.done(`stopped at step ${result.steps}: ${lastEval}`)
    await mkdir(dirname(out), { recursive: true })
    await writeFile(out, weightsToSafetensors(result.config, result.weights, { step: result.steps, tokenizer: { kind: 'char', alphabet: DEFAULT_ALPHABET } }))
    const summary = { out, seed, steps: result.steps, reachedTarget: result.reachedTarget, sampled: result.final.sampled, greedy: result.final.greedy, seconds: (Date.now() - t0) / 1000 }
    await writeFile(out.replace(/\.safetensors$/, '') + '.json', JSON.stringify({ ...summary, history: result.history }, null, 2) + '\n')
    ctx.out(json ? JSON.stringify(summary) : `wrote ${out}: ${result.steps} steps, sampled accuracy ${(100 * result.final.sampled).toFixed(1)}%, greedy ${(100 * result.final.greedy).toFixed(1)}%${result.reachedTarget ? '' : ' (target not reached)'}`)
  } finally {
    process.off('SIGINT', onSignal)
  }
}

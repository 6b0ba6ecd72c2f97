/** `murmur export`: writes a model folder that Hugging Face tooling (transformers.js) loads. */
import { resolve } from 'node:path'
import { DEFAULT_MODEL, exportModel, loadModelSource } from '@murmur/node'
import { parseCommandArgs, formatHelp, type FlagSpec } from '../args.js'
import { UsageError } from '../errors.js'
import type { CommandContext } from './context.js'

const FLAGS: Record<string, FlagSpec> = {
  model: { type: 'string', doc: `builtin:tiny, a .safetensors file or a model folder (default ${DEFAULT_MODEL})` },
  'data-dir': { type: 'string', doc: 'export the latest checkpoint of the node in this data directory' },
  out: { type: 'string', doc: 'output folder (onnx/model.onnx, config.json, tokenizer.json, …)' }
}
const USAGE = 'murmur export --out DIR [--model M | --data-dir DIR]'
const DESCRIPTION = 'Writes onnx/model.onnx (HF causal-LM I/O with KV cache), config.json, tokenizer.json, tokenizer_config.json and model.safetensors.'

/** Runs the `export` command. */
export async function exportCommand (argv: string[], ctx: CommandContext): Promise<void> {
  const args = parseCommandArgs(argv, FLAGS, false)
  if (args.flags.help === true) { ctx.out(formatHelp(USAGE, DESCRIPTION, FLAGS, false)); return }
  if (typeof args.flags.out !== 'string') throw new UsageError('--out is required (the folder to write)')
  const out = resolve(args.flags.out)
  const source = await loadModelSource({ model: args.flags.model as string | undefined, dataDir: args.flags['data-dir'] as string | undefined })
  await exportModel(source, out)
  ctx.out(args.flags.json === true ? JSON.stringify({ out, model: source.origin, step: source.step }) : `exported ${source.origin} (step ${source.step}) to ${out}`)
}

/**
 * `murmur generate`: one completion of a prompt by any model murmur loads — the built-in tiny
 * policy, a murmur checkpoint or folder, or a Hugging Face Llama / Qwen2 / Qwen3 folder. Prints
 * `{ tokens, text, logprobs }` (the last line with --json). Useful on its own, and the quickest
 * check that a model folder loaded right.
 */
import { ortDeviceProbe, parseDevice, resolveDevice } from '@murmur/graph'
import { DEFAULT_MODEL, loadModelSource, openPolicy } from '@murmur/node'
import { chatTemplate, type ChatTemplate } from '@murmur/policy'
import { parseCommandArgs, formatHelp, type FlagSpec } from '../args.js'
import { UsageError } from '../errors.js'
import type { CommandContext } from './context.js'

const FLAGS: Record<string, FlagSpec> = {
  model: { type: 'string', doc: `builtin:tiny, a .safetensors file, a murmur model folder or a Llama/Qwen2/Qwen3 folder (default ${DEFAULT_MODEL})` },
  prompt: { type: 'string', doc: 'the prompt text (required)' },
  'max-tokens': { type: 'string', doc: 'generated tokens at most (EOS included)', default: '32' },
  temperature: { type: 'string', doc: 'sampling temperature; 0 = greedy', default: '0' },
  'top-p': { type: 'string', doc: 'nucleus sampling mass', default: '1' },
  seed: { type: 'string', doc: 'sampling seed', default: '0' },
  chat: { type: 'boolean', doc: "wrap the prompt as one user turn of the model's chat template (HF folders)" },
  threads: { type: 'string', doc: 'onnxruntime intra-op threads', default: '1' },
  device: { type: 'string', doc: 'auto | cpu | cuda | webgpu (default: $MURMUR_DEVICE, else cpu)' }
}
const USAGE = 'murmur generate --prompt TEXT [--model M] [--max-tokens N] [--temperature T] [--chat] [--json]'
const DESCRIPTION = 'Generates one completion and prints its token ids, text and per-token log-probabilities.'

/** The result line of `murmur generate`. */
export interface GenerateResult {
  tokens: number[]
  text: string
  logprobs: number[]
  finishReason: string
  model: string
  /** Where onnxruntime ran. */
  device: string
}

/** Runs the `generate` command. */
export async function generateCommand (argv: string[], ctx: CommandContext): Promise<void> {
  const args = parseCommandArgs(argv, FLAGS, false)
  if (args.flags.help === true) { ctx.out(formatHelp(USAGE, DESCRIPTION, FLAGS, false)); return }
  const prompt = args.flags.prompt
  if (typeof prompt !== 'string') throw new UsageError('--prompt is required')
  const num = (flag: string, ok: (v: number) => boolean, what: string): number => {
    const v = Number(args.flags[flag])
    if (!ok(v)) throw new UsageError(`--${flag} must be ${what}, got "${String(args.flags[flag])}"`)
    return v
  }
  const maxTokens = num('max-tokens', v => Number.isInteger(v) && v >= 1, 'a positive integer')
  const temperature = num('temperature', v => Number.isFinite(v) && v >= 0, 'a number ≥ 0')
  const topP = num('top-p', v => v > 0 && v <= 1, 'in (0, 1]')
  const seed = num('seed', v => Number.isInteger(v), 'an integer')
  const threads = num('threads', v => Number.isInteger(v) && v >= 1, 'a positive integer')
  const device = await resolveDevice(parseDevice((args.flags.device as string | undefined) ?? process.env.MURMUR_DEVICE ?? 'cpu'), ortDeviceProbe())
  const model = (args.flags.model as string | undefined) ?? DEFAULT_MODEL
  const source = await loadModelSource({ model })
  let template: ChatTemplate | undefined
  if (args.flags.chat === true) {
    if (source.chatTemplate === undefined) throw new UsageError(`--chat: ${model} has no chat template (tokenizer_config.json chat_template)`)
    template = chatTemplate(source.chatTemplate, source.tokenizer.toTokenizerConfig() as Record<string, unknown>)
  }
  const policy = await openPolicy(source, { threads, device, chatTemplate: template })
  try {
    const [[c]] = await policy.generate([prompt], { maxTokens, temperature, topP, seed })
    const result: GenerateResult = { tokens: c.tokenIds, text: c.text, logprobs: c.logprobs, finishReason: c.finishReason, model, device }
    ctx.out(args.flags.json === true ? JSON.stringify(result) : c.text)
  } finally {
    await policy.close()
  }
}

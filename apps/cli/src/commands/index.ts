/**
 * The command table: name → summary and implementation. Implementations are imported when their
 * command runs: loading onnxruntime and libp2p for `--help`, or twice for a supervised node (the
 * supervisor and its child), would cost seconds of start-up.
 */
import type { CommandContext } from './context.js'

/** A CLI command. */
export interface Command {
  summary: string
  run: (argv: string[], ctx: CommandContext) => Promise<void>
}

/** Every command of `murmur`. */
export const commands: Record<string, Command> = {
  sim: { summary: 'run a swarm of nodes on this machine (what npm start runs)', run: async (a, c) => { await (await import('./sim.js')).simCommand(a, c) } },
  node: { summary: 'run one node (joins a swarm, trains, checkpoints, resumes after a restart)', run: async (a, c) => { await (await import('./node.js')).nodeCommand(a, c) } },
  eval: { summary: 'accuracy of a checkpoint on held-out tasks', run: async (a, c) => { await (await import('./eval.js')).evalCommand(a, c) } },
  pretrain: { summary: 'supervised pretraining of the default tiny policy', run: async (a, c) => { await (await import('./pretrain.js')).pretrainCommand(a, c) } },
  export: { summary: 'write a model folder for Hugging Face tooling', run: async (a, c) => { await (await import('./export.js')).exportCommand(a, c) } },
  generate: { summary: 'generate a completion with any model (built-in, murmur folder, or a Llama/Qwen2/Qwen3 folder)', run: async (a, c) => { await (await import('./generate.js')).generateCommand(a, c) } },
  experiment: { summary: 'run the SAPO sharing, HERO shaping or adversarial experiment (results.json + SVG plots)', run: async (a, c) => { await (await import('./experiment.js')).experimentCommand(a, c) } },
  store: { summary: 'repair or reset a node\'s store (what its corruption errors ask for)', run: async (a, c) => { await (await import('./store.js')).storeCommand(a, c) } },
  bootstrap: { summary: 'run a bootstrap/relay peer for a swarm (DHT, relay, AutoNAT, HTTP /bootstrap)', run: async (a, c) => { await (await import('./bootstrap.js')).bootstrapCommand(a, c) } }
}

/** Top-level help. */
export function helpText (): string {
  const lines = [
    'murmur — swarm RL post-training of language models',
    '',
    'usage: murmur <command> [options]      (from the repo root: npx murmur <command> …)',
    '',
    'commands:'
  ]
  for (const [name, c] of Object.entries(commands)) lines.push(`  ${name.padEnd(12)} ${c.summary}`)
  lines.push('', "Run 'murmur <command> --help' for a command's options.")
  return lines.join('\n')
}

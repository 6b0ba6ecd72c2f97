/** The command table: name → summary and implementation. */
import type { CommandContext } from './context.js'
import { simCommand } from './sim.js'
import { nodeCommand } from './node.js'
import { evalCommand } from './eval.js'
import { exportCommand } from './export.js'
import { pretrainCommand } from './pretrain.js'
import { experimentCommand } from './experiment.js'
import { generateCommand } from './generate.js'
import { storeCommand } from './store.js'

/** A CLI command. */
export interface Command {
  summary: string
  run: (argv: string[], ctx: CommandContext) => Promise<void>
}

/** Every command of `murmur`. */
export const commands: Record<string, Command> = {
  sim: { summary: 'run a swarm of nodes on this machine (what npm start runs)', run: simCommand },
  node: { summary: 'run one node (joins a swarm, trains, checkpoints, resumes after a restart)', run: nodeCommand },
  eval: { summary: 'accuracy of a checkpoint on held-out tasks', run: evalCommand },
  pretrain: { summary: 'supervised pretraining of the default tiny policy', run: pretrainCommand },
  export: { summary: 'write a model folder for Hugging Face tooling', run: exportCommand },
  generate: { summary: 'generate a completion with any model (built-in, murmur folder, or a Llama/Qwen2/Qwen3 folder)', run: generateCommand },
  experiment: { summary: 'run the SAPO sharing or HERO shaping ablation (results.json + SVG plots)', run: experimentCommand },
  store: { summary: 'repair or reset a node\'s store (what its corruption errors ask for)', run: storeCommand }
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

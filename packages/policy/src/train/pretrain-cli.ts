/**
 * `node packages/policy/dist/train/pretrain-cli.js [--seed N] [--out FILE] [--target X] [--max-steps N]`:
 * runs `pretrain` and writes the base checkpoint (safetensors with murmur metadata) plus a
 * JSON sidecar with the evaluation history. The CLI's `murmur pretrain` wraps the same call.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { parseArgs } from 'node:util'
import { weightsToSafetensors } from '../checkpoint.js'
import { DEFAULT_ALPHABET } from '../tokenizer/index.js'
import { pretrain } from './pretrain.js'

const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: '0' },
    out: { type: 'string', default: 'packages/policy/checkpoints/tiny-base.safetensors' },
    target: { type: 'string', default: '0.25' },
    'max-steps': { type: 'string', default: '4000' }
  }
})
const seed = Number(values.seed)
const t0 = Date.now()
const result = await pretrain({
  seed,
  targetAccuracy: Number(values.target),
  maxSteps: Number(values['max-steps']),
  onProgress: p => {
    if (p.step % 10 === 0 || p.eval !== undefined) {
      const bar = '#'.repeat(Math.round(30 * p.step / p.maxSteps)).padEnd(30, '.')
      const ev = p.eval === undefined ? '' : ` sampled ${(100 * p.eval.sampled).toFixed(1)}% greedy ${(100 * p.eval.greedy).toFixed(1)}%`
      process.stderr.write(`\r[${bar}] step ${p.step} loss ${p.loss.toFixed(3)}${ev}${p.eval !== undefined ? '\n' : ''}`)
    }
  }
})
const out = values.out
mkdirSync(dirname(out), { recursive: true })
writeFileSync(out, weightsToSafetensors(result.config, result.weights, { step: result.steps, tokenizer: { kind: 'char', alphabet: DEFAULT_ALPHABET } }))
const summary = { seed, steps: result.steps, reachedTarget: result.reachedTarget, final: result.final, history: result.history, seconds: (Date.now() - t0) / 1000 }
writeFileSync(out.replace(/\.safetensors$/, '') + '.json', JSON.stringify(summary, null, 2) + '\n')
process.stdout.write(JSON.stringify({ out, seed, steps: result.steps, sampled: result.final.sampled, greedy: result.final.greedy, seconds: summary.seconds }) + '\n')

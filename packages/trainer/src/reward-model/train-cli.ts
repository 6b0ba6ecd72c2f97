/**
 * `node packages/policy/dist/reward-model/train-cli.js [--seed N] [--steps N] [--base FILE] [--out FILE]`:
 * trains the reward model (trunk initialized from the base policy checkpoint) and writes it as
 * safetensors plus a JSON sidecar with the held-out pair accuracy history.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { weightsFromSafetensors } from '@murmur/policy'
import { rewardModelToSafetensors, trainRewardModel } from './train.js'

const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: '0' },
    steps: { type: 'string', default: '300' },
    base: { type: 'string', default: 'packages/policy/checkpoints/tiny-base.safetensors' },
    out: { type: 'string', default: 'packages/policy/checkpoints/tiny-reward.safetensors' }
  }
})
const base = weightsFromSafetensors(readFileSync(values.base), values.base)
const t0 = Date.now()
const r = await trainRewardModel({
  seed: Number(values.seed),
  steps: Number(values.steps),
  base: { config: base.config, weights: base.weights },
  evalEvery: 100,
  onProgress: p => {
    if (p.step % 10 === 0 || p.heldOut !== undefined) {
      process.stderr.write(`\rstep ${p.step}/${p.steps} loss ${p.loss.toFixed(3)} batch acc ${(100 * p.accuracy).toFixed(0)}%${p.heldOut === undefined ? '' : ` held-out ${(100 * p.heldOut).toFixed(1)}%\n`}`)
    }
  }
})
writeFileSync(values.out, rewardModelToSafetensors(r.config, r.weights, { murmur_step: String(r.steps) }))
const summary = { seed: Number(values.seed), steps: r.steps, heldOutAccuracy: r.heldOutAccuracy, history: r.history, seconds: (Date.now() - t0) / 1000 }
writeFileSync(values.out.replace(/\.safetensors$/, '') + '.json', JSON.stringify(summary, null, 2) + '\n')
process.stdout.write(JSON.stringify({ out: values.out, ...summary }) + '\n')

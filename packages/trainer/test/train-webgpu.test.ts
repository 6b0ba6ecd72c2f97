/**
 * The trainer on onnxruntime's WebGPU provider, where this machine has an adapter (CI installs
 * Mesa's CPU-only lavapipe Vulkan driver, see .ci/run): the same steps as on the CPU, with the
 * weights and AdamW moments kept in GPU buffers between steps. Skipped, with a message, where
 * WebGPU has no adapter.
 */
import { ortDeviceProbe } from '@murmur/graph'
import { charTokenizer, initWeights, resolveGptConfig, type Weights } from '@murmur/policy'
import { describe, expect, it } from 'vitest'
import { aggregationWeights, encodePair, padBatch } from '../src/batch.js'
import { createStepEngine } from '../src/step-engine.js'
import { resolveTrainerConfig } from '../src/trainer-config.js'
import { createTrainer } from '../src/trainer.js'
import { groups } from './groups-fixture.js'

const hasWebgpu = await ortDeviceProbe().webgpu({ software: true })
if (!hasWebgpu) console.warn('train-webgpu.test.ts skipped: WebGPU has no adapter here (see DEVICE_INSTALL_HINTS.webgpu)')
const tokenizer = charTokenizer()
const config = resolveGptConfig({ nLayer: 2, nEmbd: 32, nHead: 4, vocabSize: tokenizer.vocabSize, nCtx: 32 })

function maxDiff (a: Weights, b: Weights): number {
  let d = 0
  for (const k of Object.keys(a)) a[k].forEach((x, i) => { d = Math.max(d, Math.abs(x - b[k][i])) })
  return d
}

describe.skipIf(!hasWebgpu)('trainer on WebGPU', () => {
  it('takes the CPU\'s steps with the state on the device, and resumes from exported state', async () => {
    const make = (device: 'cpu' | 'webgpu', seed = 3): ReturnType<typeof createTrainer> => createTrainer({ config, weights: initWeights(config, 1), tokenizer, seed, learningRate: 3e-3, epochs: 2, minibatchSize: 4, device })
    const [cpu, gpu] = [make('cpu'), make('webgpu')]
    try {
      for (let i = 0; i < 2; i++) {
        const [a, b] = [await cpu.train(groups), await gpu.train(groups)]
        a.perStep.forEach((s, k) => {
          expect(b.perStep[k].loss).toBeCloseTo(s.loss, 5)
          expect(b.perStep[k].gradNorm).toBeCloseTo(s.gradNorm, 4)
        })
      }
      expect(maxDiff(await cpu.weights(), await gpu.weights())).toBeLessThan(1e-5)
      // Weights and moments stayed in GPU buffers; weights() copied them out.
      expect(await gpu.placement()).toEqual({ params: 'device', 'opt.m.params': 'device', 'opt.v.params': 'device' })
      // A checkpoint taken from the device resumes on another trainer as the original continues.
      const resumed = make('webgpu', 99)
      try {
        await resumed.importState(await gpu.exportState())
        const [next, again] = [await gpu.train(groups), await resumed.train(groups)]
        expect(again.perStep.map(s => s.loss)).toEqual(next.perStep.map(s => s.loss))
        expect(maxDiff(await gpu.weights(), await resumed.weights())).toBe(0)
      } finally {
        await resumed.close()
      }
    } finally {
      await Promise.all([cpu.close(), gpu.close()])
    }
  }, 300_000)

  it('three trainers in three worker threads step at once on the process\'s one WebGPU context (the device lock), each as it would alone', async () => {
    const make = (seed: number): ReturnType<typeof createTrainer> => createTrainer({ config, weights: initWeights(config, seed), tokenizer, seed, learningRate: 3e-3, minibatchSize: 8, device: 'webgpu' })
    const alone = []
    for (const seed of [1, 2, 3]) {
      const t = make(seed)
      try {
        for (let i = 0; i < 3; i++) await t.train(groups)
        alone.push(await t.weights())
      } finally {
        await t.close()
      }
    }
    const together = [1, 2, 3].map(make)
    try {
      await Promise.all(together.map(async t => { for (let i = 0; i < 3; i++) await t.train(groups) }))
      for (let k = 0; k < 3; k++) expect(maxDiff(await together[k].weights(), alone[k])).toBe(0)
    } finally {
      await Promise.all(together.map(async t => { await t.close() }))
    }
  }, 300_000)

  it('keeps per-parameter state (the layout of models too large for one flat buffer) on the device too', async () => {
    const options = resolveTrainerConfig({ learningRate: 3e-3, minibatchSize: 8, device: 'webgpu' })
    const seqs = groups.flatMap(g => g.completions.map(c => encodePair(tokenizer, g.prompt, c)))
    const batch = padBatch(seqs, seqs.length, 16, tokenizer.padId)
    const advantages = new Float32Array(groups.flatMap(g => [...g.advantages]))
    const feeds = { advantages, weights: aggregationWeights(batch, 'token-mean', batch.steps) }
    const engines = [true, false].map(flatState => createStepEngine({ config, weights: initWeights(config, 1), options, flatState }))
    try {
      for (let i = 0; i < 2; i++) {
        const [a, b] = [await engines[0].policyStep(batch, feeds), await engines[1].policyStep(batch, feeds)]
        expect(b.loss).toBeCloseTo(a.loss, 5)
      }
      expect(maxDiff(await engines[0].weights(), await engines[1].weights())).toBeLessThan(1e-5)
      const placement = await engines[1].placement()
      expect(Object.keys(placement)).toHaveLength(3 * Object.keys(initWeights(config, 1)).length)
      expect(new Set(Object.values(placement))).toEqual(new Set(['device']))
      const snap = await engines[1].exportOptimizer()
      expect(snap.step).toBe(2)
      expect(maxDiff(snap.weights, await engines[1].weights())).toBe(0)
    } finally {
      await Promise.all(engines.map(async e => { await e.close() }))
    }
  }, 300_000)
})
